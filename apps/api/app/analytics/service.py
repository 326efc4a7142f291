"""Read side of the figures: dashboard, one campaign, the timeline, live progress, hot leads.

Everything but live progress is read from the rollups (`analytics_counters`, kept by
app.analytics.rollup with the rules of app.analytics.definitions), so the cost does not grow
with the messages table. Days are the workspace's days (its `timezone`); rates are percentages
with their denominator named in docs/analytics.md.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, cast, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from app.analytics.definitions import PENDING, SLOT_SECONDS, slot_of
from app.analytics.models import AnalyticsCounter
from app.analytics.rollup import as_of
from app.campaigns.models import Campaign
from app.contacts.models import Contact
from app.core.db import utcnow
from app.core.enums import CampaignStatus, Direction, MessageStatus
from app.core.errors import NotFound
from app.messaging.models import Message
from app.workspaces.models import Workspace

C = AnalyticsCounter
# Weights of the engagement score: replies matter most, then reads, then deliveries.
ENGAGEMENT_WEIGHTS = {"delivery_rate": 0.2, "read_rate": 0.3, "response_rate": 0.5}
TIMELINE_MEASURES = ("sent", "delivered", "read", "replied", "failed", "skipped", "received")
LIVE = (CampaignStatus.RUNNING, CampaignStatus.PAUSED)


def pct(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 2) if whole else 0.0


def zone_of(*, db: Session, workspace_id: int) -> ZoneInfo:
    name = db.scalar(select(Workspace.timezone).where(Workspace.id == workspace_id))
    return ZoneInfo(name or "UTC")


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def day_slots(day: date, tz: ZoneInfo) -> tuple[int, int]:
    """[first, end) quarter-hour slots of a local day (23, 24 or 25 hours long)."""
    return slot_of(local_midnight(day, tz)), slot_of(local_midnight(day + timedelta(days=1), tz))


RANKING_MEASURES = ("outbound", "attempted", "sent", "delivered", "read", "replied")


def totals(
    *,
    db: Session,
    workspace_id: int,
    scope: str,
    keys: list[str] | None = None,
    measures: tuple[str, ...] | None = None,
) -> dict[str, Counter[str]]:
    """Slot-0 counters of a scope, per key (only `measures` when given)."""
    return scoped_totals(
        db=db, workspace_id=workspace_id, scopes=(scope,), keys=keys, measures=measures
    ).get(scope, {})


def scoped_totals(
    *,
    db: Session,
    workspace_id: int,
    scopes: tuple[str, ...],
    keys: list[str] | None = None,
    measures: tuple[str, ...] | None = None,
) -> dict[str, dict[str, Counter[str]]]:
    """Slot-0 counters of several scopes in one query: scope → key → measure → value."""
    stmt = select(C.scope, C.key, C.measure, C.value).where(
        C.workspace_id == workspace_id, C.scope.in_(scopes), C.slot == 0
    )
    if keys is not None:
        stmt = stmt.where(C.key.in_(keys))
    if measures is not None:
        stmt = stmt.where(C.measure.in_(measures))
    out: dict[str, dict[str, Counter[str]]] = {}
    for scope, key, measure, value in db.execute(stmt):
        out.setdefault(scope, {}).setdefault(key, Counter())[measure] += value
    return out


def slot_sum(
    *, db: Session, workspace_id: int, first: int, end: int, measures: tuple[str, ...]
) -> Counter[str]:
    stmt = (
        select(C.measure, func.sum(C.value))
        .where(
            C.workspace_id == workspace_id,
            C.scope == "slot",
            C.key == "",
            C.slot >= first,
            C.slot < end,
            C.measure.in_(measures),
        )
        .group_by(C.measure)
    )
    return Counter({m: int(v or 0) for m, v in db.execute(stmt)})


@lru_cache(maxsize=256)
def local_buckets(first: int, end: int, tz: ZoneInfo, part: str) -> tuple[list[int], list[Any]]:
    """Boundaries (first slot of each local day or hour in [first, end)) and their labels:
    ISO date for "date", hour for "hour", (ISO weekday, hour) for "hour_dow". Cached: the
    same window is asked for again and again until the next quarter-hour."""
    bounds: list[int] = []
    labels: list[Any] = []
    previous = None
    for slot in range(first, end):
        at = datetime.fromtimestamp(slot * SLOT_SECONDS, tz)
        key = (
            at.date().isoformat()
            if part == "date"
            else (at.date(), at.hour)
            if part == "hour"
            else (at.date(), at.isoweekday(), at.hour)
        )
        if key != previous:
            bounds.append(slot)
            labels.append(key if part == "date" else key[1] if part == "hour" else key[1:])
            previous = key
    return bounds, labels


def by_local(
    *,
    db: Session,
    workspace_id: int,
    first: int,
    end: int,
    measures: tuple[str, ...],
    tz: ZoneInfo,
    part: str,
) -> dict[Any, Counter[str]]:
    """Slot counters grouped by a local-time part: "date" (ISO day), "hour" (0-23) or
    "hour_dow" ((ISO weekday 1-7, hour)). The local boundaries are computed here (exact in
    every zone, DST included); PostgreSQL buckets the slots with width_bucket."""
    bounds, labels = local_buckets(first, end, tz, part)
    where = (
        C.workspace_id == workspace_id,
        C.scope == "slot",
        C.key == "",
        C.measure.in_(measures),
        C.slot >= first,
        C.slot < end,
    )
    out: dict[Any, Counter[str]] = {}
    if not bounds:
        return out
    if db.get_bind().dialect.name == "postgresql":
        bucket = func.width_bucket(C.slot, cast(bounds, ARRAY(BigInteger)))
        stmt = select(bucket, C.measure, func.sum(C.value)).where(*where)
        for idx, measure, value in db.execute(stmt.group_by(bucket, C.measure)):
            out.setdefault(labels[idx - 1], Counter())[measure] += int(value or 0)
        return out
    from bisect import bisect_right

    for slot, measure, value in db.execute(select(C.slot, C.measure, C.value).where(*where)):
        label = labels[bisect_right(bounds, slot) - 1]
        out.setdefault(label, Counter())[measure] += value
    return out


def figures(c: Counter[str]) -> dict[str, Any]:
    """Seed-shaped figures of one scope's counters, plus the honest extras."""
    attempted, delivered, read, replied = (
        c["attempted"],
        c["delivered"],
        c["read"],
        c["replied"],
    )
    rates = {
        "response_rate": pct(replied, attempted),
        "delivery_rate": pct(delivered, attempted),
        "read_rate": pct(read, attempted),
    }
    engagement = sum(rates[k] * w for k, w in ENGAGEMENT_WEIGHTS.items())
    return {
        "total_messages": attempted,
        "delivered_count": delivered,
        "read_count": read,
        "replied_count": replied,
        "failed_count": c["failed"],
        "skipped_count": c["skipped"],
        "pending_count": c["pending"],
        **rates,
        "engagement_score": round(engagement, 2),
        "recipients": c["outbound"],
        "sent_count": c["sent"],
        "unknown_count": c["unknown"],
        "cancelled_count": c["cancelled"],
        "reach_rate": pct(delivered, c["outbound"]),
    }


def by_prefix(c: Counter[str], prefix: str) -> dict[str, int]:
    items = [(m[len(prefix) :], v) for m, v in c.items() if m.startswith(prefix) and v]
    return dict(sorted(items, key=lambda kv: (-kv[1], kv[0])))


def reply_times(c: Counter[str]) -> dict[str, Any]:
    """Percentiles of send → reply from the histogram: "p50_within_seconds": 900 means half
    the replies came within 15 minutes (None: beyond the last bucket, 7 days)."""
    from app.analytics.definitions import REPLY_MEASURES

    counts = [c[m] for m in REPLY_MEASURES]
    total = sum(counts)
    out: dict[str, Any] = {"replies_timed": total}
    for p in (50, 90, 95):
        out[f"p{p}_within_seconds"] = _within(counts, total, p) if total else None
    return out


def _within(counts: list[int], total: int, p: int) -> int | None:
    from app.analytics.definitions import REPLY_BUCKETS

    need, seen = total * p / 100.0, 0
    for bound, n in zip((*REPLY_BUCKETS, None), counts, strict=True):
        seen += n
        if seen >= need:
            return bound
    return None


def funnel(f: dict[str, Any]) -> list[dict[str, Any]]:
    stages = [
        ("recipients", f["recipients"]),
        ("attempted", f["total_messages"]),
        ("sent", f["sent_count"]),
        ("delivered", f["delivered_count"]),
        ("read", f["read_count"]),
        ("replied", f["replied_count"]),
    ]
    out, previous = [], None
    for name, count in stages:
        out.append(
            {
                "stage": name,
                "count": count,
                "pct_of_recipients": pct(count, f["recipients"]),
                "pct_of_previous": pct(count, previous) if previous is not None else 100.0,
            }
        )
        previous = count
    return out


def live_progress(*, db: Session, campaign_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Progress straight from the messages table (the rollups lag by up to one refresh):
    done = every row no longer queued or sending."""
    out = {
        cid: {"total": 0, "pending": 0, "done": 0, "sent": 0, "percent": 0.0}
        for cid in campaign_ids
    }
    if not campaign_ids:
        return out
    stmt = (
        select(Message.campaign_id, Message.status, func.count())
        .where(Message.campaign_id.in_(campaign_ids), Message.direction == Direction.OUTBOUND)
        .group_by(Message.campaign_id, Message.status)
    )
    for cid, status, n in db.execute(stmt):
        p = out[cid]
        p["total"] += n
        if status in PENDING:
            p["pending"] += n
        else:
            p["done"] += n
        if status in (MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ):
            p["sent"] += n
    for p in out.values():
        p["percent"] = pct(p["done"], p["total"])
    return out


def settled_progress(f: dict[str, Any]) -> dict[str, Any]:
    """Progress of a campaign that is not running, from its rollup (nothing moves there)."""
    total, pending = f["recipients"], f["pending_count"]
    return {
        "total": total,
        "pending": pending,
        "done": total - pending,
        "sent": f["sent_count"],
        "percent": pct(total - pending, total),
    }


def _campaign(db: Session, workspace_id: int, campaign_id: int) -> Campaign:
    campaign = db.get(Campaign, campaign_id)
    if campaign is None or campaign.workspace_id != workspace_id:
        raise NotFound("Campaign", campaign_id)
    return campaign


def campaign_analytics(*, db: Session, workspace_id: int, campaign_id: int) -> dict[str, Any]:
    campaign = _campaign(db, workspace_id, campaign_id)
    c = totals(db=db, workspace_id=workspace_id, scope="campaign", keys=[str(campaign_id)])
    counts = c.get(str(campaign_id), Counter())
    f = figures(counts)
    return {
        "campaign_id": campaign.id,
        "campaign_name": campaign.name,
        "status": campaign.status,
        "analytics": f,
        "funnel": funnel(f),
        "skipped_by_reason": by_prefix(counts, "skipped:"),
        "failed_by_code": by_prefix(counts, "failed:"),
        "time_to_first_reply": reply_times(counts),
        "replies_received": counts["received"],
        "progress": (
            live_progress(db=db, campaign_ids=[campaign.id])[campaign.id]
            if campaign.status in LIVE
            else settled_progress(f)
        ),
        "as_of": as_of(db=db),
    }


def campaign_table(*, db: Session, workspace_id: int, limit: int = 50) -> list[dict[str, Any]]:
    """Newest campaigns with status, live progress and rates (the dashboard's table)."""
    campaigns = list(
        db.scalars(
            select(Campaign)
            .where(Campaign.workspace_id == workspace_id)
            .order_by(Campaign.id.desc())
            .limit(limit)
        )
    )
    ids = [c.id for c in campaigns]
    counts = totals(db=db, workspace_id=workspace_id, scope="campaign", keys=[str(i) for i in ids])
    live_ids = [c.id for c in campaigns if c.status in LIVE]
    progress = live_progress(db=db, campaign_ids=live_ids)
    rows = []
    for c in campaigns:
        f = figures(counts.get(str(c.id), Counter()))
        rows.append(
            {
                "campaign_id": c.id,
                "campaign_name": c.name,
                "type": c.type,
                "status": c.status,
                "recipients": f["recipients"],
                "analytics": f,
                "progress": progress.get(c.id),
            }
        )
    return rows


def dashboard(*, db: Session, workspace_id: int, now: datetime | None = None) -> dict[str, Any]:
    now = now or utcnow()
    tz = zone_of(db=db, workspace_id=workspace_id)
    total = totals(db=db, workspace_id=workspace_id, scope="total", keys=[""]).get("", Counter())
    in_campaigns = totals(db=db, workspace_id=workspace_id, scope="campaigns", keys=[""]).get(
        "", Counter()
    )
    today = now.astimezone(tz).date()
    today_first, end = day_slots(today, tz)
    week_first, _ = day_slots(today - timedelta(days=6), tz)
    today_c = slot_sum(
        db=db, workspace_id=workspace_id, first=today_first, end=end, measures=("sent", "received")
    )
    week_c = slot_sum(
        db=db, workspace_id=workspace_id, first=week_first, end=end, measures=("sent",)
    )
    campaigns = db.execute(
        select(func.count(), func.count().filter(Campaign.status == CampaignStatus.RUNNING)).where(
            Campaign.workspace_id == workspace_id
        )
    ).one()
    f = figures(total)
    return {
        "total_messages_sent": total["sent"],
        "total_messages_received": total["received"],
        "total_contacts": total["contacts"],  # counted by the refresh (as_of)
        "total_campaigns": campaigns[0],
        "active_campaigns": campaigns[1],
        "avg_response_rate": pct(in_campaigns["replied"], in_campaigns["attempted"]),
        "today_messages": today_c["sent"],
        "this_week_messages": week_c["sent"],
        "today_received": today_c["received"],
        "attempted": f["total_messages"],
        "delivered": f["delivered_count"],
        "read": f["read_count"],
        "replied": f["replied_count"],
        "failed": f["failed_count"],
        "skipped": f["skipped_count"],
        "pending": f["pending_count"],
        "unknown": f["unknown_count"],
        "recipients": f["recipients"],
        "auto_answered": total["auto_answered"],
        "auto_messages_sent": total["auto_answered"],
        "needs_review": total["needs_review"],
        "delivery_rate": f["delivery_rate"],
        "reach_rate": f["reach_rate"],
        "read_rate": f["read_rate"],
        "response_rate": f["response_rate"],
        "skipped_by_reason": by_prefix(total, "skipped:"),
        "failed_by_code": by_prefix(total, "failed:"),
        "timezone": tz.key,
        "as_of": as_of(db=db),
    }


def _today_and_week(
    db: Session, workspace_id: int, today_first: int, week_first: int, end: int
) -> tuple[Counter[str], Counter[str]]:
    stmt = (
        select(
            C.measure,
            func.sum(C.value).filter(C.slot >= today_first),
            func.sum(C.value),
        )
        .where(
            C.workspace_id == workspace_id,
            C.scope == "slot",
            C.key == "",
            C.slot >= week_first,
            C.slot < end,
            C.measure.in_(("sent", "received")),
        )
        .group_by(C.measure)
    )
    today, week = Counter(), Counter()
    for measure, t, w in db.execute(stmt):
        today[measure], week[measure] = int(t or 0), int(w or 0)
    return today, week


def timeline(
    *, db: Session, workspace_id: int, days: int, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Per local day (oldest first, empty days as zeros) of the workspace's time zone."""
    now = now or utcnow()
    tz = zone_of(db=db, workspace_id=workspace_id)
    last = now.astimezone(tz).date()
    first_day = last - timedelta(days=days - 1)
    first, _ = day_slots(first_day, tz)
    _, end = day_slots(last, tz)
    grouped = by_local(
        db=db,
        workspace_id=workspace_id,
        first=first,
        end=end,
        measures=TIMELINE_MEASURES,
        tz=tz,
        part="date",
    )
    series = []
    for i in range(days):
        d = (first_day + timedelta(days=i)).isoformat()
        c = grouped.get(d, Counter())
        series.append({"date": d, **{m: c[m] for m in TIMELINE_MEASURES}})
    return series


def hot_leads(*, db: Session, workspace_id: int, limit: int = 10) -> list[dict[str, Any]]:
    """Contacts with the highest lead score (update_lead_scores keeps them current)."""
    rows = db.execute(
        select(
            Contact.id,
            Contact.name,
            Contact.phone,
            Contact.lead_score,
            Contact.lead_tier,
            Contact.last_inbound_at,
        )
        .where(
            Contact.workspace_id == workspace_id,
            Contact.lead_score.is_not(None),
            Contact.opted_out_at.is_(None),
        )
        .order_by(Contact.lead_score.desc(), Contact.id)
        .limit(limit)
    )
    return [
        {
            "contact_id": r.id,
            "name": r.name,
            "phone": r.phone,
            "lead_score": r.lead_score,
            "lead_tier": r.lead_tier,
            "last_inbound_at": r.last_inbound_at,
        }
        for r in rows
    ]


def live_campaign_ids(*, db: Session, workspace_id: int) -> list[int]:
    return list(
        db.scalars(
            select(Campaign.id).where(
                Campaign.workspace_id == workspace_id, Campaign.status.in_(LIVE)
            )
        )
    )
