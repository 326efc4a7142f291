"""A fresh, migrated PostgreSQL database for one benchmark run."""

from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def fresh_database(url: str) -> None:
    """Drop and recreate the database named by `url`, then run the migrations.

    Dropping (not downgrading) is deliberate: it works whatever an earlier run or an older
    schema left behind.
    """
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    from app.core.migrate import upgrade

    upgrade(url)
