"""Bodies of `POST /api/v1/ai/rewrite`."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from app.ai.common import MessageText
from app.core.schemas import RequestModel

Tone = Literal["friendly", "professional", "casual", "formal", "enthusiastic", "empathetic"]
MAX_VARIANTS = 10


class RewriteRequest(RequestModel):
    message: MessageText
    contact_name: str | None = Field(default=None, max_length=200)
    tone: Tone = "friendly"
    variants: int = Field(
        default=1,
        ge=1,
        le=MAX_VARIANTS,
        description="How many distinct rewrites (for campaigns); `rewritten` is the first.",
    )
    seed: int = Field(default=0, ge=0, le=2**31 - 1, description="Same seed, same local output.")


class RewriteResult(BaseModel):
    original: str
    rewritten: str
    variants: list[str]
    tone: str
    provider: str = Field(description="Who answered: openai | anthropic | ollama | local")
    fallback_reason: str | None = Field(
        default=None, description="Why the local rewriter answered instead of the LLM."
    )
    preserved: list[str] = Field(default_factory=list, description="Facts kept verbatim.")


class LLMRewrite(BaseModel):
    """What the LLM must answer."""

    variants: list[str] = Field(min_length=1)
