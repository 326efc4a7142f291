"""Bodies of the auto-response and review inbox routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.core.schemas import RequestModel

# Built-in intents plus a workspace's custom ones: a short lower-case slug.
IntentName = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$", min_length=1, max_length=32)
]
ResponseText = Annotated[str, StringConstraints(min_length=1, max_length=4096)]
ReviewState = Literal["open", "handled"]
ReviewReason = Literal[
    "low_confidence",
    "complaint",
    "probable_opt_out",
    "meeting_request",
    "no_response_configured",
    "classification_failed",
    "contact_opted_out",
]


class ReplySettingsIn(RequestModel):
    model_config = ConfigDict(extra="forbid")

    auto_respond: bool | None = Field(default=None, description="Answer automatically at all.")
    confidence_threshold: int | None = Field(
        default=None, ge=0, le=100, description="Answer only at this classifier confidence or more."
    )
    cooldown_hours: float | None = Field(
        default=None,
        ge=0,
        le=24 * 30,
        allow_inf_nan=False,
        description="At most one automatic answer per contact in this many hours.",
    )
    optout_confirmation: ResponseText | None = Field(
        default=None, description="Sent once after an opt-out; send null to stop sending one."
    )


class ReplySettingsOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    auto_respond: bool
    confidence_threshold: int
    cooldown_hours: float
    optout_confirmation: str | None


class RuleIn(RequestModel):
    model_config = ConfigDict(extra="forbid")

    response: ResponseText | None = Field(
        description="Text sent for this intent ({first_name|there} placeholders work); null "
        "means: answer nothing and need no review (e.g. out-of-office replies)."
    )
    enabled: bool = True


class RuleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    intent: str
    response: str | None
    enabled: bool
    updated_at: datetime


class AutoResponsesOut(BaseModel):
    settings: ReplySettingsOut
    rules: list[RuleOut]


class ReviewItemOut(BaseModel):
    id: int
    state: ReviewState
    reason: str
    intent: str | None
    confidence: int | None
    message_id: int
    contact_id: int
    contact_name: str | None
    contact_phone: str
    campaign_id: int | None
    body: str | None
    received_at: datetime | None
    in_service_window: bool = Field(description="A free-form reply can still be sent.")
    resolution: str | None
    note: str | None
    reply_message_id: int | None
    resolved_at: datetime | None
    created_at: datetime


class ReviewPage(BaseModel):
    items: list[ReviewItemOut]
    total: int = Field(description="Items matching the filters (all pages).")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null: last.")


class ResolveAction(RequestModel):
    """How a person resolved a review item."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["reply", "mark_handled", "correct_intent", "opt_out"] = Field(
        description="reply: send `text` (inside the 24 h window, through the engine); "
        "mark_handled; correct_intent: set `intent` (becomes a training example); "
        "opt_out: opt the contact out."
    )
    text: ResponseText | None = None
    intent: IntentName | None = None
    note: Annotated[str, StringConstraints(max_length=2000)] | None = None

    @model_validator(mode="after")
    def _fields_of_the_action(self) -> ResolveAction:
        if (self.action == "reply") != (self.text is not None):
            raise ValueError("`text` is required with action reply, and only there")
        if (self.action == "correct_intent") != (self.intent is not None):
            raise ValueError("`intent` is required with action correct_intent, and only there")
        return self
