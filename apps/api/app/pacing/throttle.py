"""The throttle interface and what both stores share: the windows and the DB usage query.

A number may send when EVERY window has room: the hourly cap over any 60 minutes, the daily
cap over any 24 hours (a sliding 24 h window holds the calendar-day cap too) and Meta's tier
(unique recipients reached outside a service window in a moving 24 h; messages inside a
contact's service window do not count, so the tier is NOT part of the daily cap). The tier
belongs to the business portfolio, not the number (SPEC §6): its window is shared by every
number of the same WABA (`portfolio` = the sender's `waba_id`; a number without one has its
own window). A contact stays in it for 24 h after its LATEST counted send.

A slot is taken for a claimed message just before its send and given back when the send does
not happen (skipped, deferred, nothing-sent errors). What the database says was sent or may
have been sent (`sending`, `unknown`, `sent`…) always counts, so a lost Redis is rebuilt from it;
so do the earlier sends of a row a failed status requeued (`past_sends`), and the rows of an
erased contact (kept without their contact, docs/privacy.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import and_, case, func, or_, select, union_all
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
    (a business-initiated message: the contact is outside the 24 h service window).
    `attempt` is the row's `past_sends`: a resend after a failed status is a new send."""

    message_id: int
    contact_id: int
    new_recipient: bool = True
    attempt: int = 0

    @property
    def member(self) -> str:
        return send_key(self.message_id, self.attempt)


def send_key(message_id: int, attempt: int) -> str:
    """The window member of one send of a row: its id, then `id:n` for the n-th resend."""
    return str(message_id) if attempt <= 0 else f"{message_id}:{attempt}"


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


def _counted():  # type: ignore[no-untyped-def]
    return or_(Message.status.in_(USING_STATUSES), Message.sent_at.is_not(None))


def _contact_key():  # type: ignore[no-untyped-def]
    # An erased contact's rows have no contact_id: each counts as a recipient of its own.
    return func.coalesce(Message.contact_id, -Message.id)


def db_usage(*, db: Session, sender_id: int, now: datetime) -> list[tuple[str, int, datetime]]:
    """(window member, contact key, stamp) of every send of the number in the last 24 h,
    from `messages`: the current attempt of each counted row (stamped `sent_at`, else
    `claimed_at` while in flight or unknown) and the earlier attempts a failed status
    requeued (`past_sends`, stamped `past_sent_at`: the latest of them, so they count at
    least as long as they really do). Members match `Slot.member`."""

    stamp = func.coalesce(Message.sent_at, Message.claimed_at)
    since = now - DAY
    rows = db.execute(
        select(
            Message.id,
            _contact_key(),
            case((_counted(), stamp), else_=None),
            Message.past_sends,
            Message.past_sent_at,
        ).where(
            Message.sender_id == sender_id,
            Message.direction == Direction.OUTBOUND,
            or_(and_(_counted(), stamp >= since), Message.past_sent_at >= since),
        )
    ).all()
    out: list[tuple[str, int, datetime]] = []
    for mid, contact, current, past, past_at in rows:
        if current is not None and current >= since:
            out.append((send_key(int(mid), int(past)), int(contact), current))
        if past_at is not None and past_at >= since:
            out.extend((send_key(int(mid), k), int(contact), past_at) for k in range(int(past)))
    out.sort(key=lambda r: r[2])
    return out


def _portfolio_senders(sender_id: int, portfolio: str | None):  # type: ignore[no-untyped-def]

    if not portfolio:
        return Message.sender_id == sender_id
    return Message.sender_id.in_(select(SenderNumber.id).where(SenderNumber.waba_id == portfolio))


def db_reach(
    *, db: Session, sender_id: int, portfolio: str | None, now: datetime
) -> list[tuple[int, datetime, int]]:
    """(contact key, latest stamp, sends) of the recipients the portfolio's numbers reached
    outside their service window in the last 24 h: Meta's tier counts those only. A row not
    yet known to be inside (`outside_window` NULL: in flight) counts."""

    since = now - DAY
    mine = and_(
        _portfolio_senders(sender_id, portfolio),
        Message.direction == Direction.OUTBOUND,
        Message.outside_window.is_not(False),
    )
    stamp = func.coalesce(Message.sent_at, Message.claimed_at)
    sends = union_all(
        select(_contact_key().label("k"), stamp.label("at")).where(
            mine, _counted(), stamp >= since
        ),
        select(_contact_key().label("k"), Message.past_sent_at.label("at")).where(
            mine, Message.past_sent_at >= since
        ),
    ).subquery()
    rows = db.execute(
        select(sends.c.k, func.max(sends.c.at), func.count()).group_by(sends.c.k)
    ).all()
    return [(int(r[0]), r[1], int(r[2])) for r in rows]


def usage_from_rows(
    rows: list[tuple[str, int, datetime]],
    now: datetime,
    reach: list[tuple[int, datetime, int]] | None = None,
) -> Usage:
    """Usage from `db_usage` rows; recipients from `db_reach` (the portfolio's window) when
    given, else from the number's own rows (each contact at its latest send)."""
    day = sorted(r[2] for r in rows)
    if reach is None:
        latest: dict[int, datetime] = {}
        for _member, contact_id, stamp in rows:
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
