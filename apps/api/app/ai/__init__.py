"""The AI domain. Seed API: `from app.ai import MessageRewriter, get_llm_client`.

Loaded lazily (PEP 562) so importing `app.ai.models` for the ORM does not pull in the
rewriter's phrase tables or the LLM SDKs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.ai.llm import LLMClient, LLMUnavailable, get_llm_client
    from app.ai.rewriter.service import MessageRewriter

__all__ = ["LLMClient", "LLMUnavailable", "MessageRewriter", "get_llm_client"]


def __getattr__(name: str) -> Any:
    if name == "MessageRewriter":
        from app.ai.rewriter.service import MessageRewriter

        return MessageRewriter
    if name in ("get_llm_client", "LLMClient", "LLMUnavailable"):
        from app.ai import llm

        return getattr(llm, name)
    raise AttributeError(f"module 'app.ai' has no attribute {name!r}")
