"""Test harness: real PostgreSQL and real Redis, never mocks.

The database named by TEST_DATABASE_URL is created if missing, migrated once per session with
Alembic, and every table is truncated after each test. When PostgreSQL or Redis is unreachable
the session fails (it does not skip): CI must go red, not quietly green.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

TEST_DATABASE_URL = os.environ.get(
    "TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

# Settings are read at import time: point them at the test services before `app` is imported.
os.environ.update(
    {
        "DATABASE_URL": TEST_DATABASE_URL,
        "REDIS_URL": TEST_REDIS_URL,
        "CELERY_BROKER_URL": TEST_REDIS_URL,
        "CELERY_RESULT_BACKEND": TEST_REDIS_URL,
        "ENVIRONMENT": "test",
        "WHATSAPP_APP_SECRET": "test-app-secret",
        "WHATSAPP_VERIFY_TOKEN": "test-verify-token",
        "SECRET_KEY": "test-secret-key",
        "MESSAGE_DELAY_MIN": "0",
        "MESSAGE_DELAY_MAX": "0",
        # Tests that exercise quiet hours turn them on themselves; otherwise a run at night
        # would defer every campaign message.
        "QUIET_HOURS_ENABLED": "false",
        "LLM_PROVIDER": "local",
        "WHATSAPP_PROVIDER": "sandbox",
        # No background model building racing the tests (test_ai_warm_up turns it on)
        "AI_WARM_UP": "false",
    }
)

from tests.support.services import (  # noqa: E402
    ensure_database,
    require_postgres,
    require_redis,
    reset_schema,
    truncate_all,
)


def pytest_sessionstart(session: pytest.Session) -> None:
    require_postgres(TEST_DATABASE_URL)
    require_redis(TEST_REDIS_URL)
    ensure_database(TEST_DATABASE_URL)
    from app.core.migrate import upgrade
    from app.wiring import wire

    wire()  # tests are an entry point too: engine code runs in-process (app.wiring)

    reset_schema(TEST_DATABASE_URL)  # a clean slate, whatever an earlier run left behind
    upgrade(TEST_DATABASE_URL)


@pytest.fixture(autouse=True)
def _clean_database() -> Iterator[None]:
    yield
    from app.core.db import get_engine

    truncate_all(get_engine())


@pytest.fixture
def db():
    from app.core.db import get_sessionmaker

    session = get_sessionmaker()()
    try:
        yield session
    finally:
        session.close()


@pytest.fixture
def redis_client():
    import redis

    client = redis.Redis.from_url(TEST_REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture(scope="session")
def app():
    from app.main import app as fastapi_app

    return fastapi_app


@pytest.fixture
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def workspace(db):
    """A workspace with a live API key: (workspace_id, headers)."""
    from tests.support.factories import make_workspace

    return make_workspace(db, "Acme")


@pytest.fixture
def other_workspace(db):
    from tests.support.factories import make_workspace

    return make_workspace(db, "Globex")


@pytest.fixture
def auth(workspace):
    return workspace.headers
