"""Request/response bodies of the campaigns API (the seed's bodies are binding)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from app.core.enums import CampaignStatus, CampaignType
from app.core.schemas import DbId, RequestModel, UTCDatetime
from app.media.schemas import MediaMessage, MediaRef

Id = DbId
# WhatsApp caps a text body at 4096 characters.
MessageText = Annotated[str, Field(min_length=1, max_length=4096)]
MAX_DRIP_STEPS = 50
MAX_DELAY_HOURS = 24 * 365


# A slot value: fixed text, or personalisation (`{first_name|there}`, `{product_name}` from
# metadata), exactly like message texts.
SlotText = Annotated[str, Field(min_length=1, max_length=1024)]
ParamName = Annotated[str, StringConstraints(pattern=r"^[a-z_][a-z0-9_]*$", max_length=100)]
ButtonIndex = Annotated[str, StringConstraints(pattern=r"^[0-9]$")]


class LocationIn(RequestModel):
    model_config = ConfigDict(extra="forbid")

    latitude: float = Field(ge=-90, le=90, allow_inf_nan=False)
    longitude: float = Field(ge=-180, le=180, allow_inf_nan=False)
    name: str | None = Field(default=None, max_length=1000)
    address: str | None = Field(default=None, max_length=1000)


class HeaderIn(RequestModel):
    """The template header's value: its text parameter, its media or its location."""

    model_config = ConfigDict(extra="forbid")

    text: SlotText | None = None
    image: MediaRef | None = None
    video: MediaRef | None = None
    document: MediaRef | None = None
    location: LocationIn | None = None

    @model_validator(mode="after")
    def _one(self) -> HeaderIn:
        if sum(v is not None for v in self.__dict__.values()) != 1:
            raise ValueError("give exactly one of text, image, video, document or location")
        return self

    def given(self) -> tuple[str, Any]:
        return next((k, v) for k, v in self.__dict__.items() if v is not None)


class TemplateComponentsIn(RequestModel):
    """What fills the template's other slots (positional body parameters: `template_params`)."""

    model_config = ConfigDict(extra="forbid")

    header: HeaderIn | None = None
    body: dict[ParamName, SlotText] | None = Field(
        default=None, description='Named body parameters: {"first_name": "{first_name|there}"}.'
    )
    buttons: dict[ButtonIndex, SlotText] = Field(
        default_factory=dict,
        description="By button index: a URL button's suffix, a copy-code button's coupon code, "
        "a quick-reply button's payload.",
    )


class _TemplateRef(RequestModel):
    """A template by id, or by name + language, and what fills its slots."""

    template_id: Id | None = None
    template_name: str | None = Field(default=None, min_length=1, max_length=512)
    language: str | None = Field(default=None, min_length=2, max_length=15)
    template_params: list[Annotated[str, Field(max_length=1024)]] = Field(
        default_factory=list, max_length=100
    )
    template_components: TemplateComponentsIn | None = None
    media: MediaMessage | None = Field(
        default=None, description="Send the text as the caption of this image/video/document."
    )

    @property
    def uses_template(self) -> bool:
        return self.template_id is not None or self.template_name is not None


class DripStepIn(_TemplateRef):
    """One element of `metadata.sequence`: `{delay_hours, message}` or a template step."""

    model_config = ConfigDict(extra="forbid")

    delay_hours: float = Field(ge=0, le=MAX_DELAY_HOURS, allow_inf_nan=False)
    message: MessageText | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> DripStepIn:
        free_form = self.message is not None or self.media is not None
        if free_form == self.uses_template:
            raise ValueError(
                "give exactly one of `message`/`media` or `template_id`/`template_name`"
            )
        if free_form and (self.template_params or self.template_components):
            raise ValueError("`template_params`/`template_components` need a template step")
        return self


class CampaignCreate(_TemplateRef):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    type: CampaignType = CampaignType.BROADCAST
    message_template: MessageText | None = None
    contact_ids: list[Id] = Field(min_length=1)
    phone_number_id: Id = Field(description="Our sender number id (GET /phone-numbers).")
    metadata: dict[str, Any] = Field(default_factory=dict)
    scheduled_at: UTCDatetime | None = None
    ai_rewrite: bool | None = Field(
        default=None, description="Rewrite per recipient with AI; default metadata.ai_rewrite."
    )

    @field_validator("contact_ids")
    @classmethod
    def _unique(cls, ids: list[int]) -> list[int]:
        return list(dict.fromkeys(ids))


class AudienceOut(BaseModel):
    total: int = Field(description="Recipients (unique contact ids).")
    eligible: int = Field(description="Opted in and not opted out.")
    opted_out: int
    not_opted_in: int
    outside_service_window: int = Field(
        description="Eligible contacts with no inbound message in the last 24 h: free-form text "
        "to them is skipped; a template reaches them."
    )


class DripStepOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    position: int
    delay_hours: float
    message_template: str | None
    template_id: int | None
    template_params: list[str]
    template_components: dict[str, Any]
    media: dict[str, Any] | None


class RewriteOut(BaseModel):
    """AI rewriting of the campaign's texts: the pool is prepared before anything is sent."""

    status: Literal["pending", "ready", "failed"] = Field(
        description="pending: being prepared, nothing sent yet; failed: the original text "
        "goes out (see fallback_reason)."
    )
    variants: int = Field(description="Variants in the pool (of the text with the most).")
    provider: str | None
    fallback_reason: str | None
    prepared_at: datetime | None

    @classmethod
    def of(cls, campaign: Any) -> RewriteOut | None:
        if campaign.rewrite_status is None:
            return None
        data = campaign.rewrite or {}
        pools = (data.get("variants") or {}).values()
        return cls(
            status=campaign.rewrite_status,
            variants=max((len(p) for p in pools), default=0),
            provider=data.get("provider"),
            fallback_reason=data.get("fallback_reason"),
            prepared_at=data.get("prepared_at"),
        )


class CampaignOut(BaseModel):
    id: int
    name: str
    type: CampaignType
    status: CampaignStatus
    status_reason: str | None
    phone_number_id: int
    message_template: str | None
    template_id: int | None
    template_params: list[str]
    template_components: dict[str, Any]
    media: dict[str, Any] | None
    metadata: dict[str, Any]
    stop_on_reply: bool
    ai_rewrite: bool
    rewrite: RewriteOut | None = Field(default=None, description="Null: not rewritten.")
    recipient_count: int
    scheduled_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    steps: list[DripStepOut] | None = Field(
        default=None, description="Drip steps in order (not included in lists)."
    )

    @classmethod
    def build(
        cls, campaign: Any, *, recipient_count: int, steps: list[Any] | None = None, **extra: Any
    ) -> Self:
        """From the ORM row plus what the row does not hold."""
        values = {name: getattr(campaign, name) for name in _COLUMNS}
        values.update(
            phone_number_id=campaign.sender_id,
            metadata=campaign.meta,
            recipient_count=recipient_count,
            rewrite=RewriteOut.of(campaign),
            steps=[DripStepOut.model_validate(s) for s in steps] if steps is not None else None,
            **extra,
        )
        return cls.model_validate(values)


_COLUMNS = (
    "id",
    "name",
    "type",
    "status",
    "status_reason",
    "message_template",
    "template_id",
    "template_params",
    "template_components",
    "media",
    "stop_on_reply",
    "ai_rewrite",
    "scheduled_at",
    "started_at",
    "completed_at",
    "created_at",
    "updated_at",
)


class CampaignCreated(CampaignOut):
    audience: AudienceOut


class CampaignDetail(CampaignOut):
    audience: AudienceOut
    message_counts: dict[str, int] = Field(description="Outbound messages by status.")
    enrollment_counts: dict[str, int] = Field(description="Drip enrollments by state.")


class CampaignPage(BaseModel):
    items: list[CampaignOut]
    total: int
    limit: int
    offset: int


StatusFilter = Literal["draft", "scheduled", "running", "paused", "completed", "cancelled"]
