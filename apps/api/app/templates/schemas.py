"""Request/response bodies for WhatsApp message templates, and the parameter rule."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.core.enums import TemplateStatus
from app.core.schemas import DbId, RequestModel, not_null
from app.templates.components import parse_params, slot_fields, spec_for

Category = Literal["MARKETING", "UTILITY", "AUTHENTICATION"]

# Meta: template names are lowercase letters, digits and underscores, at most 512 characters.
NAME_PATTERN = r"^[a-z0-9_]+$"
# Meta language codes: `en`, `en_US`, `pt_BR`, `zh_HK`, `sr`, …
LANGUAGE_PATTERN = r"^[a-z]{2,3}(_[A-Z][A-Za-z]{1,3})?$"
BODY_MAX_CHARS = 1024  # Meta's limit for a template body


def count_params(body: str) -> int:
    """Number of parameters in a template body: positional `{{1}}`…`{{n}}` (consecutive from
    1; a parameter may repeat) or named `{{first_name}}`. Raises ValueError otherwise."""
    return parse_params(body).size


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
    parameter_format: Literal["POSITIONAL", "NAMED"]
    slots: list[dict[str, Any]] = Field(
        description="What a campaign fills for this template (field names of POST /campaigns)."
    )
    components: list[dict[str, Any]]
    status: str
    status_reason: str | None
    quality_score: str
    provider_template_id: str | None
    synced_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_model(cls, template: object) -> TemplateOut:
        derived = ("param_count", "parameter_format", "slots")
        data = {name: getattr(template, name) for name in cls.model_fields if name not in derived}
        try:
            spec = spec_for(body=data["body"] or "", components=data["components"])
        except ValueError:  # a synced template Meta accepted with a shape we do not model
            return cls(**data, param_count=0, parameter_format="POSITIONAL", slots=[])
        return cls(
            **data,
            param_count=spec.body_params.size,
            parameter_format="NAMED" if spec.body_params.named else "POSITIONAL",
            slots=slot_fields(spec),
        )


class TemplateSyncRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")

    phone_number_id: DbId = Field(description="Our sender number id (not Meta's)")
