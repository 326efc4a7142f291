"""Engagement (when people read and answer), top performers and sender-number health.

Top performers are ranked by the lower bound of the Wilson 95% interval of their response
rate, and only once they have ANALYTICS_MIN_SAMPLE attempted sends: two replies out of two
sends (100%, interval 34–100%) do not beat 120 out of 400 (30%, interval 26–35%).
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.ai.models import RiskAssessment
from app.analytics import local
from app.analytics.definitions import LOCAL_HOUR_MEASURES, REPLY_MEASURES
from app.analytics.service import (
    RANKING_MEASURES,
    by_local,
    day_slots,
    figures,
    pct,
    reply_times,
    scoped_totals,
    slot_sum,
    totals,
    zone_of,
)
from app.campaigns.models import Campaign
from app.core.config import settings
from app.core.db import utcnow
from app.core.enums import CampaignType
from app.senders.models import SenderNumber
from app.templates.models import Template

Z95 = 1.959964
DIMENSIONS = ("campaign", "sender", "template", "step", "variant")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def wilson(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion, in percent (0, 0 for no trials)."""
    if trials <= 0:
        return 0.0, 0.0
    p = successes / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    return round(100 * max(0.0, centre - half), 2), round(100 * min(1.0, centre + half), 2)


def _from_slots(
    db: Session, workspace_id: int, tz: ZoneInfo, first_day: date, last_day: date
) -> tuple[dict[Any, Counter[str]], Counter[str]]:
    """What app.analytics.local keeps, counted from the quarter-hour counters instead: used
    between a time-zone change and the refresh that rebuilds the local rows."""
    first, _ = day_slots(first_day, tz)
    _, end = day_slots(last_day, tz)
    grid = by_local(
        db=db,
        workspace_id=workspace_id,
        first=first,
        end=end,
        measures=LOCAL_HOUR_MEASURES,
        tz=tz,
        part="hour_dow",
    )
    overall = slot_sum(
        db=db, workspace_id=workspace_id, first=first, end=end, measures=REPLY_MEASURES
    )
    return grid, overall


def engagement(
    *, db: Session, workspace_id: int, days: int = 30, now: datetime | None = None
) -> dict[str, Any]:
    """Reply-time percentiles, reads and replies by local hour and weekday, and the sending
    hours whose messages were answered most (by when they were sent), over the last N local
    days: from the local-time rollup, or the quarter-hour counters while it is being rebuilt
    for a new zone (both exact; app.analytics.local)."""
    now = now or utcnow()
    tz = zone_of(db=db, workspace_id=workspace_id)
    last = now.astimezone(tz).date()
    first_day = last - timedelta(days=days - 1)
    counts = local.engagement_counts(
        db=db, workspace_id=workspace_id, zone=tz.key, first_day=first_day, last_day=last
    )
    grid, overall = (
        counts if counts is not None else _from_slots(db, workspace_id, tz, first_day, last)
    )
    by_hour = {h: Counter() for h in range(24)}
    by_dow = {d: Counter() for d in range(1, 8)}
    for (dow, hour), c in grid.items():
        by_hour[hour].update(c)
        by_dow[dow].update(c)
    min_sample = settings.ANALYTICS_MIN_SAMPLE
    hours = []
    for hour in range(24):
        c = by_hour[hour]
        low, high = wilson(c["cohort_replied"], c["sent"])
        hours.append(
            {
                "hour": hour,
                "sent": c["sent"],
                "replied": c["cohort_replied"],
                "response_rate": pct(c["cohort_replied"], c["sent"]),
                "ci_low": low,
                "ci_high": high,
            }
        )
    best = sorted(
        (h for h in hours if h["sent"] >= min_sample), key=lambda h: (-h["ci_low"], h["hour"])
    )
    return {
        "days": days,
        "timezone": tz.key,
        "reply_time": reply_times(overall),
        "replies_by_hour": [by_hour[h]["replied"] for h in range(24)],
        "reads_by_hour": [by_hour[h]["read"] for h in range(24)],
        "replies_by_weekday": {WEEKDAYS[d - 1]: by_dow[d]["replied"] for d in range(1, 8)},
        "reads_by_weekday": {WEEKDAYS[d - 1]: by_dow[d]["read"] for d in range(1, 8)},
        "sending_hours": hours,
        "best_sending_hours": [h["hour"] for h in best[:3]],
        "min_sample": min_sample,
    }


def _labels(db: Session, workspace_id: int, dimension: str, keys: list[str]) -> dict[str, str]:
    ids = [int(k) for k in keys if k.isdigit()]
    if dimension == "campaign":
        rows = db.execute(
            select(Campaign.id, Campaign.name).where(
                Campaign.workspace_id == workspace_id, Campaign.id.in_(ids)
            )
        )
        return {str(i): n for i, n in rows}
    if dimension == "sender":
        rows = db.execute(
            select(SenderNumber.id, SenderNumber.name).where(
                SenderNumber.workspace_id == workspace_id, SenderNumber.id.in_(ids)
            )
        )
        return {str(i): n for i, n in rows}
    if dimension == "template":
        rows = db.execute(
            select(Template.id, Template.name, Template.language).where(
                Template.workspace_id == workspace_id, Template.id.in_(ids)
            )
        )
        return {str(i): f"{n} ({lang})" for i, n, lang in rows}
    if dimension == "step":
        camp_ids = {int(k.split(":")[0]) for k in keys}
        rows = db.execute(
            select(Campaign.id, Campaign.name).where(
                Campaign.workspace_id == workspace_id,
                Campaign.id.in_(camp_ids),
                Campaign.type == CampaignType.DRIP,
            )
        )
        names = {str(i): n for i, n in rows}
        return {
            k: f"{names[k.split(':')[0]]} · step {int(k.split(':')[1]) + 1}"
            for k in keys
            if k.split(":")[0] in names
        }
    return {"rewritten": "AI-rewritten text", "original": "Original text"}


def top_performers(
    *, db: Session, workspace_id: int, limit: int = 10, min_sample: int | None = None
) -> dict[str, Any]:
    """Per dimension: ranked entries (enough data) and the ones still below the sample."""
    need = settings.ANALYTICS_MIN_SAMPLE if min_sample is None else min_sample
    out: dict[str, Any] = {"min_sample": need, "ranked_by": "wilson_lower_bound_95"}
    everything = scoped_totals(
        db=db, workspace_id=workspace_id, scopes=DIMENSIONS, measures=RANKING_MEASURES
    )
    for dimension in DIMENSIONS:
        counts = everything.get(dimension, {})
        labels = _labels(db, workspace_id, dimension, list(counts))
        ranked, small = [], []
        for key, c in counts.items():
            if key not in labels:
                continue  # deleted since, or a broadcast's step
            f = figures(c)
            low, high = wilson(f["replied_count"], f["total_messages"])
            entry = {
                "key": key,
                "label": labels[key],
                "attempted": f["total_messages"],
                "replied": f["replied_count"],
                "response_rate": f["response_rate"],
                "ci_low": low,
                "ci_high": high,
                "delivery_rate": f["delivery_rate"],
                "read_rate": f["read_rate"],
            }
            (ranked if f["total_messages"] >= need else small).append(entry)
        ranked.sort(key=lambda e: (-e["ci_low"], -e["attempted"], e["key"]))
        small.sort(key=lambda e: (-e["attempted"], e["key"]))
        out[dimension] = {"ranked": ranked[:limit], "insufficient_data": small[:limit]}
    return out


def sender_health(*, db: Session, workspace_id: int) -> list[dict[str, Any]]:
    """Each number: status, warm-up progress and cap use (the engine's own accounting),
    quality rating, failure codes, and its latest risk assessments."""
    from app.pacing.service import quota_status

    senders = list(
        db.scalars(
            select(SenderNumber)
            .where(SenderNumber.workspace_id == workspace_id)
            .order_by(SenderNumber.id)
        )
    )
    counts = totals(
        db=db, workspace_id=workspace_id, scope="sender", keys=[str(s.id) for s in senders]
    )
    out = []
    for s in senders:
        q = quota_status(db=db, sender=s)
        c = counts.get(str(s.id), Counter())
        f = figures(c)
        risks = list(
            db.scalars(
                select(RiskAssessment)
                .where(
                    RiskAssessment.workspace_id == workspace_id, RiskAssessment.sender_id == s.id
                )
                .order_by(RiskAssessment.created_at.desc(), RiskAssessment.id.desc())
                .limit(10)
            )
        )
        warm_days = settings.WARMUP_DAYS
        out.append(
            {
                "sender_id": s.id,
                "name": s.name,
                "display_phone": s.display_phone,
                "status": s.status,
                "status_reason": s.status_reason,
                "quality_rating": s.quality_rating,
                "messaging_tier": s.messaging_tier,
                "warmup": {
                    "enabled": settings.WARMUP_ENABLED and q.warmup_day is not None,
                    "day": q.warmup_day,
                    "days": warm_days,
                    "cap": q.warmup_cap,
                    "percent": (
                        round(100.0 * min(q.warmup_day, warm_days) / warm_days, 1)
                        if q.warmup_day is not None and warm_days
                        else 100.0
                    ),
                },
                "caps": {
                    "hourly_cap": q.hourly_cap,
                    "daily_cap": q.daily_cap,
                    "sent_last_hour": q.sent_last_hour,
                    "sent_last_24h": q.sent_last_24h,
                    "sent_today": q.sent_today,
                    "daily_use_percent": pct(q.sent_last_24h, q.daily_cap),
                    "hourly_use_percent": pct(q.sent_last_hour, q.hourly_cap),
                },
                "attempted": f["total_messages"],
                "delivery_rate": f["delivery_rate"],
                "response_rate": f["response_rate"],
                "failed_by_code": {
                    m[len("failed:") :]: v for m, v in c.items() if m.startswith("failed:") and v
                },
                "risk_level": risks[0].risk_level if risks else None,
                "risk_score": risks[0].risk_score if risks else None,
                "risk_history": [
                    {"at": r.created_at, "level": r.risk_level, "score": r.risk_score}
                    for r in risks
                ],
            }
        )
    return out
