"""The throttle interface and what both stores share: the windows and the DB usage query.

A number may send when EVERY window has room: the hourly cap over any 60 minutes, the daily
cap over any 24 hours (a sliding 24 h window holds the calendar-day cap too) and Meta's tier
(unique recipients reached outside a service window in a moving 24 h). The tier belongs to the
business portfolio, not the number (SPEC §6): its window is shared by every number of the same
WABA (`portfolio` = the sender's `waba_id`; a number without one has its own window). A contact
stays in it for 24 h after its LATEST counted send.

A slot is taken for a claimed message just before its send and given back when the send does
not happen (skipped, deferred, nothing-sent errors). What the database says was sent or may
have been sent (`sending`, `unknown`, `sent`…) always counts, so a lost Redis is rebuilt from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.core.config import settings
from app.core.enums import Direction, MessageStatus
from app.messaging.models import Message
from app.senders.limits import Caps
from app.senders.models import SenderNumber

HOUR = timedelta(hours=1)
DAY = timedelta(hours=24)

# Statuses whose send happened or may have happened: they hold a slot in every window.
USING_STATUSES = (
    MessageStatus.SENDING,
    MessageStatus.UNKNOWN,
    MessageStatus.SENT,
    MessageStatus.DELIVERED,
    MessageStatus.READ,
)


@dataclass(frozen=True)
class Slot:
    """One message about to be sent; `new_recipient` when it counts toward Meta's tier
    (a business-initiated message: the contact is outside the 24 h service window)."""

    message_id: int
    contact_id: int
    new_recipient: bool = True


@dataclass(frozen=True)
class Usage:
    """Stamps (sorted) of what a number used in the last 24 h, from whichever store."""

    hour: list[datetime]
    day: list[datetime]
    recipients: list[datetime]


class ThrottleStore(Protocol):
    # True when reservations are made by counting rows under a lock taken in the claim's
    # own transaction (the database store); False when `reserve` is authoritative (Redis).
    locks_at_claim: bool

    def claim_room(
        self,
        *,
        db: Session,
        sender_id: int,
        caps: Caps,
        now: datetime,
        portfolio: str | None = None,
    ) -> int:
        """How many messages may be claimed now (exact for the DB store, a hint for Redis)."""
        ...

    def reserve(
        self,
        *,
        db: Session,
        sender_id: int,
        caps: Caps,
        slots: list[Slot],
        now: datetime,
        portfolio: str | None = None,
    ) -> dict[int, bool]:
        """Take slots atomically, in order; returns message_id → holds a place in the
        portfolio's recipients window (a new-recipient slot)."""
        ...

    def release(
        self,
        *,
        sender_id: int,
        slots: list[Slot],
        granted: dict[int, bool],
        portfolio: str | None = None,
    ) -> None:
        """Give back slots whose send did not happen."""
        ...

    def usage(
        self, *, db: Session, sender_id: int, now: datetime, portfolio: str | None = None
    ) -> Usage: ...


def db_usage(*, db: Session, sender_id: int, now: datetime) -> list[tuple[int, int, datetime]]:
    """(message_id, contact_id, stamp) of the number's sends in the last 24 h from `messages`.

    The stamp is `sent_at`, else `claimed_at` for rows still in flight or unknown."""

    stamp = func.coalesce(Message.sent_at, Message.claimed_at)
    rows = db.execute(
        select(Message.id, Message.contact_id, stamp)
        .where(
            Message.sender_id == sender_id,
            Message.direction == Direction.OUTBOUND,
            or_(Message.status.in_(USING_STATUSES), Message.sent_at.is_not(None)),
            stamp >= now - DAY,
        )
        .order_by(stamp)
    ).all()
    return [(int(r[0]), int(r[1]), r[2]) for r in rows]


def _portfolio_senders(sender_id: int, portfolio: str | None):  # type: ignore[no-untyped-def]

    if not portfolio:
        return Message.sender_id == sender_id
    return Message.sender_id.in_(select(SenderNumber.id).where(SenderNumber.waba_id == portfolio))


def db_reach(
    *, db: Session, sender_id: int, portfolio: str | None, now: datetime
) -> list[tuple[int, datetime, int]]:
    """(contact_id, latest stamp, messages) reached in the last 24 h by the portfolio's numbers
    (every outbound send counts: stricter than Meta, which skips service-window replies)."""

    stamp = func.coalesce(Message.sent_at, Message.claimed_at)
    rows = db.execute(
        select(Message.contact_id, func.max(stamp), func.count())
        .where(
            _portfolio_senders(sender_id, portfolio),
            Message.direction == Direction.OUTBOUND,
            or_(Message.status.in_(USING_STATUSES), Message.sent_at.is_not(None)),
            stamp >= now - DAY,
        )
        .group_by(Message.contact_id)
    ).all()
    return [(int(r[0]), r[1], int(r[2])) for r in rows]


def usage_from_rows(
    rows: list[tuple[int, int, datetime]],
    now: datetime,
    reach: list[tuple[int, datetime, int]] | None = None,
) -> Usage:
    """Usage from `db_usage` rows; recipients from `db_reach` (the portfolio's window) when
    given, else from the number's own rows (each contact at its latest send)."""
    day = sorted(r[2] for r in rows)
    if reach is None:
        latest: dict[int, datetime] = {}
        for _mid, contact_id, stamp in rows:
            latest[contact_id] = max(stamp, latest.get(contact_id, stamp))
        recipients = sorted(latest.values())
    else:
        recipients = sorted(r[1] for r in reach)
    return Usage(hour=[s for s in day if s >= now - HOUR], day=day, recipients=recipients)


def room(usage: Usage, caps: Caps) -> int:
    """Messages the number may still send now; the tier is counted as if every message
    reached a new recipient (safe: the real check happens per slot)."""
    free = [caps.hourly - len(usage.hour), caps.daily - len(usage.day)]
    if caps.tier_cap is not None:
        free.append(caps.tier_cap - len(usage.recipients))
    return max(0, min(free))


def _room_at(stamps: list[datetime], cap: int | None, window: timedelta, now: datetime):
    if cap is None or len(stamps) < cap:
        return now
    if cap <= 0:
        return now + window
    return max(now, stamps[len(stamps) - cap] + window)


def next_room_at(usage: Usage, caps: Caps, now: datetime) -> datetime:
    """The earliest time every window has a free slot again."""
    return max(
        _room_at(usage.hour, caps.hourly, HOUR, now),
        _room_at(usage.day, caps.daily, DAY, now),
        _room_at(usage.recipients, caps.tier_cap, DAY, now),
    )


_stores: dict[str | None, ThrottleStore] = {}


def get_throttle() -> ThrottleStore:
    """Redis store when REDIS_URL is set, else the database store (embedded mode)."""
    url = settings.REDIS_URL
    store = _stores.get(url)
    if store is None:
        if url:
            from app.pacing.redis_store import RedisThrottle

            store = RedisThrottle(url)
        else:
            from app.pacing.db_store import DbThrottle

            store = DbThrottle()
        _stores[url] = store
    return store
