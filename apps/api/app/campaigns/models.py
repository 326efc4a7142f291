from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, IdMixin, IdType, TimestampMixin
from app.core.enums import CampaignStatus, CampaignType, EnrollmentState
from app.core.types import JSONType, UTCDateTime


class Campaign(IdMixin, TimestampMixin, Base):
    __tablename__ = "campaigns"
    __table_args__ = (Index("ix_campaigns_status_scheduled", "status", "scheduled_at"),)

    workspace_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("workspaces.id", ondelete="CASCADE"), index=True, nullable=False
    )
    sender_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("sender_numbers.id", ondelete="RESTRICT"), index=True, nullable=False
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    type: Mapped[str] = mapped_column(String(20), nullable=False, default=CampaignType.BROADCAST)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=CampaignStatus.DRAFT)
    status_reason: Mapped[str | None] = mapped_column(Text)
    message_template: Mapped[str | None] = mapped_column(Text)
    template_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("templates.id", ondelete="RESTRICT")
    )
    template_params: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    # The template's other slots (header, named body parameters, buttons), media resolved:
    # app.templates.components describes the shape.
    template_components: Mapped[dict[str, Any]] = mapped_column(
        JSONType, nullable=False, default=dict
    )
    # A free-form media message: {"type", "id" | "link", "filename"?}; the text is its caption.
    media: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # "metadata" is reserved by SQLAlchemy's declarative base; the column keeps the seed's name.
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSONType, nullable=False, default=dict)
    contact_ids: Mapped[list[int]] = mapped_column(JSONType, nullable=False, default=list)
    stop_on_reply: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    ai_rewrite: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # AI rewriting: NULL (off), pending (variant pool being prepared: nothing is claimed yet),
    # ready, failed (the original text goes out; `rewrite.fallback_reason` says why).
    rewrite_status: Mapped[str | None] = mapped_column(String(20))
    # {"variants": {"<step position>": [text, …]}, "provider", "fallback_reason", "prepared_at"}
    rewrite: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    stats: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    stats_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DripStep(IdMixin, Base):
    __tablename__ = "drip_steps"
    __table_args__ = (UniqueConstraint("campaign_id", "position"),)

    campaign_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    delay_hours: Mapped[float] = mapped_column(Float, nullable=False, default=0)
    message_template: Mapped[str | None] = mapped_column(Text)
    template_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("templates.id", ondelete="RESTRICT")
    )
    # Template steps: one string per template parameter, same placeholder syntax as texts.
    template_params: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    template_components: Mapped[dict[str, Any]] = mapped_column(
        JSONType, nullable=False, default=dict
    )
    media: Mapped[dict[str, Any] | None] = mapped_column(JSONType)


class Enrollment(IdMixin, TimestampMixin, Base):
    """A contact's progress through a drip. Long waits are rows with a due time, not ETAs."""

    __tablename__ = "enrollments"
    __table_args__ = (
        UniqueConstraint("campaign_id", "contact_id"),
        Index("ix_enrollments_state_due", "state", "next_due_at"),
    )

    campaign_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False
    )
    contact_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("contacts.id", ondelete="CASCADE"), index=True, nullable=False
    )
    next_step: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(20), nullable=False, default=EnrollmentState.ACTIVE)
    state_reason: Mapped[str | None] = mapped_column(String(64))
