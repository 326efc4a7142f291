"""Request/response bodies for WhatsApp message templates, and the {{n}} parameter rule."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.core.enums import TemplateStatus
from app.core.schemas import DbId, RequestModel, not_null

Category = Literal["MARKETING", "UTILITY", "AUTHENTICATION"]

# Meta: template names are lowercase letters, digits and underscores, at most 512 characters.
NAME_PATTERN = r"^[a-z0-9_]+$"
# Meta language codes: `en`, `en_US`, `pt_BR`, `zh_HK`, `sr`, …
LANGUAGE_PATTERN = r"^[a-z]{2,3}(_[A-Z][A-Za-z]{1,3})?$"
BODY_MAX_CHARS = 1024  # Meta's limit for a template body

_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}")


def count_params(body: str) -> int:
    """Number of positional parameters in a template body.

    Every placeholder must be `{{n}}` with n a positive integer, and the set used must be
    exactly 1..n (Meta rejects gaps); a parameter may repeat. Raises ValueError otherwise."""
    found: set[int] = set()
    for raw in _PLACEHOLDER.findall(body):
        token = raw.strip()
        if not token.isdigit() or int(token) < 1 or token != raw:
            raise ValueError(f"placeholder {{{{{raw}}}}} is not a positional parameter {{{{n}}}}")
        found.add(int(token))
    expected = set(range(1, len(found) + 1))
    if found != expected:
        missing = sorted(expected - found) or sorted(found - expected)
        raise ValueError(
            "parameters must be consecutive from {{1}}; "
            f"used {sorted(found)}, problem at {missing}"
        )
    return len(found)


class _TemplateFields(RequestModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("category", check_fields=False, mode="before")
    @classmethod
    def _upper_category(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("status", check_fields=False, mode="before")
    @classmethod
    def _upper_status(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("body", check_fields=False)
    @classmethod
    def _params(cls, value: str | None) -> str | None:
        if value is not None:
            count_params(value)
        return value


class TemplateCreate(_TemplateFields):
    name: str = Field(min_length=1, max_length=512, pattern=NAME_PATTERN)
    language: str = Field(default="en_US", min_length=2, max_length=15, pattern=LANGUAGE_PATTERN)
    category: Category
    body: str = Field(min_length=1, max_length=BODY_MAX_CHARS)
    status: TemplateStatus = Field(
        default=TemplateStatus.PENDING,
        description="PENDING until Meta approves; APPROVED may be set locally for sandbox use.",
    )
    components: list[dict[str, Any]] = Field(default_factory=list, max_length=20)


class TemplateUpdate(_TemplateFields):
    """Partial update; name and language identify the template at Meta and cannot change."""

    category: Category | None = not_null()
    body: str | None = not_null(min_length=1, max_length=BODY_MAX_CHARS)
    status: TemplateStatus | None = not_null()
    components: list[dict[str, Any]] | None = not_null(max_length=20)

    @field_validator("category", "body", "status", "components")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may not be null")
        return value


class TemplateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    language: str
    category: str
    body: str
    param_count: int
    components: list[dict[str, Any]]
    status: str
    provider_template_id: str | None
    synced_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_model(cls, template: object) -> TemplateOut:
        data = {name: getattr(template, name) for name in cls.model_fields if name != "param_count"}
        try:
            params = count_params(data["body"] or "")
        except ValueError:  # a synced body Meta accepted with a shape we do not model
            params = 0
        return cls(**data, param_count=params)


class TemplateSyncRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")

    phone_number_id: DbId = Field(description="Our sender number id (not Meta's)")
