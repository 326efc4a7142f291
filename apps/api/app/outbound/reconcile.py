"""The reconciler (SPEC §2.4, §2.5): the database is the source of truth, the broker only
carries wake-ups. Run every minute by beat; every step is safe to run twice or concurrently.

- rows stuck in `sending` longer than SENDING_STALE_AFTER_SECONDS (the worker died around the
  provider call) → `unknown`, never resent; a later status webhook settles them through the
  `biz_opaque_callback_data` we sent;
- due drip steps are materialised;
- every active number with due queued rows gets its dispatcher enqueued (after a broker flush
  or restart nothing else would);
- running campaigns with nothing left become `completed`;
- queued rows of cancelled campaigns (requeued after the cancel) become `cancelled`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select, update

from app.campaigns.drip import advance_all_due
from app.campaigns.orphans import cancel_orphaned
from app.campaigns.service import finished_running_ids, maybe_complete
from app.core.config import settings
from app.core.db import session_scope, utcnow
from app.core.enums import FINAL_STATUSES, MessageStatus, SenderStatus
from app.messaging.models import Message, MessageEvent
from app.outbound.dispatch import claimable, enqueue_dispatch
from app.senders.models import SenderNumber

log = logging.getLogger(__name__)
CLEANUP_CHUNK = 5000


@dataclass
class ReconcileReport:
    stale_unknown: int = 0
    woken_senders: list[int] = field(default_factory=list)
    completed_campaigns: int = 0
    cancelled_orphans: int = 0


def resolve_stale_sending(*, now: datetime) -> int:
    """`sending` rows older than the stale limit → `unknown` (never resent)."""
    cutoff = now - timedelta(seconds=settings.SENDING_STALE_AFTER_SECONDS)
    with session_scope() as db:
        rows = db.execute(
            update(Message)
            .where(Message.status == MessageStatus.SENDING, Message.claimed_at < cutoff)
            .values(
                status=MessageStatus.UNKNOWN,
                error_detail="no provider answer recorded (worker lost); never resent",
                updated_at=now,
            )
            .returning(Message.id, Message.campaign_id)
            .execution_options(synchronize_session=False)
        ).all()
        if rows:
            db.execute(
                insert(MessageEvent),
                [
                    {
                        "message_id": mid,
                        "event": "unknown",
                        "occurred_at": now,
                        "data": {"reason": "stale_sending"},
                    }
                    for mid, _ in rows
                ],
            )

            for campaign_id in sorted({c for _, c in rows if c is not None}):
                maybe_complete(db=db, campaign_id=campaign_id)
    if rows:
        log.warning("reconciler: %s stale sending rows marked unknown", len(rows))
    return len(rows)


def due_senders(*, now: datetime) -> list[int]:
    """Active numbers with at least one claimable row."""
    with session_scope() as db:
        ids = db.scalars(
            select(SenderNumber.id).where(
                SenderNumber.status == SenderStatus.ACTIVE,
                claimable(SenderNumber.id, now).exists(),
            )
        ).all()
    return list(ids)


def complete_finished() -> int:

    done = 0
    with session_scope() as db:
        for campaign_id in finished_running_ids(db=db):
            done += int(maybe_complete(db=db, campaign_id=campaign_id))
    return done


def reconcile(*, now: datetime | None = None) -> ReconcileReport:

    now = now or utcnow()
    report = ReconcileReport()
    report.stale_unknown = resolve_stale_sending(now=now)
    advance_all_due(now=now)
    report.woken_senders = due_senders(now=now)
    for sender_id in report.woken_senders:
        enqueue_dispatch(sender_id=sender_id)
    report.completed_campaigns = complete_finished()
    with session_scope() as db:
        report.cancelled_orphans = cancel_orphaned(db=db, now=now)
    return report


def cleanup_old_messages(*, now: datetime | None = None) -> int:
    """Delete messages older than MESSAGE_RETENTION_DAYS that are final (their events go with
    them by cascade), in chunks so no transaction grows large."""
    now = now or utcnow()
    cutoff = now - timedelta(days=settings.MESSAGE_RETENTION_DAYS)
    final = [*FINAL_STATUSES, MessageStatus.RECEIVED]
    removed = 0
    while True:
        with session_scope() as db:
            ids = db.scalars(
                select(Message.id)
                .where(Message.created_at < cutoff, Message.status.in_(final))
                .limit(CLEANUP_CHUNK)
            ).all()
            if not ids:
                break
            db.execute(delete(MessageEvent).where(MessageEvent.message_id.in_(ids)))
            db.execute(
                update(Message).where(Message.in_reply_to_id.in_(ids)).values(in_reply_to_id=None)
            )
            db.execute(delete(Message).where(Message.id.in_(ids)))
        removed += len(ids)
    return removed


__all__ = ["cleanup_old_messages", "reconcile"]
