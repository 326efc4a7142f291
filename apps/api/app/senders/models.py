from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, IdMixin, IdType, TimestampMixin
from app.core.enums import SenderStatus
from app.core.types import UTCDateTime


class SenderNumber(IdMixin, TimestampMixin, Base):
    """A WhatsApp Business phone number we send from (the seed's `phone_number_id`)."""

    __tablename__ = "sender_numbers"

    workspace_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("workspaces.id", ondelete="CASCADE"), index=True, nullable=False
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    display_phone: Mapped[str | None] = mapped_column(String(20))
    # Cloud API id; globally unique because webhooks are routed by it.
    phone_number_id: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    waba_id: Mapped[str | None] = mapped_column(String(64))
    provider: Mapped[str] = mapped_column(String(20), nullable=False, default="sandbox")
    access_token_encrypted: Mapped[str | None] = mapped_column(Text)
    warmup_started_on: Mapped[date | None] = mapped_column(Date)
    quality_rating: Mapped[str] = mapped_column(String(20), nullable=False, default="UNKNOWN")
    messaging_tier: Mapped[str] = mapped_column(String(20), nullable=False, default="TIER_250")
    max_per_hour: Mapped[int | None] = mapped_column(Integer)
    max_per_day: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(
        String(20), nullable=False, default=SenderStatus.ACTIVE, index=True
    )
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Dispatcher lease where PostgreSQL advisory locks are unavailable (SQLite, embedded mode):
    # with a per-message delay only the holder paces the number; it expires if the holder dies.
    dispatch_lease_owner: Mapped[str | None] = mapped_column(String(32))
    dispatch_lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
