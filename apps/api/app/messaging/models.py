from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, IdMixin, IdType, TimestampMixin, utcnow
from app.core.enums import MessageStatus
from app.core.types import JSONType, UTCDateTime


class Message(IdMixin, TimestampMixin, Base):
    """One WhatsApp message, outbound or inbound. The row is the source of truth for its send."""

    __tablename__ = "messages"
    __table_args__ = (
        # One outbound row per recipient and step: materialising twice inserts nothing new.
        UniqueConstraint("campaign_id", "contact_id", "step_index"),
        Index("ix_messages_status_due", "status", "next_attempt_at"),
        Index("ix_messages_campaign_status", "campaign_id", "status"),
        Index("ix_messages_contact_created", "contact_id", "created_at"),
        Index("ix_messages_workspace_created", "workspace_id", "created_at"),
        Index("ix_messages_sender_sent", "sender_id", "sent_at"),
        # Self/enrollment references are SET NULL on delete: without these, deleting many
        # messages (cleanup, campaign delete) scans the table once per deleted row.
        Index("ix_messages_in_reply_to_id", "in_reply_to_id"),
        Index("ix_messages_enrollment_id", "enrollment_id"),
        # Inbound rows still to classify (the periodic sweep reads the recent ones).
        Index("ix_messages_received_at", "received_at"),
        # The analytics rollup reads what changed since its last run (app.analytics.rollup).
        Index("ix_messages_updated_at", "updated_at"),
    )

    workspace_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False
    )
    # SET NULL, not CASCADE: erasing a contact keeps its messages as anonymous facts (counts,
    # pacing windows, Meta's tier) and never pulls rows out from under an in-flight batch.
    contact_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("contacts.id", ondelete="SET NULL")
    )
    sender_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("sender_numbers.id", ondelete="SET NULL")
    )
    campaign_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("campaigns.id", ondelete="CASCADE")
    )
    # Drip step position (0 for broadcasts); NULL for inbound and ad-hoc messages.
    step_index: Mapped[int | None] = mapped_column(Integer)
    enrollment_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("enrollments.id", ondelete="SET NULL")
    )
    in_reply_to_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("messages.id", ondelete="SET NULL")
    )

    direction: Mapped[str] = mapped_column(String(10), nullable=False)
    type: Mapped[str] = mapped_column(String(20), nullable=False, default="text")
    body: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    template_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("templates.id", ondelete="SET NULL")
    )
    # Outbound: which AI rewrite variant of the campaign text this recipient gets (index into
    # the campaign's pool); NULL = the original text. Set before the send, so analytics can
    # compare variants with the original.
    variant: Mapped[int | None] = mapped_column(SmallInteger)
    # Outbound rows not made by a campaign: auto_response, optout_confirmation, inbox_reply.
    origin: Mapped[str | None] = mapped_column(String(20))

    status: Mapped[str] = mapped_column(String(20), nullable=False, default=MessageStatus.QUEUED)
    skip_reason: Mapped[str | None] = mapped_column(String(64))
    error_code: Mapped[str | None] = mapped_column(String(20))
    error_detail: Mapped[str | None] = mapped_column(Text)
    wamid: Mapped[str | None] = mapped_column(String(128), unique=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_deferred_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Pacing facts of the send (app.pacing): whether it went outside the contact's 24 h
    # service window (Meta's tier counts only those; NULL = not known yet, counted), and the
    # earlier attempts of this row that reached Meta before a failed status requeued it
    # (131049/131056): each still counts in the hour/day windows, stamped `past_sent_at`.
    outside_window: Mapped[bool | None] = mapped_column()
    past_sends: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    past_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # Inbound: AI classification result and its headline intent for filtering.
    classification: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    intent: Mapped[str | None] = mapped_column(String(32))
    needs_review: Mapped[bool] = mapped_column(default=False, nullable=False)


class MessageEvent(IdMixin, Base):
    """Timeline of a message: every status change and what caused it."""

    __tablename__ = "message_events"

    message_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("messages.id", ondelete="CASCADE"), index=True, nullable=False
    )
    event: Mapped[str] = mapped_column(String(32), nullable=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
