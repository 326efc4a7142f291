"""Campaigns: creation, listing and the lifecycle the sending engine relies on. Callers commit,
then call `notify_dispatch` (work is enqueued only after the transaction is durable)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import cast, exists, func, literal, null, select, update
from sqlalchemy.orm import Session, defer

from app.campaigns import events
from app.campaigns.models import Campaign, DripStep, Enrollment
from app.campaigns.personalize import rewriting_applies
from app.campaigns.schemas import CampaignCreate
from app.campaigns.template_lifecycle import pause_if_unsendable, require_sendable
from app.campaigns.validation import audience, id_chunks, ids_clause, validate_create
from app.contacts.models import Contact
from app.core.db import IdType, dialect_insert, utcnow
from app.core.enums import (
    FINAL_STATUSES,
    CampaignStatus,
    CampaignType,
    Direction,
    EnrollmentState,
    MessageStatus,
)
from app.core.errors import Conflict, NotFound
from app.core.types import JSONType, UTCDateTime
from app.messaging.models import Message
from app.senders import service as senders_service

log = logging.getLogger(__name__)

S = CampaignStatus
# Which statuses each action may start from; anything else is a 409.
ALLOWED_FROM: dict[str, frozenset[str]] = {
    "start": frozenset({S.DRAFT, S.SCHEDULED}),
    "pause": frozenset({S.RUNNING}),
    "resume": frozenset({S.PAUSED}),
    "cancel": frozenset({S.DRAFT, S.SCHEDULED, S.RUNNING, S.PAUSED}),
}
FINAL = sorted(str(s) for s in FINAL_STATUSES)
OUTBOUND_STATUSES = [str(s) for s in MessageStatus if s != MessageStatus.RECEIVED]


@dataclass
class CreatedCampaign:
    campaign: Campaign
    steps: list[DripStep]
    audience: dict[str, int]


# --- create / read ---------------------------------------------------------------------------


def create_campaign(*, db: Session, workspace_id: int, data: CampaignCreate) -> CreatedCampaign:
    """Validate everything up front (one 422 naming every bad field), then store the campaign
    as `draft`, or `scheduled` when `scheduled_at` is given."""
    sender = senders_service.get_sender(
        db=db, workspace_id=workspace_id, sender_id=data.phone_number_id
    )
    plan = validate_create(
        db=db,
        workspace_id=workspace_id,
        sender_id=sender.id,
        sender_status=sender.status,
        data=data,
    )
    campaign = Campaign(
        workspace_id=workspace_id,
        sender_id=sender.id,
        name=data.name,
        type=data.type,
        status=S.SCHEDULED if plan.scheduled_at else S.DRAFT,
        message_template=data.message_template,
        template_id=plan.template.id if plan.template else None,
        template_params=list(data.template_params) if plan.template else [],
        template_components=plan.template_components,
        media=plan.media,
        meta=data.metadata,
        contact_ids=plan.contact_ids,
        stop_on_reply=plan.stop_on_reply,
        ai_rewrite=plan.ai_rewrite,
        scheduled_at=plan.scheduled_at,
    )
    db.add(campaign)
    db.flush()
    steps = [
        DripStep(
            campaign_id=campaign.id,
            position=i,
            delay_hours=step.delay_hours,
            message_template=step.message,
            template_id=step.template.id if step.template else None,
            template_params=list(step.template_params) if step.template else [],
            template_components=step.template_components,
            media=step.media,
        )
        for i, step in enumerate(plan.steps)
    ]
    db.add_all(steps)
    db.flush()
    counts = audience(db=db, workspace_id=workspace_id, contact_ids=plan.contact_ids)
    return CreatedCampaign(campaign=campaign, steps=steps, audience=counts)


def get_campaign(*, db: Session, workspace_id: int, campaign_id: int) -> Campaign:
    campaign = db.get(Campaign, campaign_id)
    if campaign is None or campaign.workspace_id != workspace_id:
        raise NotFound("Campaign", campaign_id)
    return campaign


def get_steps(*, db: Session, campaign_id: int) -> list[DripStep]:
    stmt = select(DripStep).where(DripStep.campaign_id == campaign_id).order_by(DripStep.position)
    return list(db.scalars(stmt))


def _recipient_count_expr(db: Session) -> Any:
    fn = func.jsonb_array_length if db.get_bind().dialect.name == "postgresql" else None
    return (fn or func.json_array_length)(Campaign.contact_ids)


def list_campaigns(
    *, db: Session, workspace_id: int, status: str | None, limit: int, offset: int
) -> tuple[list[tuple[Campaign, int]], int]:
    """A page of (campaign, recipient count), newest first, and the total. The recipient list
    itself is not loaded (it can hold 100k ids)."""
    where = [Campaign.workspace_id == workspace_id]
    if status:
        where.append(Campaign.status == status)
    total = db.scalar(select(func.count()).select_from(Campaign).where(*where)) or 0
    stmt = (
        select(Campaign, _recipient_count_expr(db))
        .options(defer(Campaign.contact_ids))
        .where(*where)
        .order_by(Campaign.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [(c, int(n or 0)) for c, n in db.execute(stmt)], total


def message_counts(*, db: Session, campaign_id: int) -> dict[str, int]:
    counts = dict.fromkeys(OUTBOUND_STATUSES, 0)
    stmt = (
        select(Message.status, func.count())
        .where(Message.campaign_id == campaign_id, Message.direction == Direction.OUTBOUND)
        .group_by(Message.status)
    )
    counts.update({status: int(n) for status, n in db.execute(stmt)})
    return counts


def enrollment_counts(*, db: Session, campaign_id: int) -> dict[str, int]:
    counts = {str(s): 0 for s in EnrollmentState}
    stmt = (
        select(Enrollment.state, func.count())
        .where(Enrollment.campaign_id == campaign_id)
        .group_by(Enrollment.state)
    )
    counts.update({state: int(n) for state, n in db.execute(stmt)})
    return counts


def campaign_audience(*, db: Session, campaign: Campaign) -> dict[str, int]:
    return audience(db=db, workspace_id=campaign.workspace_id, contact_ids=campaign.contact_ids)


# --- lifecycle -------------------------------------------------------------------------------


def _locked(*, db: Session, workspace_id: int | None, campaign_id: int) -> Campaign | None:
    """The campaign row under FOR UPDATE: concurrent transitions of one campaign serialise."""
    stmt = select(Campaign).where(Campaign.id == campaign_id).with_for_update()
    if workspace_id is not None:
        stmt = stmt.where(Campaign.workspace_id == workspace_id)
    return db.scalar(stmt.execution_options(populate_existing=True))


def _transition(*, db: Session, workspace_id: int, campaign_id: int, action: str) -> Campaign:
    campaign = _locked(db=db, workspace_id=workspace_id, campaign_id=campaign_id)
    if campaign is None:
        raise NotFound("Campaign", campaign_id)
    if campaign.status not in ALLOWED_FROM[action]:
        allowed = ", ".join(sorted(ALLOWED_FROM[action]))
        raise Conflict(
            f"Cannot {action} a {campaign.status} campaign",
            errors=[{"field": "status", "message": f"{action} needs status {allowed}"}],
        )
    return campaign


def _insert_per_recipient(
    *, db: Session, campaign: Campaign, model: type, columns: dict[str, Any], unique: list[str]
) -> None:
    """INSERT … SELECT one row per recipient still in the workspace, in id chunks; a row that
    already exists (by `unique`) is left alone, so a repeat is a no-op."""
    for chunk in id_chunks(db, campaign.contact_ids):
        source = select(*columns.values()).where(
            Contact.workspace_id == campaign.workspace_id, ids_clause(db, Contact.id, chunk)
        )
        stmt = (
            dialect_insert(db)(model)
            .from_select(list(columns), source)
            .on_conflict_do_nothing(index_elements=unique)
        )
        db.execute(stmt)


def _materialise_broadcast(*, db: Session, campaign: Campaign, now: datetime) -> None:
    """One queued outbound row per recipient, in bulk. The unique (campaign, contact, step)
    constraint makes a repeat insert nothing. Bodies are rendered by the engine at send time."""
    kind = "template" if campaign.template_id else (campaign.media or {}).get("type", "text")
    columns = {
        "workspace_id": literal(campaign.workspace_id, IdType),
        "contact_id": Contact.id,
        "sender_id": literal(campaign.sender_id, IdType),
        "campaign_id": literal(campaign.id, IdType),
        "step_index": literal(0),
        "direction": literal(str(Direction.OUTBOUND)),
        "type": literal(kind),
        "status": literal(str(MessageStatus.QUEUED)),
        "body": null(),
        "payload": literal({}, JSONType),
        "template_id": cast(literal(campaign.template_id), IdType),
        "attempts": literal(0),
        "next_attempt_at": literal(now, UTCDateTime()),
        "queued_at": literal(now, UTCDateTime()),
        "needs_review": literal(False),
        "created_at": literal(now, UTCDateTime()),
        "updated_at": literal(now, UTCDateTime()),
    }
    _insert_per_recipient(
        db=db,
        campaign=campaign,
        model=Message,
        columns=columns,
        unique=["campaign_id", "contact_id", "step_index"],
    )


def _enroll(*, db: Session, campaign: Campaign, now: datetime) -> None:
    """One active enrollment per recipient, due at start + step 0's delay."""
    first = db.scalar(
        select(DripStep.delay_hours).where(
            DripStep.campaign_id == campaign.id, DripStep.position == 0
        )
    )
    due = now + timedelta(hours=first or 0)
    columns = {
        "campaign_id": literal(campaign.id, IdType),
        "contact_id": Contact.id,
        "next_step": literal(0),
        "next_due_at": literal(due, UTCDateTime()),
        "state": literal(str(EnrollmentState.ACTIVE)),
        "created_at": literal(now, UTCDateTime()),
        "updated_at": literal(now, UTCDateTime()),
    }
    _insert_per_recipient(
        db=db,
        campaign=campaign,
        model=Enrollment,
        columns=columns,
        unique=["campaign_id", "contact_id"],
    )


def _start(*, db: Session, campaign: Campaign) -> Campaign:
    now = utcnow()
    # Nothing of the campaign is claimed until its variant pool is ready (app.ai.variants).
    campaign.rewrite_status = "pending" if rewriting_applies(db, campaign) else None
    if campaign.type == CampaignType.DRIP:
        _enroll(db=db, campaign=campaign, now=now)
    else:
        _materialise_broadcast(db=db, campaign=campaign, now=now)
    campaign.status = S.RUNNING
    campaign.status_reason = None
    campaign.started_at = now
    db.flush()
    return campaign


def start_campaign(*, db: Session, workspace_id: int, campaign_id: int) -> Campaign:
    """draft|scheduled → running, materialising every recipient's row in this transaction."""
    campaign = _transition(
        db=db, workspace_id=workspace_id, campaign_id=campaign_id, action="start"
    )
    require_sendable(db=db, campaign=campaign, action="starts")
    return _start(db=db, campaign=campaign)


def start_by_id(*, db: Session, campaign_id: int) -> Campaign | None:
    """Start for workers: a campaign that is gone or already past draft/scheduled is left alone
    (None), so a repeated task is harmless."""
    campaign = _locked(db=db, workspace_id=None, campaign_id=campaign_id)
    if campaign is None or campaign.status not in ALLOWED_FROM["start"]:
        return None
    return _start(db=db, campaign=campaign)


def claim_due_scheduled(*, db: Session, now: datetime | None = None) -> Campaign | None:
    """Start the next due scheduled campaign. SKIP LOCKED plus the status re-check mean two
    beats or two workers never start one campaign twice."""
    stmt = (
        select(Campaign)
        .where(Campaign.status == S.SCHEDULED, Campaign.scheduled_at <= (now or utcnow()))
        .order_by(Campaign.scheduled_at, Campaign.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    campaign = db.scalar(stmt.execution_options(populate_existing=True))
    if campaign is None:
        return None
    _start(db=db, campaign=campaign)
    pause_if_unsendable(db=db, campaign=campaign)
    return campaign


def pause_campaign(*, db: Session, workspace_id: int, campaign_id: int) -> Campaign:
    """running → paused. The engine claims only rows of running campaigns, so every row not yet
    claimed waits; rows already `sending` finish."""
    campaign = _transition(
        db=db, workspace_id=workspace_id, campaign_id=campaign_id, action="pause"
    )
    campaign.status = S.PAUSED
    db.flush()
    return campaign


def resume_campaign(*, db: Session, workspace_id: int, campaign_id: int) -> Campaign:
    campaign = _transition(
        db=db, workspace_id=workspace_id, campaign_id=campaign_id, action="resume"
    )
    require_sendable(db=db, campaign=campaign, action="resumes")
    campaign.status = S.RUNNING
    campaign.status_reason = None
    db.flush()
    return campaign


def cancel_campaign(*, db: Session, workspace_id: int, campaign_id: int) -> Campaign:
    """→ cancelled: every queued row becomes cancelled and every active enrollment stops, in
    two statements. Rows already claimed (`sending`) are left to finish."""
    campaign = _transition(
        db=db, workspace_id=workspace_id, campaign_id=campaign_id, action="cancel"
    )
    now = utcnow()
    db.execute(
        update(Message)
        .where(Message.campaign_id == campaign.id, Message.status == MessageStatus.QUEUED)
        .values(status=MessageStatus.CANCELLED, skip_reason="campaign_cancelled", updated_at=now)
        .execution_options(synchronize_session=False)
    )
    db.execute(
        update(Enrollment)
        .where(Enrollment.campaign_id == campaign.id, Enrollment.state == EnrollmentState.ACTIVE)
        .values(state=EnrollmentState.CANCELLED, state_reason="campaign_cancelled", updated_at=now)
        .execution_options(synchronize_session=False)
    )
    campaign.status = S.CANCELLED
    db.flush()
    return campaign


def _unfinished(campaign_id: Any) -> Any:
    """SQL: the campaign still has a non-final message or an active enrollment."""
    return exists().where(
        Message.campaign_id == campaign_id,
        Message.direction == Direction.OUTBOUND,  # replies linked to the campaign don't count
        Message.status.not_in(FINAL),
    ) | exists().where(
        Enrollment.campaign_id == campaign_id, Enrollment.state == EnrollmentState.ACTIVE
    )


def maybe_complete(*, db: Session, campaign_id: int) -> bool:
    """running → completed once every message is final and (drip) no enrollment is active.
    The engine calls it after finalising rows; the row lock serialises concurrent callers."""
    campaign = _locked(db=db, workspace_id=None, campaign_id=campaign_id)
    if campaign is None or campaign.status != S.RUNNING:
        return False
    if db.scalar(select(_unfinished(campaign.id))):
        return False
    campaign.status = S.COMPLETED
    campaign.completed_at = utcnow()
    db.flush()
    return True


def finished_running_ids(*, db: Session, limit: int = 100) -> list[int]:
    """Running campaigns with nothing left to do: a safety net for a missed maybe_complete."""
    stmt = (
        select(Campaign.id)
        .where(Campaign.status == S.RUNNING, ~_unfinished(Campaign.id))
        .order_by(Campaign.id)
        .limit(limit)
    )
    return list(db.scalars(stmt))


def notify_started(*, campaign: Campaign) -> None:
    """After the start's commit: request the variant pool first when the campaign is
    rewritten (its task wakes the dispatcher once the pool is stored), else wake it now."""
    if campaign.rewrite_status == "pending":
        events.variants_needed(campaign.id)
    else:
        events.sender_ready(campaign.sender_id)


def notify_dispatch(*, sender_id: int) -> None:
    """Wake the sender's dispatcher; call after commit. Best effort: the rows are durable and
    the reconciler re-enqueues due work if the broker is down."""
    events.sender_ready(sender_id)
