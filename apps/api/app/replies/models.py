"""Reply handling: a workspace's auto-response settings and rules, and the review inbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, IdMixin, IdType, TimestampMixin
from app.core.types import UTCDateTime


class ReplySettings(IdMixin, TimestampMixin, Base):
    """One row per workspace that changed the defaults (no row = the defaults)."""

    __tablename__ = "reply_settings"

    workspace_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("workspaces.id", ondelete="CASCADE"), unique=True, nullable=False
    )
    auto_respond: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    confidence_threshold: Mapped[int] = mapped_column(Integer, nullable=False, default=70)
    cooldown_hours: Mapped[float] = mapped_column(Float, nullable=False, default=24)
    # Sent once after an opt-out; NULL = no confirmation.
    optout_confirmation: Mapped[str | None] = mapped_column(Text)


class AutoResponseRule(IdMixin, TimestampMixin, Base):
    """What to answer to one intent. `response` NULL: answer nothing and need no review."""

    __tablename__ = "auto_response_rules"
    __table_args__ = (UniqueConstraint("workspace_id", "intent"),)

    workspace_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False
    )
    intent: Mapped[str] = mapped_column(String(32), nullable=False)
    response: Mapped[str | None] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


class ReviewItem(IdMixin, TimestampMixin, Base):
    """An inbound reply that needs a person, until someone resolves it."""

    __tablename__ = "review_items"
    __table_args__ = (Index("ix_review_items_workspace_state", "workspace_id", "state", "id"),)

    workspace_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False
    )
    message_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("messages.id", ondelete="CASCADE"), unique=True, nullable=False
    )
    contact_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("contacts.id", ondelete="CASCADE"), index=True, nullable=False
    )
    campaign_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("campaigns.id", ondelete="SET NULL"), index=True
    )
    reason: Mapped[str] = mapped_column(String(32), nullable=False)
    intent: Mapped[str | None] = mapped_column(String(32))
    confidence: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), nullable=False, default="open")
    resolution: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    reply_message_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("messages.id", ondelete="SET NULL"), index=True
    )
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
