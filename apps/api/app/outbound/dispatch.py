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
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, text, update
from sqlalchemy.orm import Session

from app.campaigns.models import Campaign
from app.core.config import settings
from app.core.db import get_engine, get_sessionmaker, utcnow
from app.core.enums import CampaignStatus, Direction, MessageStatus, SenderStatus
from app.core.metrics import record_deferrals
from app.messaging.models import Message
from app.outbound.pipeline import MIN_DEFER, Claimed, SenderInfo, process_batch
from app.pacing import ThrottleStore, get_throttle
from app.pacing.throttle import next_room_at
from app.senders.limits import effective_caps
from app.senders.models import SenderNumber
from app.senders.service import credentials_for

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
    Message.past_sends,
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
    from app.outbound.tasks import dispatch_sender

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
            or_(
                Message.campaign_id.is_(None),
                # A rewritten campaign sends nothing until its variant pool is stored.
                and_(
                    Campaign.status == CampaignStatus.RUNNING,
                    Campaign.rewrite_status.is_distinct_from("pending"),
                ),
            ),
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
            until = max(next_room_at(usage, info.caps, now), now + MIN_DEFER)
            deferred = defer_due(db=db, sender_id=sender_id, until=until, now=now)
            db.commit()
            if deferred:
                record_deferrals("cap_full", deferred)
                log.info("sender %s at its cap: %s rows wait until %s", sender_id, deferred, until)
            return info, []
        rows = claim(
            db=db, sender_id=sender_id, limit=min(limit, room), now=now, message_id=message_id
        )
        db.commit()
        return info, rows


class Lease:
    """Whether this dispatcher may pace the number (truthy), and `renew()` before each send:
    False once the lease was lost (expired and taken over), and the dispatcher must stop."""

    def __init__(self, held: bool, renew: Callable[[], bool] | None = None) -> None:
        self.held = held
        self._renew = renew

    def __bool__(self) -> bool:
        return self.held

    def renew(self) -> bool:
        if self.held and self._renew is not None:
            self.held = self._renew()
        return self.held


def lease_seconds() -> float:
    """Longest gap between two renewals (a send, then the per-message delay) plus a margin:
    a dead holder's lease frees the number after this long."""
    return settings.MESSAGE_DELAY_MAX + settings.WHATSAPP_REQUEST_TIMEOUT + 60


def _take_row_lease(sender_id: int, owner: str) -> bool:
    """Conditional UPDATE of the number's lease columns: free, expired, or already ours."""
    now = utcnow()
    with get_sessionmaker()() as db:
        taken = db.execute(
            update(SenderNumber)
            .where(
                SenderNumber.id == sender_id,
                or_(
                    SenderNumber.dispatch_lease_until.is_(None),
                    SenderNumber.dispatch_lease_until < now,
                    SenderNumber.dispatch_lease_owner == owner,
                ),
            )
            .values(
                dispatch_lease_owner=owner,
                dispatch_lease_until=now + timedelta(seconds=lease_seconds()),
                updated_at=SenderNumber.updated_at,  # bookkeeping, not a change of the number
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        db.commit()
    return bool(taken)


def _drop_row_lease(sender_id: int, owner: str) -> None:
    with get_sessionmaker()() as db:
        db.execute(
            update(SenderNumber)
            .where(SenderNumber.id == sender_id, SenderNumber.dispatch_lease_owner == owner)
            .values(
                dispatch_lease_owner=None,
                dispatch_lease_until=None,
                updated_at=SenderNumber.updated_at,
            )
            .execution_options(synchronize_session=False)
        )
        db.commit()


@contextlib.contextmanager
def sender_lease(sender_id: int) -> Iterator[Lease]:
    """With a per-message delay only one dispatcher may pace a number. PostgreSQL: a session
    advisory lock on a dedicated connection, released if the worker dies (connection closes).
    Elsewhere (SQLite, embedded mode): a lease row on `sender_numbers` taken by a conditional
    UPDATE and renewed before every send; a dead holder's lease expires after
    `lease_seconds()`. Without a delay dispatchers share the number freely."""
    if not paced():
        yield Lease(True)
        return
    if get_engine().dialect.name != "postgresql":
        owner = uuid.uuid4().hex
        lease = Lease(_take_row_lease(sender_id, owner), lambda: _take_row_lease(sender_id, owner))
        try:
            yield lease
        finally:
            if lease.held:
                _drop_row_lease(sender_id, owner)
        return
    with get_engine().connect() as conn:
        key = 0x5741_0000_0000 + sender_id
        got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
        conn.commit()
        try:
            yield Lease(got)
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
            if not leased.renew():  # expired and taken over: the new holder paces the number
                log.warning("sender %s: dispatch lease lost; stopping", sender_id)
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
    """Claim and send one specific row (the seed's `send_message`); False if not claimable.

    It paces like the dispatcher: with a per-message delay it needs the number's lease (a
    dispatcher holding it sends the row in turn; the row stays queued) and keeps it through the
    random delay after the send, so no two sends of a number come closer than the delay."""
    with get_sessionmaker()() as db:
        sender_id = db.scalar(select(Message.sender_id).where(Message.id == message_id))
    if sender_id is None:
        return False
    throttle = get_throttle()
    with sender_lease(sender_id) as leased:
        if not leased:
            return False
        info, rows = claim_next(
            sender_id=sender_id, throttle=throttle, limit=1, message_id=message_id
        )
        if info is None or not rows:
            return False
        report = process_batch(sender=info, rows=rows, throttle=throttle)
        if paced() and report.sent:
            time.sleep(random.uniform(settings.MESSAGE_DELAY_MIN, settings.MESSAGE_DELAY_MAX))
    return True
