from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, IdMixin, IdType, TimestampMixin
from app.core.enums import KeyRole
from app.core.types import UTCDateTime


class Workspace(IdMixin, TimestampMixin, Base):
    """A tenant: every other row belongs to exactly one workspace."""

    __tablename__ = "workspaces"

    name: Mapped[str] = mapped_column(String(200), nullable=False)
    # IANA zone the workspace's days are counted in (timeline, "today", daily reports at 02:00).
    timezone: Mapped[str] = mapped_column(
        String(64), nullable=False, default="UTC", server_default="UTC"
    )


class ApiKey(IdMixin, Base):
    """Bearer key; only its SHA-256 is stored, the secret is shown once at creation."""

    __tablename__ = "api_keys"

    workspace_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("workspaces.id", ondelete="CASCADE"), index=True, nullable=False
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False, default="default")
    # KeyRole; keys from before roles existed are admin (the server default).
    role: Mapped[str] = mapped_column(
        String(20), nullable=False, default=KeyRole.ADMIN, server_default=KeyRole.ADMIN.value
    )
    prefix: Mapped[str] = mapped_column(String(16), nullable=False)
    key_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
