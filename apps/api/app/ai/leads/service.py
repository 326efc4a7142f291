# PLACEHOLDER (owner: h9a) — the contract's incremental scorer over the existing rule-based
# scorer (app.ai.lead_scoring), so a reply/read/opt-out can move one contact's score at once.
"""Lead scores: one contact now (`score_contact`), or a whole workspace (periodic job)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from app.ai import lead_scoring
from app.ai.lead_scoring import LeadScore
from app.contacts.models import Contact
from app.core.db import utcnow


def score_contact(
    *, db: Session, workspace_id: int, contact_id: int, now: datetime | None = None
) -> LeadScore | None:
    now = now or utcnow()
    contact = db.get(Contact, contact_id)
    if contact is None or contact.workspace_id != workspace_id:
        return None
    since = now - timedelta(days=lead_scoring.LOOKBACK_DAYS)
    activity = lead_scoring.activity_by_contact(
        db=db, workspace_id=workspace_id, since=since, contact_id=contact_id
    ).get(contact_id, lead_scoring.Activity())
    result = lead_scoring.score(contact, activity, now=now)
    contact.lead_score, contact.lead_tier = result.total_score, result.quality_tier
    contact.lead_scored_at = now
    db.flush()
    return result


def rescore_workspace(
    *, db: Session, workspace_id: int, now: datetime | None = None, batch: int = 500
) -> int:
    return lead_scoring.rescore_workspace(db=db, workspace_id=workspace_id)
