"""Ollama through its official `ollama` client (`/api/chat`). The client has no retry of its
own, so 429/5xx and timeouts are retried here: at most `max_retries` more attempts with
exponential back-off starting at BASE_DELAY seconds."""

from __future__ import annotations

import asyncio

import httpx
import ollama

from app.integrations.llm.base import (
    ERROR,
    INVALID_JSON,
    TIMEOUT,
    LLMCallError,
    PerLoopClients,
    ProviderConfig,
    chat_messages,
    status_reason,
)

BASE_DELAY = 0.5
MAX_DELAY = 8.0


def _client(cfg: ProviderConfig) -> ollama.AsyncClient:
    return ollama.AsyncClient(host=cfg.base_url or None, timeout=cfg.timeout)


_clients = PerLoopClients(_client)


class OllamaProvider:
    name = "ollama"

    def __init__(self, config: ProviderConfig) -> None:
        self.config = config

    async def chat(self, prompt: str, *, system: str | None = None, json_mode: bool = False) -> str:
        cfg = self.config
        messages = chat_messages(prompt, system)
        client = await _clients.get(cfg)
        for attempt in range(cfg.max_retries + 1):
            try:
                response = await client.chat(
                    model=cfg.model,
                    messages=messages,
                    format="json" if json_mode else None,
                    options={"temperature": cfg.temperature, "num_predict": cfg.max_tokens},
                )
                break
            except (ollama.ResponseError, httpx.TimeoutException) as exc:
                error = _translate(exc)
                if error.reason == ERROR or attempt == cfg.max_retries:
                    raise error from exc
                await asyncio.sleep(min(MAX_DELAY, BASE_DELAY * 2**attempt))
            except ValueError as exc:  # a 200 whose body is not the documented JSON
                raise LLMCallError(INVALID_JSON, str(exc)[:200]) from exc
            except (httpx.HTTPError, ConnectionError) as exc:
                raise LLMCallError(ERROR, str(exc)[:200]) from exc
        content = getattr(getattr(response, "message", None), "content", None)
        if not isinstance(content, str):
            raise LLMCallError(INVALID_JSON, "response has no message content")
        return content


def _translate(exc: Exception) -> LLMCallError:
    if isinstance(exc, httpx.TimeoutException):
        return LLMCallError(TIMEOUT, str(exc) or "timed out")
    status = getattr(exc, "status_code", None)
    return LLMCallError(status_reason(status), str(exc)[:200])
