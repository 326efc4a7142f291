"""The per-number dispatcher: claim due rows atomically, then hand batches to the pipeline.

At most once (SPEC §2.5): a row moves `queued → sending` in one conditional UPDATE before any
provider call (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so concurrent dispatchers take disjoint
rows; SQLite serialises writers). Nothing ever moves a row out of `sending` except its own
result, a webhook, or the reconciler (→ `unknown`), so a crash after the call never resends.

Only rows of running campaigns (or ad-hoc rows without one) of an active number are claimed,
and no more than the pacing windows have room for.
"""

from __future__ import annotations

import contextlib
import logging
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, text, update
from sqlalchemy.orm import Session

from app.campaigns.models import Campaign
from app.core.config import settings
from app.core.db import get_engine, get_sessionmaker, utcnow
from app.core.enums import CampaignStatus, Direction, MessageStatus, SenderStatus
from app.messaging.models import Message
from app.messaging.pipeline import Claimed, SenderInfo, process_batch
from app.pacing import ThrottleStore, get_throttle
from app.pacing.throttle import next_room_at
from app.senders.limits import effective_caps
from app.senders.models import SenderNumber

log = logging.getLogger(__name__)

_RETURNING = (
    Message.id,
    Message.contact_id,
    Message.campaign_id,
    Message.step_index,
    Message.enrollment_id,
    Message.template_id,
    Message.type,
    Message.body,
    Message.payload,
    Message.attempts,
    Message.first_deferred_at,
)


@dataclass
class DispatchResult:
    sent: int = 0
    processed: int = 0
    more: bool = False  # stopped by the time budget with work left


def paced() -> bool:
    """A per-message delay applies: sends of a number are sequential."""
    return settings.MESSAGE_DELAY_MAX > 0


def enqueue_dispatch(*, sender_id: int, countdown: float | None = None) -> None:
    """Wake the sender's dispatcher (call after commit). Without a per-message delay several
    dispatchers share the work (DISPATCH_FANOUT); extra ones find nothing and exit."""
    from app.messaging.tasks import dispatch_sender

    copies = 1 if paced() else max(1, settings.DISPATCH_FANOUT)
    for _ in range(copies):
        dispatch_sender.apply_async(args=[sender_id], countdown=countdown)


def _due(now: datetime):  # type: ignore[no-untyped-def]
    return or_(Message.next_attempt_at.is_(None), Message.next_attempt_at <= now)


def claimable(sender_id: int, now: datetime):  # type: ignore[no-untyped-def]
    """SELECT of due queued outbound rows of the number whose campaign is running."""
    return (
        select(Message.id)
        .outerjoin(Campaign, Campaign.id == Message.campaign_id)
        .where(
            Message.sender_id == sender_id,
            Message.status == MessageStatus.QUEUED,
            Message.direction == Direction.OUTBOUND,
            _due(now),
            or_(Message.campaign_id.is_(None), Campaign.status == CampaignStatus.RUNNING),
        )
    )


def claim(
    *, db: Session, sender_id: int, limit: int, now: datetime, message_id: int | None = None
) -> list[Claimed]:
    """Atomically move up to `limit` due rows to `sending` (attempts + 1) and return them."""
    pick = claimable(sender_id, now)
    if message_id is not None:
        pick = pick.where(Message.id == message_id)
    pick = pick.order_by(Message.id).limit(limit)
    if db.get_bind().dialect.name == "postgresql":
        pick = pick.with_for_update(of=Message, skip_locked=True)
    # A materialised CTE: evaluated exactly once. (`WHERE id IN (SELECT … LIMIT n FOR UPDATE)`
    # let PostgreSQL update more than n rows here.)
    picked = pick.cte("picked").prefix_with("MATERIALIZED")
    stmt = (
        update(Message)
        .where(Message.id == picked.c.id, Message.status == MessageStatus.QUEUED)
        .values(
            status=MessageStatus.SENDING,
            claimed_at=now,
            attempts=Message.attempts + 1,
            updated_at=now,
        )
        .returning(*_RETURNING)
        .execution_options(synchronize_session=False)
    )
    rows = [Claimed(*r) for r in db.execute(stmt).all()]
    rows.sort(key=lambda r: r.id)
    return rows


def defer_due(*, db: Session, sender_id: int, until: datetime, now: datetime) -> int:
    """Caps are full: every due queued row of the number waits until the windows have room
    (deferred, never failed). One statement, so the reconciler stops re-waking them."""
    result = db.execute(
        update(Message)
        .where(
            Message.sender_id == sender_id,
            Message.status == MessageStatus.QUEUED,
            Message.direction == Direction.OUTBOUND,
            _due(now),
        )
        .values(next_attempt_at=until, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


def _sender_info(db: Session, sender: SenderNumber, now: datetime) -> SenderInfo | None:
    from app.senders.service import credentials_for

    try:
        credentials = credentials_for(sender)
    except ValueError as exc:  # token unreadable (SECRET_KEY changed): stop the number
        sender.status = SenderStatus.PAUSED
        sender.status_reason = f"access token cannot be decrypted: {exc}"
        sender.status_changed_at = now
        return None
    caps = effective_caps(sender, today=now.date())
    return SenderInfo(sender.id, sender.provider, credentials, caps, sender.waba_id)


def claim_next(
    *,
    sender_id: int,
    throttle: ThrottleStore,
    limit: int,
    message_id: int | None = None,
) -> tuple[SenderInfo | None, list[Claimed]]:
    """One claim transaction: active number → pacing room → claim. When the windows are
    full, the number's due rows are deferred to when they have room."""
    now = utcnow()
    with get_sessionmaker()() as db:
        sender = db.get(SenderNumber, sender_id)
        if sender is None or sender.status != SenderStatus.ACTIVE:
            return None, []
        info = _sender_info(db, sender, now)
        if info is None:
            db.commit()
            return None, []
        portfolio = info.waba_id
        if throttle.locks_at_claim:
            lock = throttle.lock  # type: ignore[attr-defined]
            lock(db=db, sender_id=sender_id, portfolio=portfolio)
        room = throttle.claim_room(
            db=db, sender_id=sender_id, caps=info.caps, now=now, portfolio=portfolio
        )
        if room <= 0:
            usage = throttle.usage(db=db, sender_id=sender_id, now=now, portfolio=portfolio)
            until = next_room_at(usage, info.caps, now)
            deferred = defer_due(db=db, sender_id=sender_id, until=until, now=now)
            db.commit()
            if deferred:
                log.info("sender %s at its cap: %s rows wait until %s", sender_id, deferred, until)
            return info, []
        rows = claim(
            db=db, sender_id=sender_id, limit=min(limit, room), now=now, message_id=message_id
        )
        db.commit()
        return info, rows


@contextlib.contextmanager
def sender_lease(sender_id: int) -> Iterator[bool]:
    """With a per-message delay only one dispatcher may pace a number. PostgreSQL session
    advisory lock on a dedicated connection: released if the worker dies (connection closes).
    Without a delay (or on SQLite) dispatchers share the number freely."""
    if not paced() or get_engine().dialect.name != "postgresql":
        yield True
        return
    with get_engine().connect() as conn:
        key = 0x5741_0000_0000 + sender_id
        got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
        conn.commit()
        try:
            yield got
        finally:
            if got:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()


def run_dispatch(*, sender_id: int, budget_seconds: float | None = None) -> DispatchResult:
    """Send the number's due rows until none is left, its caps are full or the budget ends."""
    deadline = time.monotonic() + (budget_seconds or settings.DISPATCH_TASK_SECONDS)
    throttle = get_throttle()
    result = DispatchResult()
    with sender_lease(sender_id) as leased:
        if not leased:
            return result
        while True:
            if time.monotonic() >= deadline:
                result.more = True
                break
            limit = 1 if paced() else max(1, settings.SEND_BATCH_SIZE)
            info, rows = claim_next(sender_id=sender_id, throttle=throttle, limit=limit)
            if info is None or not rows:
                break
            report = process_batch(sender=info, rows=rows, throttle=throttle)
            result.sent += report.sent
            result.processed += len(rows)
            if report.sender_blocked:
                break
            if paced() and report.sent:
                time.sleep(random.uniform(settings.MESSAGE_DELAY_MIN, settings.MESSAGE_DELAY_MAX))
    return result


def send_one(*, message_id: int) -> bool:
    """Claim and send one specific row (the seed's `send_message`); False if not claimable."""
    with get_sessionmaker()() as db:
        sender_id = db.scalar(select(Message.sender_id).where(Message.id == message_id))
    if sender_id is None:
        return False
    throttle = get_throttle()
    info, rows = claim_next(sender_id=sender_id, throttle=throttle, limit=1, message_id=message_id)
    if info is None or not rows:
        return False
    process_batch(sender=info, rows=rows, throttle=throttle)
    return True
