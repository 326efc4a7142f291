"""The LLM client through each official SDK against a loopback server speaking its wire format:
success, timeout, 429, 500 and invalid JSON, with the retries bounded by LLM_MAX_RETRIES."""

from __future__ import annotations

import time

import pytest
from pydantic import BaseModel

from app.ai.llm import LLMUnavailable, get_llm_client
from app.core.config import settings
from app.integrations.llm import ollama_provider
from tests.fakes.llm_servers import LLMServer

PROVIDERS = ["openai", "anthropic", "ollama"]


class Answer(BaseModel):
    intent: str
    confidence: int


def point_at(monkeypatch, server: LLMServer, *, timeout: float = 2.0, retries: int = 2) -> None:
    """Settings for `server`'s provider, as a user would write them in .env."""
    monkeypatch.setattr(settings, "LLM_PROVIDER", server.provider)
    monkeypatch.setattr(settings, "LLM_MODEL", "test-model")
    monkeypatch.setattr(settings, "LLM_TIMEOUT_SECONDS", timeout)
    monkeypatch.setattr(settings, "LLM_MAX_RETRIES", retries)
    monkeypatch.setattr(settings, "OPENAI_API_KEY", "sk-test")
    monkeypatch.setattr(settings, "ANTHROPIC_API_KEY", "sk-ant-test")
    monkeypatch.setattr(settings, "OPENAI_BASE_URL", server.url)
    monkeypatch.setattr(settings, "ANTHROPIC_BASE_URL", server.url)
    monkeypatch.setattr(settings, "OLLAMA_BASE_URL", server.url)
    monkeypatch.setattr(ollama_provider, "BASE_DELAY", 0.005)


@pytest.fixture(params=PROVIDERS)
def server(request, monkeypatch):
    with LLMServer(request.param) as srv:
        point_at(monkeypatch, srv)
        yield srv


async def test_complete_sends_the_prompt_and_returns_the_text(server):
    server.reply("Hello from the model")
    client = get_llm_client()
    assert client.provider == server.provider and client.model == "test-model"

    text = await client.complete("Say hello", system="Be brief")

    assert text == "Hello from the model"
    (body,) = server.requests
    assert body["model"] == "test-model"
    flat = str(body)
    assert "Say hello" in flat and "Be brief" in flat


async def test_complete_json_validates_with_the_schema(server):
    server.reply('```json\n{"intent": "pricing", "confidence": 87}\n```')

    answer = await get_llm_client().complete_json("classify", Answer)

    assert answer == Answer(intent="pricing", confidence=87)
    assert "confidence" in str(server.requests[0])  # the schema was sent with the request


@pytest.mark.parametrize(
    "text", ["I think it is pricing", '{"intent": "pricing"}', '{"intent": 1, "confidence": "x"}']
)
async def test_invalid_json_answer_is_invalid_json(server, text):
    server.reply(text)
    with pytest.raises(LLMUnavailable) as info:
        await get_llm_client().complete_json("classify", Answer)
    assert info.value.reason == "invalid_json"


async def test_broken_response_body_is_reported_not_raised(server):
    server.raw(b"{not json at all")
    with pytest.raises(LLMUnavailable) as info:
        await get_llm_client().complete("hi")
    assert info.value.reason in ("invalid_json", "error")


@pytest.mark.parametrize(("status", "reason"), [(429, "rate_limited"), (500, "server_error")])
async def test_429_and_5xx_are_retried_a_bounded_number_of_times(server, status, reason):
    server.fail(status, times=10)
    with pytest.raises(LLMUnavailable) as info:
        await get_llm_client().complete("hi")
    assert info.value.reason == reason
    assert len(server.requests) == 1 + settings.LLM_MAX_RETRIES  # bounded


async def test_a_transient_429_is_retried_then_succeeds(server):
    server.fail(429, times=1)
    server.reply("second time lucky")
    assert await get_llm_client().complete("hi") == "second time lucky"
    assert len(server.requests) == 2


async def test_timeout_gives_up_after_the_retries(server, monkeypatch):
    monkeypatch.setattr(settings, "LLM_TIMEOUT_SECONDS", 0.3)
    monkeypatch.setattr(settings, "LLM_MAX_RETRIES", 1)
    server.slow(1.5, times=5)
    started = time.monotonic()
    with pytest.raises(LLMUnavailable) as info:
        await get_llm_client().complete("hi")
    assert info.value.reason == "timeout"
    assert time.monotonic() - started < 3.0  # 2 attempts of 0.3 s, not 5 slow answers
    assert len(server.requests) == 2


async def test_unreachable_server_is_an_error():
    with LLMServer("openai") as srv:
        url = srv.url
    from app.ai.llm import LLMClient
    from app.integrations.llm import ProviderConfig, make_provider

    for name in PROVIDERS:
        cfg = ProviderConfig(model="m", timeout=1.0, max_retries=0, base_url=url, api_key="k")
        with pytest.raises(LLMUnavailable) as info:
            await LLMClient(make_provider(name, cfg), "m").complete("hi")
        assert info.value.reason in ("error", "timeout"), name


async def test_local_provider_is_not_configured(monkeypatch):
    monkeypatch.setattr(settings, "LLM_PROVIDER", "local")
    client = get_llm_client()
    assert client.provider == "local" and not client.configured
    with pytest.raises(LLMUnavailable) as info:
        await client.complete("Test prompt")
    assert info.value.reason == "not_configured"


def test_sdk_client_is_reused_on_a_loop_and_closed_with_it():
    import asyncio

    from app.integrations.llm import ProviderConfig, openai_provider

    cfg = ProviderConfig(model="m", base_url="http://127.0.0.1:9/v1", api_key="k")

    async def twice():
        return await openai_provider._clients.get(cfg), await openai_provider._clients.get(cfg)

    first, again = asyncio.run(twice())
    assert first is again  # one client (and HTTP pool) per loop
    assert first.is_closed()  # closed when asyncio.run shut its loop down
    other, _ = asyncio.run(twice())
    assert other is not first and other.is_closed()
