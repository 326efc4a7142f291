"""Anthropic through the official `anthropic` SDK (Messages API). Like OpenAI's, the SDK
retries 429/5xx/timeouts `max_retries` times itself. LLM_TEMPERATURE is not sent: the current
SDK's `messages.create` has no sampling parameter (the model's default applies)."""

from __future__ import annotations

import anthropic

from app.integrations.llm.base import (
    INVALID_JSON,
    LLMCallError,
    ProviderConfig,
    sdk_clients,
    sdk_error,
)

_clients = sdk_clients(anthropic.AsyncAnthropic)


class AnthropicProvider:
    name = "anthropic"

    def __init__(self, config: ProviderConfig) -> None:
        self.config = config

    async def chat(self, prompt: str, *, system: str | None = None, json_mode: bool = False) -> str:
        cfg = self.config
        extra = {"system": system} if system else {}
        try:
            client = await _clients.get(cfg)
            response = await client.messages.create(
                model=cfg.model,
                max_tokens=cfg.max_tokens,
                messages=[{"role": "user", "content": prompt}],
                **extra,
            )
        except (anthropic.AnthropicError, ValueError) as exc:
            raise sdk_error(exc, anthropic) from exc
        texts = [
            block.text
            for block in (getattr(response, "content", None) or [])
            if getattr(block, "type", None) == "text" and isinstance(block.text, str)
        ]
        if not texts:
            raise LLMCallError(INVALID_JSON, "response has no text block")
        return "".join(texts)
