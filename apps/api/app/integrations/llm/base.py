"""The provider interface the AI domain talks to, and the one error it raises.

Each provider sends one chat turn (an optional system prompt and a user prompt) and returns
the model's text. Every failure becomes `LLMCallError` with a short `reason` that the API
reports as `fallback_reason`, so callers never see an SDK's own exception types.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Generic, Protocol, TypeVar

C = TypeVar("C")

# Reasons a call can fail; the API shows them verbatim as `fallback_reason`.
TIMEOUT = "timeout"
RATE_LIMITED = "rate_limited"
SERVER_ERROR = "server_error"
INVALID_JSON = "invalid_json"
ERROR = "error"
NOT_CONFIGURED = "not_configured"


class LLMCallError(Exception):
    """A provider call that produced no usable answer (after the provider's bounded retries)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class ProviderConfig:
    """Everything a provider needs; built from settings by the AI domain."""

    model: str
    temperature: float = 0.7
    max_tokens: int = 1000
    timeout: float = 30.0
    max_retries: int = 2
    api_key: str | None = None
    base_url: str | None = None


class ChatProvider(Protocol):
    name: str
    config: ProviderConfig

    async def chat(self, prompt: str, *, system: str | None = None, json_mode: bool = False) -> str:
        """The assistant's text for one user turn; raises LLMCallError."""
        ...


class PerLoopClients(Generic[C]):
    """One SDK client per (event loop, config): building one costs 60-100 ms (TLS context,
    HTTP pool), so calls on the same loop reuse it. A client is bound to the loop it was made
    on (a Celery task runs `asyncio.run` per call), so each loop gets its own, and the client
    is closed when its loop shuts down: an async generator per client, which `asyncio.run`
    (and every runner) finalises in `shutdown_asyncgens()` while the loop still runs."""

    def __init__(self, factory: Callable[[ProviderConfig], C]) -> None:
        self._factory = factory
        self._items: dict[tuple[int, ProviderConfig], tuple[weakref.ref, C, object]] = {}

    async def get(self, config: ProviderConfig) -> C:
        loop = asyncio.get_running_loop()
        for key, (ref, _, _) in list(self._items.items()):
            alive = ref()
            if alive is None or alive.is_closed():
                del self._items[key]
        key = (id(loop), config)
        entry = self._items.get(key)
        if entry is None or entry[0]() is not loop:
            client = self._factory(config)
            closer = _close_at_shutdown(client)
            await closer.__anext__()  # registers it with this loop's async-generator hooks
            entry = (weakref.ref(loop), client, closer)
            self._items[key] = entry
        return entry[1]


def sdk_clients(client_class: Callable[..., C]) -> PerLoopClients[C]:
    """Per-loop clients of an SDK whose client takes the OpenAI-style arguments (openai and
    anthropic both do; their own retries cover 429/5xx/timeouts)."""

    def build(cfg: ProviderConfig) -> C:
        return client_class(
            api_key=cfg.api_key or "not-set",
            base_url=cfg.base_url or None,
            timeout=cfg.timeout,
            max_retries=cfg.max_retries,
        )

    return PerLoopClients(build)


async def _close_at_shutdown(client: object) -> AsyncIterator[None]:
    try:
        yield
    finally:
        await client.close()  # type: ignore[attr-defined]  # every SDK's async client has it


def chat_messages(prompt: str, system: str | None) -> list[dict[str, str]]:
    """An optional system turn, then the user turn (OpenAI and Ollama chat shape)."""
    messages = [{"role": "system", "content": system}] if system else []
    messages.append({"role": "user", "content": prompt})
    return messages


def sdk_error(exc: Exception, sdk: ModuleType) -> LLMCallError:
    """One failure of the `openai` or `anthropic` SDK (same error classes in both)."""
    if isinstance(exc, sdk.APITimeoutError):
        return LLMCallError(TIMEOUT, str(exc))
    if isinstance(exc, sdk.APIStatusError):
        return LLMCallError(status_reason(exc.status_code), str(exc)[:200])
    if isinstance(exc, sdk.APIResponseValidationError):
        return LLMCallError(INVALID_JSON, str(exc)[:200])
    return LLMCallError(ERROR, str(exc)[:200])  # connection refused, a bad body, ...


def status_reason(status: int | None) -> str:
    """The fallback reason for an HTTP status an SDK gave up on."""
    if status == 429:
        return RATE_LIMITED
    if status is not None and status >= 500:
        return SERVER_ERROR
    return ERROR
