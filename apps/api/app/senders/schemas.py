"""Request/response bodies for sender numbers. The access token goes in, never out."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import phonenumbers
from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.core.config import settings
from app.core.schemas import INT_MAX, ISODate, RequestModel, not_null
from app.senders.limits import normalize_tier

Provider = Literal["sandbox", "cloud_api"]
QUALITY_RATINGS = ("GREEN", "YELLOW", "RED", "UNKNOWN", "NA")
Cap = Annotated[int, Field(ge=1, le=INT_MAX)]  # an INTEGER column


_PNID = {"min_length": 1, "max_length": 64, "pattern": r"^[0-9A-Za-z_.:-]+$"}


def normalize_display_phone(value: str | None) -> str | None:
    """E.164 form of a phone number (region from DEFAULT_PHONE_REGION when no +prefix)."""
    if value is None or not value.strip():
        return None
    try:
        parsed = phonenumbers.parse(value, settings.DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"not a phone number: {exc}") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError("not a valid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


class _SenderFields(RequestModel):
    """Validators shared by create and update."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("display_phone", check_fields=False)
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return normalize_display_phone(value)

    @field_validator("messaging_tier", check_fields=False)
    @classmethod
    def _tier(cls, value: str | None) -> str | None:
        return None if value is None else normalize_tier(value)

    @field_validator("quality_rating", check_fields=False)
    @classmethod
    def _quality(cls, value: str | None) -> str | None:
        if value is None:
            return None
        upper = value.upper()
        if upper not in QUALITY_RATINGS:
            raise ValueError(f"expected one of {', '.join(QUALITY_RATINGS)}")
        return upper


class SenderCreate(_SenderFields):
    name: str = Field(min_length=1, max_length=200)
    phone_number_id: str = Field(description="Cloud API phone number id", **_PNID)
    display_phone: str | None = Field(default=None, max_length=32)
    waba_id: str | None = Field(default=None, max_length=64)
    provider: Provider = Field(default_factory=lambda: settings.WHATSAPP_PROVIDER)
    access_token: str | None = Field(default=None, min_length=1, max_length=4096)
    warmup_started_on: ISODate | None = Field(
        default=None, description="Day 1 of warm-up; defaults to today (UTC). null = no warm-up."
    )
    max_per_hour: Cap | None = None
    max_per_day: Cap | None = None
    quality_rating: str = "UNKNOWN"
    messaging_tier: str = "TIER_250"


class SenderUpdate(_SenderFields):
    """Partial update; only fields present in the body change. `access_token` rotates the token
    (null removes it)."""

    name: str | None = not_null(min_length=1, max_length=200)
    phone_number_id: str | None = not_null(**_PNID)
    display_phone: str | None = Field(default=None, max_length=32)
    waba_id: str | None = Field(default=None, max_length=64)
    provider: Provider | None = not_null()
    access_token: str | None = Field(default=None, min_length=1, max_length=4096)
    warmup_started_on: ISODate | None = None
    max_per_hour: Cap | None = None
    max_per_day: Cap | None = None
    quality_rating: str | None = not_null()
    messaging_tier: str | None = not_null()

    @field_validator("name", "phone_number_id", "provider", "quality_rating", "messaging_tier")
    @classmethod
    def _not_null(cls, value: object) -> object:
        # Runs only for values present in the body: an explicit null is refused here.
        if value is None:
            raise ValueError("may not be null")
        return value


class StatusChange(RequestModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str | None = Field(default=None, max_length=500)


class SenderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    phone_number_id: str
    display_phone: str | None
    waba_id: str | None
    provider: str
    has_access_token: bool
    warmup_started_on: date | None
    max_per_hour: int | None
    max_per_day: int | None
    quality_rating: str
    messaging_tier: str
    status: str
    status_reason: str | None
    status_changed_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_model(cls, sender: object) -> SenderOut:
        """The public view: token presence only, never the token (encrypted or not)."""
        data = {
            name: getattr(sender, name) for name in cls.model_fields if name != "has_access_token"
        }
        return cls(**data, has_access_token=bool(getattr(sender, "access_token_encrypted", None)))


class SenderStatusOut(BaseModel):
    """What the sending engine enforces now: sliding windows over the `messages` table, where
    rows still in flight (`sending`, `unknown`) count like sent ones."""

    id: int
    status: str
    status_reason: str | None
    warmup_day: int | None
    warmup_cap: int | None
    tier_cap: int | None = Field(description="Meta tier: unique recipients per moving 24 h.")
    hourly_cap: int = Field(description="Effective cap over any 60 minutes.")
    daily_cap: int = Field(description="Effective cap over any 24 hours.")
    sent_last_hour: int = Field(description="Sent or in flight in the last 60 minutes.")
    sent_last_24h: int = Field(description="Sent or in flight in the last 24 hours.")
    recipients_last_24h: int = Field(
        description="Unique contacts reached in the last 24 h by the number's business "
        "portfolio (every number with its waba_id): what tier_cap limits."
    )
    sent_today: int = Field(description="Since 00:00 UTC; information only (caps slide).")
    remaining_this_hour: int = Field(description="Room in the 60-minute window (and the 24 h).")
    remaining_24h: int = Field(description="Room in the 24-hour window.")
    remaining_recipients_24h: int | None = Field(
        description="New contacts the portfolio's tier still allows; null = unlimited."
    )
    sendable_now: int = Field(
        description="Messages the engine may claim right now: the least room of every window, "
        "each message counted as a new recipient."
    )
    next_room_at: datetime | None = Field(
        description="When sendable_now is 0: the earliest time every window has room again."
    )
    quality_rating: str
    messaging_tier: str
