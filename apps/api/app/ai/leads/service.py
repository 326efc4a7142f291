"""Lead scores stored on contacts: one on demand, or a whole workspace in batches.

History comes from `messages` for a batch of contacts at a time (one query per batch, not per
contact); the scoring itself is `scoring.score`, pure and explainable.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import Session

from app.ai.leads.scoring import LOOKBACK_DAYS, Event, LeadScore, Profile, score
from app.contacts.models import Contact
from app.core.db import utcnow
from app.core.enums import LeadTier
from app.core.errors import NotFound
from app.messaging.models import Message


def _profile(contact: Contact) -> Profile:
    return Profile(
        name=contact.name,
        email=contact.email,
        attributes=len(contact.attributes or {}),
        tags=len(contact.tags or []),
        opted_out=contact.opted_out_at is not None,
        last_inbound_at=contact.last_inbound_at,
    )


def _history(
    *, db: Session, workspace_id: int, contact_ids: list[int], since: datetime
) -> dict[int, list[Event]]:
    m = Message
    stamp = func.coalesce(m.received_at, m.sent_at)
    rows = db.execute(
        select(
            m.contact_id,
            m.direction,
            stamp,
            m.intent,
            func.coalesce(func.length(m.body), 0),
            m.read_at.is_not(None),
        ).where(
            m.workspace_id == workspace_id,
            m.contact_id.in_(contact_ids),
            stamp >= since,
        )
    )
    history: dict[int, list[Event]] = defaultdict(list)
    for contact_id, direction, at, intent, length, read in rows:
        history[contact_id].append(
            Event(direction, at, intent, int(length or 0), bool(read and direction == "outbound"))
        )
    return history


def score_contact(
    *, db: Session, workspace_id: int, contact_id: int, now: datetime | None = None
) -> LeadScore:
    """Score one contact now and store it on the contact (flush)."""
    now = now or utcnow()
    contact = db.get(Contact, contact_id)
    if contact is None or contact.workspace_id != workspace_id:
        raise NotFound("Contact", contact_id)
    since = now - timedelta(days=LOOKBACK_DAYS)
    events = _history(db=db, workspace_id=workspace_id, contact_ids=[contact.id], since=since)
    result = score(_profile(contact), events.get(contact.id, []), now=now)
    contact.lead_hot_since = hot_since(contact, result.quality_tier, now)
    contact.lead_score, contact.lead_tier, contact.lead_scored_at = (
        result.total_score,
        result.quality_tier,
        now,
    )
    db.flush()
    return result


def hot_since(contact: Contact, tier: str, now: datetime) -> datetime | None:
    """Kept while the contact stays hot, set when it becomes hot, cleared when it cools."""
    if tier != LeadTier.HOT:
        return None
    return contact.lead_hot_since if contact.lead_tier == LeadTier.HOT else now


def rescore_workspace(
    *, db: Session, workspace_id: int, now: datetime | None = None, batch: int = 500
) -> int:
    """Rescore contacts with activity in the lookback or a stored score (which may have to
    decay); `batch` contacts per round trip. Returns how many scores changed."""
    now = now or utcnow()
    since = now - timedelta(days=LOOKBACK_DAYS)
    active = exists().where(
        Message.contact_id == Contact.id,
        Message.workspace_id == workspace_id,
        Message.created_at >= since,
    )
    changed, last_id = 0, 0
    while True:
        contacts = list(
            db.scalars(
                select(Contact)
                .where(
                    Contact.workspace_id == workspace_id,
                    Contact.id > last_id,
                    or_(active, Contact.lead_score.is_not(None)),
                )
                .order_by(Contact.id)
                .limit(batch)
            )
        )
        if not contacts:
            return changed
        last_id = contacts[-1].id
        history = _history(
            db=db, workspace_id=workspace_id, contact_ids=[c.id for c in contacts], since=since
        )
        rows = []
        for contact in contacts:
            result = score(_profile(contact), history.get(contact.id, []), now=now)
            if (result.total_score, result.quality_tier) != (contact.lead_score, contact.lead_tier):
                rows.append(
                    {
                        "id": contact.id,
                        "lead_score": result.total_score,
                        "lead_tier": result.quality_tier,
                        "lead_scored_at": now,
                        "lead_hot_since": hot_since(contact, result.quality_tier, now),
                    }
                )
        if rows:
            db.execute(update(Contact), rows)  # ORM bulk UPDATE by primary key
            changed += len(rows)


def hot_leads(*, db: Session, workspace_id: int, threshold: int, limit: int) -> list[Contact]:
    return list(
        db.scalars(
            select(Contact)
            .where(
                Contact.workspace_id == workspace_id,
                Contact.lead_score >= threshold,
                Contact.opted_out_at.is_(None),
            )
            .order_by(Contact.lead_score.desc(), Contact.id)
            .limit(limit)
        )
    )
