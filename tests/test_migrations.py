"""The Alembic migrations build exactly the schema the models describe, on both databases.

`compare_metadata` is what `alembic revision --autogenerate` runs: an empty diff means a model
change was not forgotten in the migration (and vice versa).
"""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, Table, create_engine
from sqlalchemy.engine import Engine

import app.models  # noqa: F401  (registers every table)
from app.core.db import Base


def schema_diff(engine: Engine, metadata: MetaData) -> list:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn,
            opts={"compare_type": True, "render_as_batch": conn.dialect.name == "sqlite"},
        )
        return compare_metadata(ctx, metadata)


@pytest.fixture
def sqlite_engine(tmp_path):
    from app.core.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'schema.db'}"
    upgrade(url)
    engine = create_engine(url)
    yield engine
    engine.dispose()


def test_postgres_schema_matches_models():
    from app.core.db import get_engine

    engine = get_engine()  # the test database, migrated to head at session start
    assert engine.dialect.name == "postgresql"
    assert schema_diff(engine, Base.metadata) == []


def test_sqlite_schema_matches_models(sqlite_engine):
    assert schema_diff(sqlite_engine, Base.metadata) == []


def test_the_comparison_does_see_a_missing_table(sqlite_engine):
    # Guard against a comparison that can never fail.
    extra = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(extra)
    Table("not_migrated", extra, Column("id", Integer, primary_key=True))
    diff = schema_diff(sqlite_engine, extra)
    assert [(d[0], d[1].name) for d in diff] == [("add_table", "not_migrated")]
