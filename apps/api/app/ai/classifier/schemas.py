"""The classification of one inbound reply (the seed's fields, plus language and provider)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from app.ai.common import MAX_TEXT, MessageText
from app.core.schemas import RequestModel

BUILTIN_INTENTS = (
    "interested",
    "question",
    "pricing",
    "meeting_request",
    "not_interested",
    "opt_out",
    "complaint",
    "already_customer",
    "wrong_number",
    "auto_reply",
    "other",
)
Sentiment = Literal["positive", "neutral", "negative"]
Urgency = Literal["low", "medium", "high"]


class AutoResponse(BaseModel):
    should_respond: bool
    suggested_response: str | None = None
    requires_human_review: bool


class Classification(BaseModel):
    intent: str
    sentiment: Sentiment
    confidence: int = Field(ge=0, le=100, description="Calibrated P(top intent) × 100.")
    key_phrases: list[str]
    suggested_action: str
    urgency: Urgency
    auto_response: AutoResponse
    language: str = Field(description="ISO 639-1 code, or 'und'.")
    provider: str = "local"
    fallback_reason: str | None = None
    opt_out: bool = Field(
        description="True iff the explicit opt-out rules matched (a legal decision, never the "
        "model's alone)."
    )
    probable_opt_out: bool = Field(
        default=False,
        description="The rules did not match, but a model reads an opt-out request: a person "
        "should check (and campaign messages to the contact wait until they do).",
    )


class LLMClassification(BaseModel):
    """What the LLM must answer; validated before it is used."""

    intent: str
    sentiment: Sentiment
    confidence: int = Field(ge=0, le=100)
    key_phrases: list[str] = Field(default_factory=list, max_length=10)
    suggested_action: str = Field(max_length=300)
    urgency: Urgency
    auto_response: AutoResponse
    language: str = Field(default="und", max_length=8)


class ClassifyRequest(RequestModel):
    reply_text: MessageText
    original_message: str | None = Field(default=None, max_length=MAX_TEXT)
