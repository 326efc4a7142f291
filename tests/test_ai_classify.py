"""POST /api/v1/ai/classify: the LLM path (each provider's wire format on loopback), the local
fallback with its reason, and opt-out decided by the explicit rules whatever the model says."""

from __future__ import annotations

import json

import pytest
from prometheus_client import REGISTRY

from app.ai.classifier.local import classify_local
from app.ai.classifier.service import classify_reply
from app.core.config import settings
from tests.fakes.llm_servers import LLMServer
from tests.test_ai_llm import point_at

SEED = {
    "reply_text": "Thanks! Can you tell me more about pricing?",
    "original_message": "We have a new product launch",
}
FIELDS = {
    "intent",
    "sentiment",
    "confidence",
    "key_phrases",
    "suggested_action",
    "urgency",
    "auto_response",
    "language",
    "provider",
    "fallback_reason",
    "opt_out",
    "probable_opt_out",
}


def llm_answer(intent: str = "pricing", confidence: int = 85, review: bool = False) -> str:
    return json.dumps(
        {
            "intent": intent,
            "sentiment": "positive",
            "confidence": confidence,
            "key_phrases": ["pricing", "more info"],
            "suggested_action": "Send pricing details",
            "urgency": "medium",
            "auto_response": {
                "should_respond": True,
                "suggested_response": "Here is our price list.",
                "requires_human_review": review,
            },
            "language": "en",
        }
    )


@pytest.fixture(params=["openai", "anthropic", "ollama"])
def llm(request, monkeypatch):
    with LLMServer(request.param) as server:
        point_at(monkeypatch, server, timeout=0.5, retries=0)
        yield server


def test_local_classify_route_has_the_seed_fields(client, auth):
    r = client.post("/api/v1/ai/classify", json=SEED, headers=auth)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == FIELDS
    assert set(body["auto_response"]) == {
        "should_respond",
        "suggested_response",
        "requires_human_review",
    }
    assert body["provider"] == "local" and body["fallback_reason"] is None
    assert 0 <= body["confidence"] <= 100


def test_stop_is_an_opt_out_by_the_rules(client, auth):
    r = client.post("/api/v1/ai/classify", json={"reply_text": "STOP"}, headers=auth)
    assert r.json()["opt_out"] is True and r.json()["intent"] == "opt_out"


def _calls(provider: str) -> float:
    labels = {"provider": provider, "operation": "classify"}
    return REGISTRY.get_sample_value("swa_ai_request_seconds_count", labels) or 0.0


def _fallbacks(provider: str, reason: str) -> float:
    labels = {"provider": provider, "reason": reason}
    return REGISTRY.get_sample_value("swa_ai_fallbacks_total", labels) or 0.0


def test_llm_answer_is_used_and_says_who_answered(client, auth, llm):
    llm.reply(llm_answer())
    calls = _calls(llm.provider)
    r = client.post("/api/v1/ai/classify", json=SEED, headers=auth)
    assert _calls(llm.provider) == calls + 1  # provider latency observed in /metrics
    body = r.json()
    assert body["provider"] == llm.provider and body["fallback_reason"] is None
    assert body["intent"] == "pricing" and body["confidence"] == 85
    assert body["auto_response"]["suggested_response"] == "Here is our price list."
    assert "pricing" in str(llm.requests[0]) and "opt_out" in str(llm.requests[0])


@pytest.mark.parametrize(
    ("script", "reason"),
    [
        (lambda s: s.reply("I think they want prices"), "invalid_json"),
        (lambda s: s.reply(llm_answer(intent="buy_a_car")), "invalid_intent"),
        (lambda s: s.fail(500), "server_error"),
        (lambda s: s.fail(429), "rate_limited"),
        (lambda s: s.slow(2.0), "timeout"),
    ],
)
def test_llm_failure_falls_back_to_local_with_the_reason(
    client, auth, llm, script, reason, monkeypatch
):
    script(llm)
    before = _fallbacks(llm.provider, reason)
    r = client.post("/api/v1/ai/classify", json=SEED, headers=auth)
    assert r.status_code == 200
    body = r.json()
    assert body["provider"] == "local" and body["fallback_reason"] == reason
    assert _fallbacks(llm.provider, reason) == before + 1  # counted once in /metrics
    monkeypatch.setattr(settings, "METRICS_TOKEN", "t0ken")
    metrics = client.get("/metrics", headers={"Authorization": "Bearer t0ken"}).text
    assert f'swa_ai_fallbacks_total{{provider="{llm.provider}",reason="{reason}"}}' in metrics


async def test_rules_override_the_model_on_opt_out(llm):
    llm.reply(llm_answer(intent="interested"))
    stop = await classify_reply("STOP")
    assert stop.opt_out and stop.intent == "opt_out" and stop.provider == llm.provider
    # the answer to an opt-out is the rules' (a confirmation at most), never the model's
    assert stop.auto_response == classify_local("STOP").auto_response

    llm.reply(llm_answer(intent="opt_out"))
    visit = await classify_reply("I'll stop by tomorrow")
    assert visit.opt_out is False  # the model alone opts nobody out
    assert visit.auto_response.requires_human_review and not visit.auto_response.should_respond


async def test_low_llm_confidence_goes_to_a_person(llm):
    llm.reply(llm_answer(confidence=40))
    result = await classify_reply("hmm maybe")
    assert result.auto_response.requires_human_review


def test_classify_disabled_is_409(client, auth, monkeypatch):
    monkeypatch.setattr(settings, "AI_REPLY_CLASSIFICATION_ENABLED", False)
    r = client.post("/api/v1/ai/classify", json=SEED, headers=auth)
    assert r.status_code == 409 and r.json()["code"] == "feature_disabled"
