"""Queued rows of a cancelled campaign: cancelled too, whoever put them back in the queue.

`cancel_campaign` cancels every row queued at that moment, but a row may come back to `queued`
afterwards: a failed status (131049/131056) requeues a row sent before the cancel, and a batch
whose policy check ran before the cancel committed may requeue a row after a 130429. Such a row
would wait forever (only running campaigns are claimed, cleanup keeps non-final rows). The
engine and the webhook path call this right after a requeue; the reconciler sweeps every
minute as a safety net.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from app.campaigns.models import Campaign
from app.core.enums import CampaignStatus, Direction, MessageStatus
from app.messaging.models import Message, MessageEvent

REASON = "campaign_cancelled"


def cancel_orphaned(*, db: Session, now: datetime, message_ids: Sequence[int] | None = None) -> int:
    """Cancel queued outbound rows of cancelled campaigns (only `message_ids` when given)."""
    if message_ids is not None and not message_ids:
        return 0
    # Core statements on the tables: this runs in processes (the reconciler) that need not
    # have every mapper configured.
    m = Message.__table__.c
    cancelled = select(Campaign.__table__.c.id).where(
        Campaign.__table__.c.status == CampaignStatus.CANCELLED
    )
    stmt = update(Message.__table__).where(
        m.status == MessageStatus.QUEUED,
        m.direction == Direction.OUTBOUND,
        m.campaign_id.in_(cancelled),
    )
    if message_ids is not None:
        stmt = stmt.where(m.id.in_(sorted(set(message_ids))))
    ids = list(
        db.scalars(
            stmt.values(
                status=MessageStatus.CANCELLED, skip_reason=REASON, updated_at=now
            ).returning(m.id)
        )
    )
    if ids:
        db.execute(
            insert(MessageEvent.__table__),
            [
                {
                    "message_id": i,
                    "event": "cancelled",
                    "occurred_at": now,
                    "data": {"reason": REASON},
                }
                for i in ids
            ],
        )
    return len(ids)
