# PLACEHOLDER (owner: h9a) — the contract's entry point. This branch has no LLM client yet, so
# a configured LLM is reported as unavailable and the local classifier answers, as the real
# service does on an LLM failure.
"""Reply classification: LLM when configured, else the local classifier."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.ai.classifier.local import classify_local
from app.ai.classifier.schemas import Classification
from app.core.config import settings


async def classify_reply(
    reply_text: str,
    original_message: str | None = None,
    *,
    db: Session | None = None,
    workspace_id: int | None = None,
) -> Classification:
    result = classify_local(reply_text, original_message)
    if settings.LLM_PROVIDER != "local":
        result.fallback_reason = "not_configured"
    return result
