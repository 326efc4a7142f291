"""Pacing policy for one sender number (SPEC §6): warm-up ramp, Meta tiers and effective caps.

Pure functions plus one counting query. The sending engine asks `effective_caps` how much a
number may send and `sent_counts` how much it already did; the database is the source of truth.

Warm-up scaling rule: `WARMUP_SCHEDULE` is the owner's 14-day ramp (20 → 1000). When
`settings.WARMUP_DAYS` is N ≠ 14, day d of N maps linearly onto the 14-day ramp:
`ramp_day = 1 + (d - 1) * 13 // (N - 1)` (N = 1 → ramp day 1). So day 1 always starts at 20,
day N always ends at 1000, a longer warm-up repeats steps and a shorter one skips steps.
After day N there is no warm-up cap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from app.core.config import settings
from app.core.enums import Direction, MessageStatus
from app.messaging.models import Message

if TYPE_CHECKING:
    from app.senders.models import SenderNumber

BASE_WARMUP_DAYS = 14

# Day of warm-up (1 = the start date) → messages allowed that day.
WARMUP_SCHEDULE: dict[int, int] = {
    1: 20,
    2: 30,
    3: 50,
    4: 75,
    5: 100,
    6: 150,
    7: 200,
    8: 300,
    9: 400,
    10: 500,
    11: 700,
    12: 900,
    13: 1000,
    14: 1000,
}

# Meta messaging-limit tiers (unique users reached outside a service window per moving 24 h).
# None = unlimited. TIER_50 / TIER_1K are older spellings Meta still returns for some numbers.
TIER_CAPS: dict[str, int | None] = {
    "TIER_50": 50,
    "TIER_250": 250,
    "TIER_1K": 1_000,
    "TIER_2K": 2_000,
    "TIER_10K": 10_000,
    "TIER_100K": 100_000,
    "TIER_UNLIMITED": None,
}
DEFAULT_TIER = "TIER_250"  # Meta's limit for a new business portfolio

_TIER_RE = re.compile(r"^(?:TIER_|LIMIT_)?(\d+)(K?)$")


def normalize_tier(value: str) -> str:
    """Canonical tier name for any spelling Meta uses: `TIER_2K`, `tier_2k`, `LIMIT_2K`,
    `2K`, `2000`, `UNLIMITED`, `TIER_UNLIMITED`. Raises ValueError for anything else."""
    text = str(value).strip().upper().replace(" ", "").replace(",", "")
    if text in ("UNLIMITED", "TIER_UNLIMITED", "LIMIT_UNLIMITED"):
        return "TIER_UNLIMITED"
    match = _TIER_RE.match(text)
    if match:
        number = int(match.group(1)) * (1000 if match.group(2) else 1)
        for name, cap in TIER_CAPS.items():
            if cap == number:
                return name
    allowed = ", ".join(TIER_CAPS)
    raise ValueError(f"unknown messaging tier {value!r}; expected one of {allowed}")


def tier_cap(tier: str | None) -> int | None:
    """Daily cap for a tier; an unreadable tier is treated as Meta's new-portfolio 250."""
    if tier is None:
        return TIER_CAPS[DEFAULT_TIER]
    try:
        return TIER_CAPS[normalize_tier(tier)]
    except ValueError:
        return TIER_CAPS[DEFAULT_TIER]


def _ramp_day(day: int, days: int) -> int:
    if days <= 1:
        return 1
    return 1 + (day - 1) * (BASE_WARMUP_DAYS - 1) // (days - 1)


def warmup_day(started_on: date | None, today: date) -> int | None:
    """Which warm-up day `today` is (1 = the start date), or None when warm-up does not apply:
    disabled, no start date, or past WARMUP_DAYS. A start date in the future counts as day 1
    (the most careful reading)."""
    if not settings.WARMUP_ENABLED or started_on is None:
        return None
    day = max(1, (today - started_on).days + 1)
    if day > settings.WARMUP_DAYS:
        return None
    return day


def warmup_cap(day: int | None) -> int | None:
    """Messages allowed on this warm-up day (scaled onto WARMUP_DAYS), None without warm-up."""
    if day is None:
        return None
    days = max(1, settings.WARMUP_DAYS)
    day = min(max(1, day), days)
    return WARMUP_SCHEDULE[_ramp_day(day, days)]


@dataclass(frozen=True)
class Caps:
    hourly: int
    daily: int
    warmup_day: int | None
    warmup_cap: int | None
    tier_cap: int | None  # unique recipients outside their service window, per portfolio


def effective_caps(sender: SenderNumber, *, today: date) -> Caps:
    """daily = min(per-number or default daily cap, warm-up cap);
    hourly = min(per-number or default hourly cap, daily).

    The tier is NOT folded into the daily cap: Meta counts unique users reached outside their
    service window per business portfolio, not messages, so in-window replies and repeats to
    one contact do not use it. The throttle checks it in its own window (`app.pacing`)."""
    day = warmup_day(sender.warmup_started_on, today)
    w_cap = warmup_cap(day)
    t_cap = tier_cap(sender.messaging_tier)
    limits = [sender.max_per_day or settings.MAX_MESSAGES_PER_DAY]
    if w_cap is not None:
        limits.append(w_cap)
    daily = min(limits)
    hourly = min(sender.max_per_hour or settings.MAX_MESSAGES_PER_HOUR, daily)
    return Caps(hourly=hourly, daily=daily, warmup_day=day, warmup_cap=w_cap, tier_cap=t_cap)


def utc_day_start(now: datetime) -> datetime:
    now = now.astimezone(UTC)
    return datetime.combine(now.date(), time.min, tzinfo=UTC)


def sent_counts(
    *, db: Session, sender_id: int, now: datetime, include_in_flight: bool = False
) -> tuple[int, int]:
    """(sent in the last hour, sent since 00:00 UTC today) for one number, from `messages`.

    Counts outbound rows whose `sent_at` falls in the window (no upper bound: a row stamped a
    moment "after" `now` by another worker's clock still used the quota). With
    `include_in_flight`, rows still `sending` or `unknown` (they may have reached Meta) count
    too, by their `claimed_at`; a caller that checks before claiming stays under the cap."""

    hour_start = now - timedelta(hours=1)
    day_start = utc_day_start(now)
    since = min(hour_start, day_start)
    if include_in_flight:
        in_flight = Message.status.in_([MessageStatus.SENDING, MessageStatus.UNKNOWN])
        stamp = func.coalesce(Message.sent_at, Message.claimed_at)
        window = or_(
            Message.sent_at >= since,
            and_(Message.sent_at.is_(None), in_flight, Message.claimed_at >= since),
        )
    else:
        stamp = Message.sent_at
        window = Message.sent_at >= since
    stmt = select(
        func.count().filter(stamp >= hour_start),
        func.count().filter(stamp >= day_start),
    ).where(
        Message.sender_id == sender_id,
        Message.direction == Direction.OUTBOUND,
        window,
    )
    last_hour, today = db.execute(stmt).one()
    return int(last_hour or 0), int(today or 0)
