"""Quiet hours (SPEC §6): no campaign message outside QUIET_HOURS_END..QUIET_HOURS_START
(09:00–20:00 by default) in the contact's local time.

The zone is the contact's `timezone`, else the one libphonenumber gives the number's region,
else UTC. A zone name we cannot load falls back the same way.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.contacts.phone import timezone_for
from app.core.config import settings


@lru_cache(maxsize=4096)
def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@lru_cache(maxsize=65536)
def _zone_for_phone(phone: str) -> ZoneInfo | None:

    return _zone(timezone_for(phone))


def contact_zone(*, timezone: str | None, phone: str | None) -> ZoneInfo:
    return _zone(timezone) or (_zone_for_phone(phone) if phone else None) or ZoneInfo("UTC")


def _allowed(local: datetime) -> bool:
    start, end = settings.QUIET_HOURS_END, settings.QUIET_HOURS_START  # allowed window
    hour = local.hour + local.minute / 60 + local.second / 3600
    if start <= end:
        return start <= hour < end
    return hour >= start or hour < end  # allowed window wraps midnight


def next_allowed(*, now: datetime, timezone: str | None, phone: str | None) -> datetime | None:
    """None when a campaign message may go now, else the next allowed moment (UTC-aware)."""
    if not settings.QUIET_HOURS_ENABLED or settings.QUIET_HOURS_START == settings.QUIET_HOURS_END:
        return None
    zone = contact_zone(timezone=timezone, phone=phone)
    local = now.astimezone(zone)
    if _allowed(local):
        return None
    opens = time(hour=settings.QUIET_HOURS_END)
    candidate = datetime.combine(local.date(), opens, tzinfo=zone)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), opens, tzinfo=zone)
    return candidate.astimezone(now.tzinfo)
