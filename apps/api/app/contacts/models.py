from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, IdMixin, IdType, TimestampMixin, utcnow
from app.core.types import JSONType, UTCDateTime


class Contact(IdMixin, TimestampMixin, Base):
    """A customer the business may message. Consent and the 24 h window live here."""

    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("workspace_id", "phone"),)

    workspace_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("workspaces.id", ondelete="CASCADE"), index=True, nullable=False
    )
    phone: Mapped[str] = mapped_column(String(20), nullable=False)  # E.164
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    tags: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    timezone: Mapped[str | None] = mapped_column(String(64))
    country: Mapped[str | None] = mapped_column(String(2))

    opted_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opt_in_source: Mapped[str | None] = mapped_column(String(100))
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    opt_out_source: Mapped[str | None] = mapped_column(String(100))
    marketing_opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    last_inbound_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_outbound_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    lead_score: Mapped[int | None] = mapped_column(Integer, index=True)
    lead_tier: Mapped[str | None] = mapped_column(String(10))
    lead_scored_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the contact last became a hot lead (None while not hot): "new hot leads" of a day.
    lead_hot_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A reply the model read as an opt-out (the rules did not) waits for a person: until the
    # review item is resolved, no campaign message goes to the contact (app.outbound.policy).
    opt_out_review_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def first_name(self) -> str | None:
        return self.name.split()[0] if self.name and self.name.split() else None

    @property
    def can_receive_campaigns(self) -> bool:
        return self.opted_in_at is not None and self.opted_out_at is None


class Suppression(IdMixin, Base):
    """The opt-out state of an erased contact, kept under a keyed hash of its phone
    (docs/privacy.md): a contact re-created with the same number starts opted out again.
    Consumed (deleted) when that happens; the new contact carries the state from then on."""

    __tablename__ = "suppressions"
    __table_args__ = (UniqueConstraint("workspace_id", "phone_hash"),)

    workspace_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False
    )
    phone_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opt_out_source: Mapped[str | None] = mapped_column(String(100))
    marketing_opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
