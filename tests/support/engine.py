"""Settings shared by the engine tests: import `engine_settings` into a test module to apply it."""

from __future__ import annotations

import pytest

from app.core.config import settings


@pytest.fixture(autouse=True)
def engine_settings(monkeypatch, redis_client):
    """No send delays and no quiet hours, so messages go out at once; depending on
    `redis_client` gives every test empty throttle windows."""
    monkeypatch.setattr(settings, "MESSAGE_DELAY_MIN", 0)
    monkeypatch.setattr(settings, "MESSAGE_DELAY_MAX", 0)
    monkeypatch.setattr(settings, "QUIET_HOURS_ENABLED", False)
    yield
