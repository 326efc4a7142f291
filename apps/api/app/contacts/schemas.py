"""Request/response bodies of the contacts API, and the field rules the CSV import shares."""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

import orjson
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

from app.core.schemas import RequestModel, not_null

MAX_TAGS = 50
MAX_TAG_LENGTH = 64
MAX_ATTRIBUTE_KEY = 100
# Attributes widen every CSV export row by one column per distinct name, so they are bounded:
# names per contact (and attribute columns per import), and the encoded size per contact.
MAX_ATTRIBUTES = 100
MAX_ATTRIBUTES_BYTES = 16_384
MAX_ATTRIBUTE_VALUE = 1024  # characters of one CSV attribute cell
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@lru_cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def clean_timezone(value: str | None) -> str | None:
    """An IANA zone name ("Europe/London"); ValueError for anything else."""
    if value is None or not value.strip():
        return None
    name = value.strip()
    if name not in _zones():
        raise ValueError(f"unknown IANA timezone {name!r}")
    return name


def clean_email(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    email = value.strip()
    if len(email) > 320 or not _EMAIL.match(email):
        raise ValueError(f"invalid email address {email!r}")
    return email


def clean_tags(values: list[str] | None) -> list[str]:
    """Trimmed, de-duplicated (order kept), non-empty tags."""
    tags: list[str] = []
    for raw in values or []:
        tag = str(raw).strip()
        if not tag or tag in tags:
            continue
        if len(tag) > MAX_TAG_LENGTH:
            raise ValueError(f"tag longer than {MAX_TAG_LENGTH} characters: {tag[:20]!r}…")
        tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise ValueError(f"at most {MAX_TAGS} tags")
    return tags


def attributes_problem(attributes: dict[str, Any]) -> str | None:
    """Why a contact's attributes are over the bounds, or None."""
    if len(attributes) > MAX_ATTRIBUTES:
        return f"at most {MAX_ATTRIBUTES} attributes per contact (got {len(attributes)})"
    try:
        size = len(orjson.dumps(attributes, option=orjson.OPT_NON_STR_KEYS))
    except TypeError:  # an integer beyond 64 bits: orjson refuses, the json module does not
        size = len(json.dumps(attributes, default=str).encode())
    if size > MAX_ATTRIBUTES_BYTES:
        return f"attributes take {size} bytes as JSON; at most {MAX_ATTRIBUTES_BYTES}"
    return None


def clean_attributes(values: dict[str, Any] | None) -> dict[str, Any]:
    attributes = dict(values or {})
    for key in attributes:
        if not key.strip() or len(key) > MAX_ATTRIBUTE_KEY:
            raise ValueError(f"attribute names must be 1-{MAX_ATTRIBUTE_KEY} characters")
    problem = attributes_problem(attributes)
    if problem is not None:
        raise ValueError(problem)
    return attributes


class _Body(RequestModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class _ContactFields(_Body):
    @field_validator("timezone", check_fields=False)
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        return clean_timezone(value)

    @field_validator("email", check_fields=False)
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return clean_email(value)

    @field_validator("tags", check_fields=False)
    @classmethod
    def _tags(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else clean_tags(value)

    @field_validator("attributes", check_fields=False)
    @classmethod
    def _attributes(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if value is None else clean_attributes(value)


class ContactCreate(_ContactFields):
    phone: str = Field(min_length=1, max_length=64, examples=["+1 415-555-0100"])
    name: str | None = Field(default=None, max_length=200)
    email: str | None = None
    tags: list[str] = Field(default_factory=list)
    attributes: dict[str, Any] = Field(default_factory=dict)
    timezone: str | None = Field(
        default=None, description="IANA name; derived from the number when absent"
    )
    opted_in: bool = Field(
        default=False, description="Record consent now. Consent is never implied."
    )
    opt_in_source: str | None = Field(default=None, max_length=100)


class ContactUpdate(_ContactFields):
    """Partial update; consent changes go through /opt-in and /opt-out."""

    phone: str | None = not_null(min_length=1, max_length=64)
    name: str | None = Field(default=None, max_length=200)
    email: str | None = None
    tags: list[str] | None = None
    attributes: dict[str, Any] | None = None
    timezone: str | None = None


class OptInRequest(_Body):
    source: str = Field(min_length=1, max_length=100, examples=["website_form"])


class OptOutRequest(_Body):
    source: str = Field(default="api", min_length=1, max_length=100)


class ContactOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    phone: str
    name: str | None
    email: str | None
    tags: list[str]
    attributes: dict[str, Any]
    timezone: str | None
    country: str | None
    opted_in: bool = Field(
        validation_alias=AliasChoices("can_receive_campaigns", "opted_in"),
        description="Opted in and not opted out: campaigns may message this contact",
    )
    opted_in_at: datetime | None
    opt_in_source: str | None
    opted_out_at: datetime | None
    opt_out_source: str | None
    last_inbound_at: datetime | None
    lead_score: int | None
    lead_tier: str | None
    created_at: datetime
    updated_at: datetime


class ContactPage(BaseModel):
    items: list[ContactOut]
    total: int
    limit: int
    offset: int


class RowError(BaseModel):
    line: int
    reason: str
    value: str | None = None


class ImportResult(BaseModel):
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    duplicates: int = 0
    invalid: int = 0
    errors: list[RowError] = Field(default_factory=list)
    errors_truncated: bool = Field(
        default=False, description="True when more rows were invalid than `errors` lists"
    )
