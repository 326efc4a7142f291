"""Engine, session factory and the declarative base shared by every domain's models."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import BigInteger, Integer, MetaData, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from app.core.config import settings
from app.core.errors import Conflict
from app.core.types import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# BIGINT ids on PostgreSQL; SQLite only auto-increments "INTEGER PRIMARY KEY".
IdType = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC)


def dialect_insert(db: Session) -> Any:
    """`insert()` of the session's dialect, the one that has `on_conflict_do_*`."""
    name = db.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert
    if name == "sqlite":
        return sqlite.insert
    raise NotImplementedError(f"upserts are implemented for PostgreSQL and SQLite, not {name}")


def delete_restricted(db: Session, obj: Any, *, in_use: str) -> None:
    """Delete `obj`, or raise Conflict(in_use) when a RESTRICT foreign key still points at it.

    The database decides, in a savepoint: the owning domain need not know every table that
    refers to its rows (campaigns refer to templates and numbers from a layer above them)."""
    try:
        with db.begin_nested():
            db.delete(obj)
            db.flush()
    except IntegrityError as exc:
        raise Conflict(in_use) from exc


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class IdMixin:
    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )


def _configure_sqlite(engine: Engine) -> None:
    """Embedded mode: the API, the worker and beat write one file from several processes.

    Every transaction starts with BEGIN IMMEDIATE (it takes the write lock up front, waiting up
    to busy_timeout). With the driver's deferred BEGIN, a transaction that read first and then
    writes fails at once with "database is locked" when another process committed meanwhile
    (SQLite cannot upgrade a stale snapshot; the busy timeout does not apply), which happened
    under load to webhook processing, claims and campaign completion. Letting SQLAlchemy emit
    BEGIN (driver autocommit) also makes SAVEPOINTs behave (SQLAlchemy's pysqlite recipe).
    """

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None  # the driver emits no BEGIN/COMMIT of its own
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str | None = None) -> Engine:
    url = url or settings.DATABASE_URL
    if url.startswith("sqlite"):
        from pathlib import Path

        db_path = url.split("///", 1)[-1]
        if db_path and db_path != ":memory:":
            Path(db_path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _configure_sqlite(engine)
        return engine
    return create_engine(
        url,
        pool_size=settings.DATABASE_POOL_SIZE,
        max_overflow=settings.DATABASE_POOL_SIZE,
        pool_pre_ping=True,
    )


@lru_cache
def get_engine() -> Engine:
    return make_engine()


@lru_cache
def get_sessionmaker() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


@contextmanager
def session_scope() -> Iterator[Session]:
    """Session for workers and scripts: commit on success, roll back on error."""
    session = get_sessionmaker()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def get_db() -> Iterator[Session]:
    """Request-scoped session. Routers commit explicitly (the edge); services never do.
    Whatever is left uncommitted is rolled back when the session closes."""
    session = get_sessionmaker()()
    try:
        yield session
    finally:
        session.close()
