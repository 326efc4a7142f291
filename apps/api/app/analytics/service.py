"""Read-side figures for dashboards, campaign reports and daily reports.

Everything is computed from the messages table (the source of truth) with grouped queries;
`update_campaign_analytics` caches per-campaign figures on `campaigns.stats` for cheap listing.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.campaigns.models import Campaign
from app.contacts.models import Contact
from app.core.db import utcnow
from app.core.enums import CampaignStatus, Direction, MessageStatus
from app.core.errors import NotFound
from app.messaging.models import Message

ATTEMPTED = (
    MessageStatus.SENT,
    MessageStatus.DELIVERED,
    MessageStatus.READ,
    MessageStatus.FAILED,
    MessageStatus.UNKNOWN,
)
OUT_SENT = (MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ)
# Outbound rows the product sent on its own (app.replies): counted apart as automatic.
AUTO_ORIGINS = ("auto_response", "optout_confirmation")
# Weights of the engagement score: replies matter most, then reads, then deliveries.
ENGAGEMENT_WEIGHTS = {"delivery_rate": 0.2, "read_rate": 0.3, "response_rate": 0.5}


def _pct(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 2) if whole else 0.0


def campaign_figures(*, db: Session, campaign_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Seed-shaped analytics for each campaign, in one grouped query."""
    status = Message.status
    stmt = (
        select(
            Message.campaign_id,
            func.count().filter(status.in_(ATTEMPTED)),
            func.count().filter(status.in_((MessageStatus.DELIVERED, MessageStatus.READ))),
            func.count().filter(status == MessageStatus.READ),
            func.count().filter(Message.replied_at.is_not(None)),
            func.count().filter(status == MessageStatus.FAILED),
            func.count().filter(status == MessageStatus.SKIPPED),
            func.count().filter(status.in_((MessageStatus.QUEUED, MessageStatus.SENDING))),
        )
        .where(Message.campaign_id.in_(campaign_ids), Message.direction == Direction.OUTBOUND)
        .group_by(Message.campaign_id)
    )
    out = {cid: _figures(0, 0, 0, 0, 0, 0, 0) for cid in campaign_ids}
    for cid, total, delivered, read, replied, failed, skipped, pending in db.execute(stmt):
        out[cid] = _figures(total, delivered, read, replied, failed, skipped, pending)
    return out


def _figures(
    total: int, delivered: int, read: int, replied: int, failed: int, skipped: int, pending: int
) -> dict[str, Any]:
    rates = {
        "response_rate": _pct(replied, total),
        "delivery_rate": _pct(delivered, total),
        "read_rate": _pct(read, total),
    }
    engagement = sum(rates[k] * w for k, w in ENGAGEMENT_WEIGHTS.items())
    return {
        "total_messages": total,
        "delivered_count": delivered,
        "read_count": read,
        "replied_count": replied,
        "failed_count": failed,
        "skipped_count": skipped,
        "pending_count": pending,
        **rates,
        "engagement_score": round(engagement, 2),
    }


def campaign_analytics(*, db: Session, workspace_id: int, campaign_id: int) -> dict[str, Any]:
    campaign = db.get(Campaign, campaign_id)
    if campaign is None or campaign.workspace_id != workspace_id:
        raise NotFound("Campaign", campaign_id)
    figures = campaign_figures(db=db, campaign_ids=[campaign_id])[campaign_id]
    return {
        "campaign_id": campaign.id,
        "campaign_name": campaign.name,
        "status": campaign.status,
        "analytics": figures,
    }


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=utcnow().tzinfo)


def _utc_date(db: Session, column: Any) -> Any:
    """The UTC calendar day of a timestamp, whatever the server's session time zone."""
    if db.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("UTC", column))
    return func.date(column)


def dashboard(*, db: Session, workspace_id: int) -> dict[str, Any]:
    now = utcnow()
    today = _day_start(now.date())
    week = today - timedelta(days=6)
    m = Message
    row = db.execute(
        select(
            func.count().filter(m.direction == Direction.OUTBOUND, m.status.in_(OUT_SENT)),
            func.count().filter(m.direction == Direction.INBOUND),
            func.count().filter(m.created_at >= today),
            func.count().filter(m.created_at >= week),
            func.count().filter(m.status.in_(OUT_SENT), m.origin.in_(AUTO_ORIGINS)),
        ).where(m.workspace_id == workspace_id)
    ).one()
    campaigns = db.execute(
        select(
            func.count(),
            func.count().filter(Campaign.status == CampaignStatus.RUNNING),
        ).where(Campaign.workspace_id == workspace_id)
    ).one()
    contacts = db.scalar(select(func.count()).where(Contact.workspace_id == workspace_id))
    ids = list(db.scalars(select(Campaign.id).where(Campaign.workspace_id == workspace_id)))
    figures = campaign_figures(db=db, campaign_ids=ids).values() if ids else []
    rated = [f["response_rate"] for f in figures if f["total_messages"]]
    return {
        "total_messages_sent": row[0],
        "total_messages_received": row[1],
        "total_contacts": contacts or 0,
        "total_campaigns": campaigns[0],
        "active_campaigns": campaigns[1],
        "avg_response_rate": round(sum(rated) / len(rated), 2) if rated else 0.0,
        "today_messages": row[2],
        "this_week_messages": row[3],
        "auto_messages_sent": row[4],
    }


def timeline(*, db: Session, workspace_id: int, days: int) -> list[dict[str, Any]]:
    """Per-day counts (UTC days), oldest first, including days with no traffic."""
    start = _day_start(utcnow().date() - timedelta(days=days - 1))
    day = _utc_date(db, Message.created_at)
    out_ = Message.direction == Direction.OUTBOUND
    stmt = (
        select(
            day,
            func.count().filter(out_, Message.status.in_(ATTEMPTED)),
            func.count().filter(
                out_, Message.status.in_((MessageStatus.DELIVERED, MessageStatus.READ))
            ),
            func.count().filter(out_, Message.status == MessageStatus.READ),
            func.count().filter(out_, Message.status == MessageStatus.FAILED),
            func.count().filter(Message.direction == Direction.INBOUND),
        )
        .where(Message.workspace_id == workspace_id, Message.created_at >= start)
        .group_by(day)
    )
    by_day = {str(r[0]): r[1:] for r in db.execute(stmt)}
    series = []
    for i in range(days):
        d = (start + timedelta(days=i)).date().isoformat()
        sent, delivered, read, failed, received = by_day.get(d, (0, 0, 0, 0, 0))
        series.append(
            {
                "date": d,
                "sent": sent,
                "delivered": delivered,
                "read": read,
                "failed": failed,
                "received": received,
            }
        )
    return series


def day_report(*, db: Session, workspace_id: int, day: date) -> dict[str, Any]:
    start, end = _day_start(day), _day_start(day + timedelta(days=1))
    m = Message
    window = (m.workspace_id == workspace_id, m.created_at >= start, m.created_at < end)
    row = db.execute(
        select(
            func.count().filter(m.direction == Direction.OUTBOUND, m.status.in_(ATTEMPTED)),
            func.count().filter(m.status.in_((MessageStatus.DELIVERED, MessageStatus.READ))),
            func.count().filter(m.status == MessageStatus.READ),
            func.count().filter(m.status == MessageStatus.FAILED),
            func.count().filter(m.status == MessageStatus.SKIPPED),
            func.count().filter(m.direction == Direction.INBOUND),
        ).where(*window)
    ).one()
    opted_out = db.scalar(
        select(func.count()).where(
            Contact.workspace_id == workspace_id,
            Contact.opted_out_at >= start,
            Contact.opted_out_at < end,
        )
    )
    sent = row[0]
    return {
        "date": day.isoformat(),
        "messages_sent": sent,
        "delivered": row[1],
        "read": row[2],
        "failed": row[3],
        "skipped": row[4],
        "messages_received": row[5],
        "opt_outs": opted_out or 0,
        "delivery_rate": _pct(row[1], sent),
        "read_rate": _pct(row[2], sent),
    }
