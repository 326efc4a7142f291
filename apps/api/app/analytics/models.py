"""Analytics tables: stored daily reports and the rollups every figure is read from.

The rollups are maintained by `update_campaign_analytics` (app.analytics.rollup): each message's
last counted state is kept in `analytics_message_facts`, and a refresh adds to the counters the
difference between a changed message's new contribution and its previous one. A deleted message
(retention cleanup, a deleted contact) keeps what it last contributed, so history never changes.
Engagement's measures are also kept in workspace-local time (`LocalHourCounter`,
`LocalDayCounter`; app.analytics.local), derived from the quarter-hour counters in the
workspace's zone.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, IdMixin, IdType, utcnow
from app.core.types import JSONType, UTCDateTime


class DailyReport(IdMixin, Base):
    __tablename__ = "daily_reports"
    __table_args__ = (UniqueConstraint("workspace_id", "report_date"),)

    workspace_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False
    )
    report_date: Mapped[date] = mapped_column(Date, nullable=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class AnalyticsCounter(Base):
    """One counter cell: (scope, key, quarter-hour slot, measure) → value.

    scope/key: `total`/"" (all outbound+inbound), `campaigns`/"" (campaign messages only),
    `campaign`/id, `sender`/id, `template`/id, `step`/"campaign:step", `variant`/rewritten|original
    (all with slot 0), and `slot`/"" whose slot is the UTC quarter-hour (epoch seconds // 900) the
    event happened in — any time zone's days are whole numbers of quarter-hours.
    """

    __tablename__ = "analytics_counters"

    workspace_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    scope: Mapped[str] = mapped_column(String(12), primary_key=True)
    key: Mapped[str] = mapped_column(String(48), primary_key=True)
    # measure before slot: a series (one measure over a range of slots) is one index range
    measure: Mapped[str] = mapped_column(String(48), primary_key=True)
    slot: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)


class LocalHourCounter(Base):
    """Engagement's by-hour measures (definitions.LOCAL_HOUR_MEASURES) per local day and hour
    of the zone in `LocalZone.zone`: the sum of the `slot` counters whose quarter-hour falls in
    that local hour. A 30-day engagement read is 30 × 24 rows per measure instead of 30 × 96
    slots, and needs no per-request mapping of slots to local hours."""

    __tablename__ = "analytics_local_hours"

    workspace_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    measure: Mapped[str] = mapped_column(String(48), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    hour: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)


class LocalDayCounter(Base):
    """The reply-time histogram (definitions.LOCAL_DAY_MEASURES) per local day, same zone:
    engagement sums it over the window, so hours would only multiply the rows it reads."""

    __tablename__ = "analytics_local_days"

    workspace_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    measure: Mapped[str] = mapped_column(String(48), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)


class LocalZone(Base):
    """The zone a workspace's `LocalHourCounter` and `LocalDayCounter` rows are in. When it
    differs from the workspace's `timezone` (the zone was changed) readers use the quarter-hour
    counters and the next refresh rebuilds the local rows from them."""

    __tablename__ = "analytics_local_zones"

    workspace_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    zone: Mapped[str] = mapped_column(String(64), nullable=False)


class MessageFact(Base):
    """The state of a message as the rollups last counted it (`definitions.Fact`: times as UTC
    quarter-hour slots). No foreign key on purpose: when the message is deleted its fact stays
    until pruned, and its counts stay in the rollups."""

    __tablename__ = "analytics_message_facts"

    message_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    workspace_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    created: Mapped[int] = mapped_column(BigInteger, nullable=False)
    inbound: Mapped[bool] = mapped_column(Boolean, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    reason: Mapped[str | None] = mapped_column(String(64))
    campaign_id: Mapped[int | None] = mapped_column(BigInteger)
    step_index: Mapped[int | None] = mapped_column(Integer)
    drip: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    sender_id: Mapped[int | None] = mapped_column(BigInteger)
    template_id: Mapped[int | None] = mapped_column(BigInteger)
    rewritten: Mapped[bool | None] = mapped_column(Boolean)
    auto_reply: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    needs_review: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    sent: Mapped[int | None] = mapped_column(BigInteger)
    delivered: Mapped[int | None] = mapped_column(BigInteger)
    read: Mapped[int | None] = mapped_column(BigInteger)
    failed: Mapped[int | None] = mapped_column(BigInteger)
    replied: Mapped[int | None] = mapped_column(BigInteger)
    received: Mapped[int | None] = mapped_column(BigInteger)
    reply_bucket: Mapped[int | None] = mapped_column(Integer)


class AnalyticsState(Base):
    """One row: how far the rollups have read the messages table."""

    __tablename__ = "analytics_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    watermark: Mapped[datetime | None] = mapped_column(UTCDateTime())
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_changed: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_seconds: Mapped[float | None] = mapped_column()
