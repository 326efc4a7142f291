from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, IdMixin, IdType, TimestampMixin
from app.core.enums import TemplateStatus
from app.core.types import JSONType, UTCDateTime


class Template(IdMixin, TimestampMixin, Base):
    """A WhatsApp message template; only APPROVED ones may be sent."""

    __tablename__ = "templates"
    __table_args__ = (UniqueConstraint("workspace_id", "name", "language"),)

    workspace_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("workspaces.id", ondelete="CASCADE"), index=True, nullable=False
    )
    name: Mapped[str] = mapped_column(String(512), nullable=False)
    language: Mapped[str] = mapped_column(String(15), nullable=False, default="en_US")
    category: Mapped[str] = mapped_column(String(20), nullable=False, default="MARKETING")
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    components: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, nullable=False, default=list)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=TemplateStatus.PENDING)
    # Why Meta rejected, paused or disabled it (from the status webhook), for a person to read.
    status_reason: Mapped[str | None] = mapped_column(Text)
    # Meta's quality score: GREEN, YELLOW, RED or UNKNOWN (message_template_quality_update).
    quality_score: Mapped[str] = mapped_column(String(20), nullable=False, default="UNKNOWN")
    # When the last status / quality webhook applied happened at Meta: older ones are ignored.
    status_event_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    quality_event_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    provider_template_id: Mapped[str | None] = mapped_column(String(64))
    synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
