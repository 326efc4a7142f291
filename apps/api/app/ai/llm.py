"""The LLM client the AI features use: `await get_llm_client().complete(prompt)` (seed).

`complete_json` asks for a JSON object and validates it with a pydantic schema, so a feature
gets either a valid object or `LLMUnavailable` — never half-parsed text. The provider's bounded
retries (429/5xx/timeouts) happen below this; what reaches a feature is one final verdict, and
the feature answers from its local implementation with `fallback_reason = exc.reason`.
With `LLM_PROVIDER=local` (the default) there is no model to call: `complete` raises
`LLMUnavailable("not_configured")` and every feature answers from its offline code.
"""

from __future__ import annotations

import json
import re
import time
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from app.core.config import settings
from app.core.metrics import AI_SECONDS, record_ai_fallback
from app.integrations.llm import LLMCallError, ProviderConfig, make_provider
from app.integrations.llm.base import INVALID_JSON, NOT_CONFIGURED, ChatProvider

T = TypeVar("T", bound=BaseModel)

_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.S)


class LLMUnavailable(Exception):
    """No usable answer; `reason` is what the API reports as `fallback_reason`."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def parse_json(text: str, schema: type[T]) -> T:
    """The schema instance in `text` (a bare object, optionally in a ``` fence)."""
    fenced = _FENCE.match(text)
    raw = fenced.group(1) if fenced else text.strip()
    if not raw.startswith("{"):
        start, end = raw.find("{"), raw.rfind("}")
        raw = raw[start : end + 1] if 0 <= start < end else raw
    try:
        return schema.model_validate(json.loads(raw))
    except (ValueError, ValidationError) as exc:  # JSONDecodeError is a ValueError
        raise LLMUnavailable(INVALID_JSON, str(exc)[:200]) from exc


def json_instruction(schema: type[BaseModel]) -> str:
    return (
        "Answer with one JSON object only, no prose and no code fence, matching this JSON "
        f"schema: {json.dumps(schema.model_json_schema(), separators=(',', ':'))}"
    )


class LLMClient:
    """One configured provider. Cheap to build: the SDK clients underneath are kept per event
    loop by the providers (`PerLoopClients`), so calls on one loop share an HTTP pool."""

    def __init__(self, provider: ChatProvider | None, model: str) -> None:
        self._provider = provider
        self.provider = provider.name if provider else "local"
        self.model = model

    @property
    def configured(self) -> bool:
        return self._provider is not None

    async def complete(
        self, prompt: str, *, system: str | None = None, operation: str = "complete"
    ) -> str:
        return await self._chat(prompt, system=system, json_mode=False, operation=operation)

    async def complete_json(
        self,
        prompt: str,
        schema: type[T],
        *,
        system: str | None = None,
        operation: str = "complete",
    ) -> T:
        """`operation` names the feature (classify, rewrite) in /metrics."""
        system = f"{system}\n\n{json_instruction(schema)}" if system else json_instruction(schema)
        text = await self._chat(prompt, system=system, json_mode=True, operation=operation)
        try:
            return parse_json(text, schema)
        except LLMUnavailable as exc:
            record_ai_fallback(self.provider, exc.reason)
            raise

    async def _chat(
        self, prompt: str, *, system: str | None, json_mode: bool, operation: str
    ) -> str:
        if self._provider is None:
            raise LLMUnavailable(NOT_CONFIGURED, "LLM_PROVIDER=local")
        started = time.perf_counter()
        try:
            return await self._provider.chat(prompt, system=system, json_mode=json_mode)
        except LLMCallError as exc:
            record_ai_fallback(self.provider, exc.reason)
            raise LLMUnavailable(exc.reason, exc.detail) from exc
        finally:  # failed calls too: a slow timeout is what an operator needs to see
            AI_SECONDS.labels(self.provider, operation).observe(time.perf_counter() - started)


def provider_config() -> ProviderConfig:
    name = settings.LLM_PROVIDER
    api_key = {"openai": settings.OPENAI_API_KEY, "anthropic": settings.ANTHROPIC_API_KEY}
    base_url = {
        "openai": settings.OPENAI_BASE_URL,
        "anthropic": settings.ANTHROPIC_BASE_URL,
        "ollama": settings.OLLAMA_BASE_URL,
    }
    return ProviderConfig(
        model=settings.LLM_MODEL,
        temperature=settings.LLM_TEMPERATURE,
        max_tokens=settings.LLM_MAX_TOKENS,
        timeout=settings.LLM_TIMEOUT_SECONDS,
        max_retries=settings.LLM_MAX_RETRIES,
        api_key=api_key.get(name),
        base_url=base_url.get(name),
    )


def get_llm_client() -> LLMClient:
    """The client for the current settings (read at each call, so a settings change applies)."""
    if settings.LLM_PROVIDER == "local":
        return LLMClient(None, "local")
    return LLMClient(make_provider(settings.LLM_PROVIDER, provider_config()), settings.LLM_MODEL)
