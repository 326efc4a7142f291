"""Pick the provider class by name."""

from __future__ import annotations

from app.integrations.llm.anthropic_provider import AnthropicProvider
from app.integrations.llm.base import ChatProvider, ProviderConfig
from app.integrations.llm.ollama_provider import OllamaProvider
from app.integrations.llm.openai_provider import OpenAIProvider

PROVIDERS = {"openai": OpenAIProvider, "anthropic": AnthropicProvider, "ollama": OllamaProvider}


def make_provider(name: str, config: ProviderConfig) -> ChatProvider:
    try:
        return PROVIDERS[name](config)
    except KeyError:
        raise ValueError(f"unknown LLM provider {name!r}") from None
