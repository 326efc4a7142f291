"""Quiet hours (SPEC §6): no campaign message outside QUIET_HOURS_END..QUIET_HOURS_START
(09:00–20:00 by default) in the contact's local time.

The zone is the contact's explicit `timezone`, else every zone libphonenumber gives the
number's prefix, else UTC. A prefix may span several offsets (Portuguese mobiles: Azores and
Lisbon, an hour apart; CD, KI, PF): then a message goes only in the hours allowed in ALL of
them. A contact's `timezone` equal to the prefix's first zone is what contact creation
derives from the number, not a choice, so it is read as "derived" (all zones). When the zones
of a prefix share no allowed hour at all, the first zone decides. A zone name we cannot load
falls back the same way.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.contacts.phone import timezones_for
from app.core.config import settings

UTC_ZONE = ZoneInfo("UTC")


@lru_cache(maxsize=4096)
def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@lru_cache(maxsize=65536)
def _zones_for_phone(phone: str) -> tuple[ZoneInfo, ...]:
    return tuple(z for z in map(_zone, timezones_for(phone)) if z is not None)


def contact_zones(*, timezone: str | None, phone: str | None) -> tuple[ZoneInfo, ...]:
    """The zones whose quiet hours apply to the contact (see the module doc)."""
    derived = _zones_for_phone(phone) if phone else ()
    explicit = _zone(timezone)
    if explicit is not None and not (derived and explicit == derived[0]):
        return (explicit,)
    return derived or (explicit or UTC_ZONE,)


def contact_zone(*, timezone: str | None, phone: str | None) -> ZoneInfo:
    return contact_zones(timezone=timezone, phone=phone)[0]


def _allowed(local: datetime) -> bool:
    start, end = settings.QUIET_HOURS_END, settings.QUIET_HOURS_START  # allowed window
    hour = local.hour + local.minute / 60 + local.second / 3600
    if start <= end:
        return start <= hour < end
    return hour >= start or hour < end  # allowed window wraps midnight


def _opening(at: datetime, zone: ZoneInfo) -> datetime:
    """The next moment after `at` when the allowed window opens in `zone`."""
    local = at.astimezone(zone)
    opens = time(hour=settings.QUIET_HOURS_END)
    candidate = datetime.combine(local.date(), opens, tzinfo=zone)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), opens, tzinfo=zone)
    return candidate


def next_allowed(*, now: datetime, timezone: str | None, phone: str | None) -> datetime | None:
    """None when a campaign message may go now, else the next allowed moment (UTC-aware)."""
    if not settings.QUIET_HOURS_ENABLED or settings.QUIET_HOURS_START == settings.QUIET_HOURS_END:
        return None
    zones = contact_zones(timezone=timezone, phone=phone)
    at = now
    # Jump to the latest opening among the zones still quiet, until all are open together.
    # Nothing allowed is skipped: every moment jumped over is quiet in some zone.
    for _ in range(4 * len(zones) + 2):
        quiet = [z for z in zones if not _allowed(at.astimezone(z))]
        if not quiet:
            return None if at == now else at.astimezone(now.tzinfo)
        at = max(_opening(at, z) for z in quiet)
        if at - now > timedelta(days=2):
            break
    first = zones[0]  # the zones share no allowed hour: the first one decides
    return None if _allowed(now.astimezone(first)) else _opening(now, first).astimezone(now.tzinfo)
