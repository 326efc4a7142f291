"""LLM providers behind one small interface (official SDKs only; nothing downloads at run time)."""

from app.integrations.llm.base import ChatProvider, LLMCallError, ProviderConfig
from app.integrations.llm.factory import make_provider

__all__ = ["ChatProvider", "LLMCallError", "ProviderConfig", "make_provider"]
