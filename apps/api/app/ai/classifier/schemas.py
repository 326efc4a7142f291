# PLACEHOLDER (owner: h9a) — exactly the contract's Classification (AI_CONTRACT.md); the lead
# takes h9a's version at merge.
"""Reply classification result (SPEC §10 `/ai/classify` fields, plus language and provider)."""

from __future__ import annotations

from pydantic import BaseModel


class AutoResponse(BaseModel):
    should_respond: bool
    suggested_response: str | None
    requires_human_review: bool


class Classification(BaseModel):
    intent: str
    sentiment: str
    confidence: int
    key_phrases: list[str]
    suggested_action: str
    urgency: str
    auto_response: AutoResponse
    language: str
    provider: str = "local"
    fallback_reason: str | None = None
    opt_out: bool
