# PLACEHOLDER (owner: h9a) — the shapes of AI_CONTRACT.md, so issue 10 can code against them.
"""Reply classification result (AI contract)."""

from __future__ import annotations

from pydantic import BaseModel, Field

INTENTS = (
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


class AutoResponse(BaseModel):
    should_respond: bool
    suggested_response: str | None
    requires_human_review: bool


class Classification(BaseModel):
    intent: str
    sentiment: str
    confidence: int = Field(ge=0, le=100)
    key_phrases: list[str]
    suggested_action: str
    urgency: str
    auto_response: AutoResponse
    language: str
    provider: str = "local"
    fallback_reason: str | None = None
    opt_out: bool
