"""Drip sequencing (SPEC §3, §7): long waits are enrollment rows with a due time.

A beat-driven task (and the reconciler) claims due active enrollments of running campaigns
(`FOR UPDATE SKIP LOCKED`: concurrent runs take disjoint rows), creates the step's message row
(unique (campaign, contact, step): a repeat creates nothing) and moves the enrollment to the
next step, due `delay_hours` after this one, or completes it after the last step. Everything is
in the database, so restarts lose nothing; a reply sets the enrollment `stopped` (ingestion) and
it gets nothing more.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.campaigns.models import Campaign, DripStep, Enrollment
from app.core.enums import CampaignStatus, Direction, EnrollmentState, MessageStatus
from app.messaging.models import Message

BATCH = 500


def _insert(db: Session) -> Any:
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(Message)


def _steps(db: Session, campaign_ids: set[int]) -> dict[int, list[DripStep]]:
    steps: dict[int, list[DripStep]] = defaultdict(list)
    stmt = (
        select(DripStep)
        .where(DripStep.campaign_id.in_(campaign_ids))
        .order_by(DripStep.campaign_id, DripStep.position)
    )
    for step in db.scalars(stmt):
        steps[step.campaign_id].append(step)
    return steps


def advance_due(*, db: Session, now: datetime, limit: int = BATCH) -> tuple[int, set[int]]:
    """Materialise the due step of up to `limit` enrollments. Returns how many enrollments
    moved and the sender ids that got new rows (the caller wakes them after commit)."""
    stmt = (
        select(Enrollment, Campaign)
        .join(Campaign, Campaign.id == Enrollment.campaign_id)
        .where(
            Enrollment.state == EnrollmentState.ACTIVE,
            Enrollment.next_due_at <= now,
            Campaign.status == CampaignStatus.RUNNING,
        )
        .order_by(Enrollment.next_due_at, Enrollment.id)
        .limit(limit)
    )
    if db.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=Enrollment, skip_locked=True)
    pairs = db.execute(stmt).all()
    if not pairs:
        return 0, set()
    steps = _steps(db, {c.id for _, c in pairs})
    rows: list[dict[str, Any]] = []
    senders: set[int] = set()
    for enrollment, campaign in pairs:
        sequence = steps.get(campaign.id, [])
        if enrollment.next_step >= len(sequence):
            enrollment.state = EnrollmentState.COMPLETED
            enrollment.next_due_at = None
            continue
        step = sequence[enrollment.next_step]
        rows.append(
            {
                "workspace_id": campaign.workspace_id,
                "contact_id": enrollment.contact_id,
                "sender_id": campaign.sender_id,
                "campaign_id": campaign.id,
                "step_index": step.position,
                "enrollment_id": enrollment.id,
                "direction": Direction.OUTBOUND,
                "type": "template" if step.template_id else "text",
                "status": MessageStatus.QUEUED,
                "payload": {},
                "template_id": step.template_id,
                "attempts": 0,
                "next_attempt_at": now,
                "queued_at": now,
                "needs_review": False,
                "created_at": now,
                "updated_at": now,
            }
        )
        senders.add(campaign.sender_id)
        enrollment.next_step += 1
        if enrollment.next_step < len(sequence):
            delay = sequence[enrollment.next_step].delay_hours or 0
            enrollment.next_due_at = now + timedelta(hours=delay)
        else:
            enrollment.state = EnrollmentState.COMPLETED
            enrollment.next_due_at = None
        enrollment.updated_at = now
    if rows:
        db.execute(
            _insert(db)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["campaign_id", "contact_id", "step_index"])
        )
    db.flush()
    return len(pairs), senders


def advance_all_due(*, now: datetime, max_batches: int = 20) -> set[int]:
    """Run `advance_due` in committed batches; returns the senders to wake."""
    from app.core.db import session_scope

    senders: set[int] = set()
    for _ in range(max_batches):
        with session_scope() as db:
            moved, woken = advance_due(db=db, now=now)
        senders |= woken
        if moved == 0:
            break
    return senders
