"""Phone numbers: E.164 normalisation and what the number tells (country, timezone).

All parsing goes through `phonenumbers` (Google's libphonenumber metadata); nothing here guesses
number formats by hand except the common `00` international prefix, which libphonenumber only
recognises when the default region itself dials `00`.
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import PhoneNumber, PhoneNumberFormat
from phonenumbers import timezone as pn_timezone

from app.core.config import settings
from app.core.errors import ValidationFailed

_UNKNOWN_TZ = "Etc/Unknown"
_MAX_RAW = 64  # longer input is never a phone number; don't echo megabytes back


def _candidate(raw: str) -> str:
    text = raw.strip()
    if text.startswith("00"):
        # "00 44 20 ..." is the international prefix in most of the world; "011" (NANP) and
        # other IDD prefixes are handled by libphonenumber through the default region.
        text = "+" + text[2:].lstrip()
    return text


def _parse(raw: str, region: str | None) -> PhoneNumber | None:
    if not isinstance(raw, str) or not raw.strip() or len(raw) > _MAX_RAW:
        return None
    try:
        return phonenumbers.parse(_candidate(raw), region or settings.DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None


def parse_phone(raw: str, region: str | None = None) -> PhoneNumber | None:
    """The parsed, valid number, or None when `raw` is not a valid phone number."""
    number = _parse(raw, region)
    return number if number is not None and phonenumbers.is_valid_number(number) else None


def format_e164(number: PhoneNumber) -> str:
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def inspect_phone(
    raw: str, region: str | None = None
) -> tuple[PhoneNumber, str, str | None, str | None] | None:
    """(number, E.164, timezone, country) of a valid number, else None.

    The hot path of CSV import: same verdict as `phonenumbers.is_valid_number`, but the number's
    region is looked up once and reused for the country (it is the costly step for +1 numbers).
    """
    number = _parse(raw, region)
    if number is None:
        return None
    number_region = phonenumbers.region_code_for_number(number)
    if not phonenumbers.is_valid_number_for_region(number, number_region):
        return None
    country = number_region if number_region and number_region.isalpha() else None
    return number, format_e164(number), timezone_of(number), country


def require_phone(raw: str, region: str | None = None) -> PhoneNumber:
    """Like `parse_phone`, but an invalid number raises ValidationFailed(field="phone")."""
    number = parse_phone(raw, region)
    if number is None:
        shown = raw if isinstance(raw, str) and len(raw) <= _MAX_RAW else f"{str(raw)[:_MAX_RAW]}…"
        raise ValidationFailed(f"Invalid phone number: {shown!r}", field="phone", value=shown)
    return number


def normalize_phone(raw: str, region: str | None = None) -> str:
    """E.164 form of `raw` ("+14155550100"); local formats are read in `region`
    (default `settings.DEFAULT_PHONE_REGION`). Raises ValidationFailed(field="phone")."""
    return format_e164(require_phone(raw, region))


def timezone_of(number: PhoneNumber) -> str | None:
    """First IANA timezone libphonenumber associates with the number's prefix."""
    zones = pn_timezone.time_zones_for_geographical_number(number)
    first = zones[0] if zones else None
    return None if first in (None, _UNKNOWN_TZ) else first


def country_of(number: PhoneNumber) -> str | None:
    """ISO 3166-1 alpha-2 region of the number ("GB"), None for non-geographic numbers."""
    region = phonenumbers.region_code_for_number(number)
    return region if region and region.isalpha() and len(region) == 2 else None


def timezone_for(e164: str) -> str | None:
    number = parse_phone(e164)
    return timezone_of(number) if number is not None else None


def timezones_for(e164: str) -> tuple[str, ...]:
    """Every IANA zone libphonenumber associates with the number's prefix, first one first
    (`timezone_of` is that first one). Portuguese mobiles give Atlantic/Azores and
    Europe/Lisbon, an hour apart; callers that must be careful use them all."""
    number = parse_phone(e164)
    if number is None:
        return ()
    zones = pn_timezone.time_zones_for_geographical_number(number)
    return tuple(z for z in zones if z != _UNKNOWN_TZ)


def country_for(e164: str) -> str | None:
    number = parse_phone(e164)
    return country_of(number) if number is not None else None


def check_region(region: str | None, *, field: str = "default_region") -> str | None:
    """Upper-cased region code when libphonenumber knows it; ValidationFailed otherwise."""
    if region is None or not region.strip():
        return None
    code = region.strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationFailed(f"Unknown region code: {region!r}", field=field, value=region)
    return code
