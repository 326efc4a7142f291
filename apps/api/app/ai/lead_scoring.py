"""Rule-based lead scoring (the offline `local` scorer).

Score 0–100 from four parts — engagement (40), profile (15), behaviour (30), timing (15) — all
computed from stored messages with grouped queries, so the periodic job can rescore every
active contact of a workspace without a query per contact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.contacts.models import Contact
from app.core.db import utcnow
from app.core.enums import Direction, LeadTier, MessageStatus
from app.messaging.models import Message

LOOKBACK_DAYS = 30
HOT, WARM = 70, 40
POSITIVE_INTENTS = {"interested", "question", "pricing", "meeting_request", "purchase", "positive"}


@dataclass
class Activity:
    outbound: int = 0
    read: int = 0
    inbound: int = 0
    positive: int = 0
    chars: int = 0
    last_inbound_at: datetime | None = None


@dataclass
class LeadScore:
    total_score: int
    quality_tier: str
    breakdown: dict[str, int] = field(default_factory=dict)


def tier_for(score: int) -> str:
    if score >= HOT:
        return LeadTier.HOT
    return LeadTier.WARM if score >= WARM else LeadTier.COLD


def score(contact: Contact, activity: Activity, *, now: datetime) -> LeadScore:
    if contact.opted_out_at is not None:
        return LeadScore(
            0, LeadTier.COLD, {"engagement": 0, "profile": 0, "behavior": 0, "timing": 0}
        )
    read_rate = activity.read / activity.outbound if activity.outbound else 0.0
    engagement = min(activity.inbound, 5) * 6 + round(read_rate * 10)
    profile = (5 if contact.name else 0) + (5 if contact.email else 0)
    profile += 5 if len(contact.attributes or {}) >= 2 else 0
    avg_len = activity.chars / activity.inbound if activity.inbound else 0
    behavior = min(activity.positive, 3) * 6 + (12 if avg_len >= 20 else 6 if avg_len else 0)
    timing = 0
    last = activity.last_inbound_at or contact.last_inbound_at
    if last is not None:
        age = now - last
        timing = (
            15
            if age < timedelta(days=1)
            else 10
            if age < timedelta(days=3)
            else (5 if age < timedelta(days=7) else 0)
        )
    parts = {
        "engagement": min(engagement, 40),
        "profile": min(profile, 15),
        "behavior": min(behavior, 30),
        "timing": timing,
    }
    total = sum(parts.values())
    return LeadScore(total, tier_for(total), parts)


def activity_by_contact(
    *, db: Session, workspace_id: int, since: datetime, contact_id: int | None = None
) -> dict[int, Activity]:
    m = Message
    out = m.direction == Direction.OUTBOUND
    inn = m.direction == Direction.INBOUND
    stmt = (
        select(
            m.contact_id,
            func.count().filter(out),
            func.count().filter(out, m.status == MessageStatus.READ),
            func.count().filter(inn),
            func.count().filter(inn, m.intent.in_(POSITIVE_INTENTS)),
            func.coalesce(func.sum(func.length(m.body)).filter(inn), 0),
            func.max(m.received_at).filter(inn),
        )
        .where(m.workspace_id == workspace_id, m.created_at >= since)
        .group_by(m.contact_id)
    )
    if contact_id is not None:
        stmt = stmt.where(m.contact_id == contact_id)
    return {row[0]: Activity(*row[1:]) for row in db.execute(stmt)}


def rescore_workspace(*, db: Session, workspace_id: int) -> int:
    """Rescore contacts with recent activity or an existing score; returns how many changed."""
    now = utcnow()
    activity = activity_by_contact(
        db=db, workspace_id=workspace_id, since=now - timedelta(days=LOOKBACK_DAYS)
    )
    stmt = select(Contact).where(
        Contact.workspace_id == workspace_id,
        (Contact.id.in_(list(activity)) if activity else False) | Contact.lead_score.is_not(None),
    )
    changes = []
    for contact in db.scalars(stmt):
        result = score(contact, activity.get(contact.id, Activity()), now=now)
        if result.total_score != contact.lead_score or result.quality_tier != contact.lead_tier:
            changes.append(
                {
                    "id": contact.id,
                    "lead_score": result.total_score,
                    "lead_tier": result.quality_tier,
                    "lead_scored_at": now,
                }
            )
    if changes:
        db.execute(update(Contact), changes)  # ORM bulk UPDATE by primary key
    return len(changes)
