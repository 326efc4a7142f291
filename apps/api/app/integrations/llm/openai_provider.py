"""OpenAI (and any OpenAI-compatible server: vLLM, LM Studio, llama.cpp, gateways) through the
official `openai` SDK. The SDK retries 429/5xx/timeouts itself, `max_retries` times, honouring
`retry-after`; we only translate what is left into LLMCallError."""

from __future__ import annotations

import openai

from app.integrations.llm.base import (
    INVALID_JSON,
    LLMCallError,
    ProviderConfig,
    chat_messages,
    sdk_clients,
    sdk_error,
)

_clients = sdk_clients(openai.AsyncOpenAI)


class OpenAIProvider:
    name = "openai"

    def __init__(self, config: ProviderConfig) -> None:
        self.config = config

    async def chat(self, prompt: str, *, system: str | None = None, json_mode: bool = False) -> str:
        cfg = self.config
        messages = chat_messages(prompt, system)
        extra = {"response_format": {"type": "json_object"}} if json_mode else {}
        try:
            client = await _clients.get(cfg)
            response = await client.chat.completions.create(
                model=cfg.model,
                messages=messages,
                temperature=cfg.temperature,
                max_tokens=cfg.max_tokens,
                **extra,
            )
        except (openai.OpenAIError, ValueError) as exc:
            raise sdk_error(exc, openai) from exc
        try:
            content = response.choices[0].message.content
        except (AttributeError, IndexError, TypeError) as exc:
            raise LLMCallError(INVALID_JSON, "response has no choices") from exc
        if not isinstance(content, str):
            raise LLMCallError(INVALID_JSON, "response has no text content")
        return content
