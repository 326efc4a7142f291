"""Drip sequencing (SPEC §3, §7): long waits are enrollment rows with a due time.

A beat-driven task (and the reconciler) claims due active enrollments of running campaigns
(`FOR UPDATE SKIP LOCKED`: concurrent runs take disjoint rows), creates the step's message row
(unique (campaign, contact, step): a repeat creates nothing) and leaves the enrollment waiting
for that row (`next_due_at` NULL, still `active`). Once the row is final, the next step falls
due `delay_hours` after the message was sent (a step held back by quiet hours, caps or a pause
pushes the next one back too), or the enrollment completes after the last step. Until then a
reply or an opt-out can still stop it (ingestion sets `stopped`), and the send-time policy
skips a still-queued row of a stopped enrollment (`drip_stopped`). Everything is in the
database, so restarts lose nothing.

Step positions are 0..n-1 (the campaign service numbers them), so the row an enrollment waits
for is step `next_step - 1`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session

from app.campaigns.models import Campaign, DripStep, Enrollment
from app.campaigns.personalize import variant_for
from app.campaigns.service import maybe_complete
from app.core.db import dialect_insert, session_scope, utcnow
from app.core.enums import CampaignStatus, Direction, EnrollmentState, MessageStatus
from app.messaging.models import Message

BATCH = 500
# The step's row has not reached a final status yet: the enrollment keeps waiting for it.
_NOT_FINAL = (MessageStatus.QUEUED, MessageStatus.SENDING)


def stop_enrollments(
    *, db: Session, workspace_id: int, contact_id: int, reason: str, only_stop_on_reply: bool
) -> None:
    """Stop the contact's active drips: those with stop_on_reply (a plain reply), or all of
    them (an opt-out, a not-interested or complaint reply, a probable opt-out)."""
    campaigns = select(Campaign.id).where(Campaign.workspace_id == workspace_id)
    if only_stop_on_reply:
        campaigns = campaigns.where(Campaign.stop_on_reply.is_(True))
    db.execute(
        update(Enrollment)
        .where(
            Enrollment.contact_id == contact_id,
            Enrollment.state == EnrollmentState.ACTIVE,
            Enrollment.campaign_id.in_(campaigns),
        )
        .values(state=EnrollmentState.STOPPED, state_reason=reason, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


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


def _lock(db: Session, stmt: Any) -> Any:
    if db.get_bind().dialect.name == "postgresql":
        return stmt.with_for_update(of=Enrollment, skip_locked=True)
    return stmt


def settle_sent(*, db: Session, limit: int = BATCH) -> tuple[int, set[int]]:
    """Enrollments whose last step's row became final: the next step falls due `delay_hours`
    after that message was sent (else claimed, else last changed), or the enrollment
    completes. Returns how many moved and the campaigns with a newly completed enrollment."""
    waiting_row = exists().where(
        Message.enrollment_id == Enrollment.id,
        Message.step_index == Enrollment.next_step - 1,
        Message.status.in_(_NOT_FINAL),
    )
    stmt = (
        select(Enrollment)
        .join(Campaign, Campaign.id == Enrollment.campaign_id)
        .where(
            Enrollment.state == EnrollmentState.ACTIVE,
            Enrollment.next_due_at.is_(None),
            Enrollment.next_step > 0,
            Campaign.status == CampaignStatus.RUNNING,
            ~waiting_row,
        )
        .order_by(Enrollment.id)
        .limit(limit)
    )
    enrollments = list(db.scalars(_lock(db, stmt)))
    if not enrollments:
        return 0, set()
    stamp = func.coalesce(Message.sent_at, Message.claimed_at, Message.updated_at)
    finals = {
        (r[0], r[1]): r[2]
        for r in db.execute(
            select(Message.enrollment_id, Message.step_index, stamp).where(
                Message.enrollment_id.in_([e.id for e in enrollments])
            )
        )
    }
    steps = _steps(db, {e.campaign_id for e in enrollments})
    completed: set[int] = set()
    for enrollment in enrollments:
        sequence = steps.get(enrollment.campaign_id, [])
        final_at = finals.get((enrollment.id, enrollment.next_step - 1)) or enrollment.updated_at
        if enrollment.next_step >= len(sequence):
            enrollment.state = EnrollmentState.COMPLETED
            completed.add(enrollment.campaign_id)
        else:
            delay = sequence[enrollment.next_step].delay_hours or 0
            enrollment.next_due_at = final_at + timedelta(hours=delay)
    db.flush()
    return len(enrollments), completed


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
    pairs = db.execute(_lock(db, stmt)).all()
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
                "type": "template" if step.template_id else (step.media or {}).get("type", "text"),
                "status": MessageStatus.QUEUED,
                "payload": {},
                "template_id": step.template_id,
                "variant": variant_for(campaign, step.position, enrollment.contact_id)
                if step.template_id is None
                else None,
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
        enrollment.next_due_at = None  # waits for this row to be final (settle_sent)
        enrollment.updated_at = now
    if rows:
        db.execute(
            dialect_insert(db)(Message)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["campaign_id", "contact_id", "step_index"])
        )
    db.flush()
    return len(pairs), senders


def advance_all_due(*, now: datetime, max_batches: int = 20) -> set[int]:
    """Run `settle_sent` then `advance_due` in committed batches (a step due at once after
    the previous one's send is materialised in the same run); completes campaigns whose last
    enrollments completed. Returns the senders to wake."""

    senders: set[int] = set()
    completed: set[int] = set()
    for _ in range(max_batches):
        with session_scope() as db:
            settled, done = settle_sent(db=db)
            moved, woken = advance_due(db=db, now=now)
        senders |= woken
        completed |= done
        if settled == 0 and moved == 0:
            break
    for campaign_id in sorted(completed):
        with session_scope() as db:
            maybe_complete(db=db, campaign_id=campaign_id)
    return senders
