"""CloudApiProvider end to end against the fake Graph API on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket

import pytest

from app.core.config import settings
from app.core.errors import ValidationFailed
from app.integrations.whatsapp import get_provider
from app.integrations.whatsapp.base import ErrorCategory, SenderCredentials, WhatsAppError
from app.integrations.whatsapp.cloud_api import CloudApiProvider
from tests.fakes.graph_api import DEFAULT_TOKEN, graph_api_fixture  # noqa: F401

SENDER = SenderCredentials(phone_number_id="100200300", access_token=DEFAULT_TOKEN)
TO = "+1 (555) 000-1111"
TO_DIGITS = "15550001111"


@pytest.fixture
async def provider():
    p = CloudApiProvider()
    yield p
    await p.aclose()


async def _fail(coro) -> WhatsAppError:
    with pytest.raises(WhatsAppError) as info:
        await coro
    return info.value


def _text(provider, to=TO, cb="msg-1"):
    return provider.send_text(sender=SENDER, to=to, body="Hello there", callback_data=cb)


async def test_send_text_posts_documented_body_and_returns_wamid(graph_api, provider):
    wamid = await provider.send_text(
        sender=SENDER, to=TO, body="Hi Ann", callback_data="msg-42", preview_url=True
    )
    [sent] = graph_api.requests()
    assert wamid == sent["wamid"] and wamid.startswith("wamid.")
    assert sent["phone_number_id"] == "100200300"
    assert sent["to"] == TO_DIGITS  # digits only, no '+'
    assert sent["type"] == "text" and sent["body"] == "Hi Ann"
    assert sent["callback_data"] == "msg-42"
    assert graph_api.stats()["rejected"] == 0


async def test_send_template_with_components(graph_api, provider):
    components = [{"type": "body", "parameters": [{"type": "text", "text": "Ann"}]}]
    wamid = await provider.send_template(
        sender=SENDER,
        to=TO,
        name="order_update",
        language="en_US",
        components=components,
        callback_data="msg-7",
    )
    [sent] = graph_api.requests()
    assert sent["wamid"] == wamid
    assert sent["type"] == "template"
    assert sent["template"] == {
        "name": "order_update",
        "language": {"code": "en_US"},
        "components": components,
    }
    assert sent["callback_data"] == "msg-7"


async def test_mark_read(graph_api, provider):
    await provider.mark_read(sender=SENDER, wamid="wamid.inbound1")
    stats = graph_api.stats()
    assert stats["mark_read"] == 1 and stats["accepted"] == 0 and stats["rejected"] == 0


async def test_wrong_token_is_graph_190_and_blocks_sender(graph_api, provider):
    bad = SenderCredentials(phone_number_id="100200300", access_token="wrong")
    err = await _fail(provider.send_text(sender=bad, to=TO, body="x", callback_data="m"))
    assert (err.code, err.http_status, err.category) == (190, 401, ErrorCategory.SENDER_BLOCKED)
    assert graph_api.stats()["accepted"] == 0


async def test_sender_without_token_fails_without_a_request(graph_api, provider):
    empty = SenderCredentials(phone_number_id="100200300", access_token=None)
    err = await _fail(provider.send_text(sender=empty, to=TO, body="x", callback_data="m"))
    assert err.category is ErrorCategory.SENDER_BLOCKED
    assert graph_api.stats()["requests"] == 0


async def test_empty_text_is_rejected_by_graph_as_code_100(graph_api, provider):
    err = await _fail(provider.send_text(sender=SENDER, to=TO, body="", callback_data="m"))
    assert (err.code, err.http_status, err.category) == (100, 400, ErrorCategory.PERMANENT)


async def test_recipient_without_digits_is_permanent(graph_api, provider):
    err = await _fail(_text(provider, to="not a number"))
    assert err.category is ErrorCategory.PERMANENT
    assert graph_api.stats()["requests"] == 0


@pytest.mark.parametrize(
    ("code", "http_status", "category"),
    [
        (130429, 400, ErrorCategory.RETRY),
        (131000, 500, ErrorCategory.RETRY),
        (131026, 400, ErrorCategory.PERMANENT),
        (131047, 400, ErrorCategory.PERMANENT),
        (131050, 400, ErrorCategory.PERMANENT),
        (131056, 400, ErrorCategory.RECIPIENT_RATE),
        (131049, 400, ErrorCategory.MARKETING_LIMIT),
        (131048, 400, ErrorCategory.SENDER_BLOCKED),
        (368, 403, ErrorCategory.SENDER_BLOCKED),
    ],
)
async def test_scripted_graph_errors_are_classified(
    graph_api, provider, code, http_status, category
):
    graph_api.script(code=code)
    err = await _fail(_text(provider))
    assert (err.code, err.http_status, err.category) == (code, http_status, category)
    assert err.details.get("marketing_opt_out", False) is (code == 131050)
    assert err.retry_after is None


async def test_retry_after_header_is_passed_on(graph_api, provider):
    graph_api.script(code=130429, retry_after=42)
    err = await _fail(_text(provider))
    assert err.category is ErrorCategory.RETRY and err.retry_after == 42.0


async def test_recipient_rule_fails_only_that_recipient(graph_api, provider):
    graph_api.script(to="15550002222", code=131026)
    assert (await _text(provider, to="15550001111", cb="a")).startswith("wamid.")
    for cb in ("b", "c"):  # a recipient rule holds until reset
        err = await _fail(_text(provider, to="+15550002222", cb=cb))
        assert err.code == 131026
    assert (await _text(provider, to="15550003333", cb="d")).startswith("wamid.")


async def test_next_n_rule_then_success(graph_api, provider):
    graph_api.script(code=131016, times=2)
    for _ in range(2):
        assert (await _fail(_text(provider))).category is ErrorCategory.RETRY
    assert (await _text(provider)).startswith("wamid.")
    assert graph_api.stats()["by_code"] == {"131016": 2}


@pytest.mark.parametrize(
    ("http_status", "category"),
    [(502, ErrorCategory.AMBIGUOUS), (429, ErrorCategory.RETRY), (400, ErrorCategory.PERMANENT)],
)
async def test_non_json_error_body(graph_api, provider, http_status, category):
    graph_api.script(kind="malformed", http_status=http_status, body="<html>oops</html>")
    err = await _fail(_text(provider))
    assert err.category is category and err.http_status == http_status and err.code is None
    assert err.details["raw"] == "<html>oops</html>"


async def test_200_without_message_id_is_ambiguous(graph_api, provider):
    graph_api.script(kind="malformed", http_status=200, body='{"messaging_product":"whatsapp"}')
    err = await _fail(_text(provider))
    assert err.category is ErrorCategory.AMBIGUOUS and not err.retryable


async def test_slow_answer_after_sending_is_ambiguous(graph_api, provider, monkeypatch):
    monkeypatch.setattr(settings, "WHATSAPP_REQUEST_TIMEOUT", 0.5)
    graph_api.script(kind="slow", delay_ms=3000)
    err = await _fail(_text(provider, cb="slow-1"))
    assert err.category is ErrorCategory.AMBIGUOUS
    # the fake did take the message: resending would duplicate it
    assert [r["callback_data"] for r in graph_api.requests()] == ["slow-1"]


@pytest.mark.parametrize("partial", [True, False])
async def test_dropped_connection_is_ambiguous(graph_api, provider, partial):
    graph_api.script(kind="drop", partial=partial)
    err = await _fail(_text(provider))
    assert err.category is ErrorCategory.AMBIGUOUS
    assert graph_api.stats()["accepted"] == 1
    # the pool recovers: the next send on the same provider works
    assert (await _text(provider, cb="next")).startswith("wamid.")


async def test_refused_port_is_retry(monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setattr(settings, "WHATSAPP_API_BASE_URL", f"http://127.0.0.1:{port}")
    provider = CloudApiProvider()
    try:
        err = await _fail(_text(provider))
    finally:
        await provider.aclose()
    assert err.category is ErrorCategory.RETRY and err.retryable


async def test_waiting_for_a_pooled_connection_times_out_as_retry(graph_api):
    """A pool/connect timeout happens before the request is written: retry, not ambiguous."""
    provider = CloudApiProvider(timeout=1.5, connect_timeout=0.3, max_connections=1)
    graph_api.script(kind="slow", delay_ms=3000)
    try:
        first = asyncio.ensure_future(_text(provider, cb="holds-the-connection"))
        for _ in range(100):  # until the fake holds the first request (the pool is then empty)
            if await asyncio.to_thread(graph_api.requests):
                break
            await asyncio.sleep(0.01)
        second = await _fail(_text(provider, cb="waits-for-the-pool"))
        assert second.category is ErrorCategory.RETRY
        assert (await _fail(first)).category is ErrorCategory.AMBIGUOUS
    finally:
        await provider.aclose()
    assert [r["callback_data"] for r in graph_api.requests()] == ["holds-the-connection"]


async def test_concurrent_sends_share_the_pool_without_duplicates(graph_api, provider):
    graph_api.configure(latency_ms=20)
    wamids = await asyncio.gather(*(_text(provider, cb=f"m{i}") for i in range(200)))
    stats = graph_api.stats()
    assert len(set(wamids)) == 200
    assert stats["accepted"] == 200 and stats["duplicate_count"] == 0
    assert stats["in_flight_max"] > 10  # really concurrent, not serialised


def test_provider_is_usable_from_one_event_loop_after_another(graph_api):
    provider = CloudApiProvider()

    async def batch(i: int, close: bool) -> str:
        wamid = await _text(provider, cb=f"loop-{i}")
        if close:
            await provider.aclose()
        return wamid

    first = asyncio.run(batch(1, close=False))  # forgot aclose(): next loop still works
    second = asyncio.run(batch(2, close=True))
    third = asyncio.run(batch(3, close=True))
    assert len({first, second, third}) == 3
    assert graph_api.stats()["accepted"] == 3


def test_factory_picks_the_cloud_provider(monkeypatch):
    assert isinstance(get_provider("cloud_api"), CloudApiProvider)
    monkeypatch.setattr(settings, "WHATSAPP_PROVIDER", "cloud_api")
    assert isinstance(get_provider(), CloudApiProvider)
    with pytest.raises(ValidationFailed):
        get_provider("carrier_pigeon")


@pytest.mark.parametrize(
    ("path", "headers", "body", "status", "code"),
    [
        ("/v21.0/1/messages", {}, {"messaging_product": "whatsapp"}, 401, 190),
        ("/v21.0/1/messages", {"Authorization": "Bearer nope"}, {}, 401, 190),
        ("/latest/1/messages", None, {}, 400, 100),
        ("/v21.0/1/messages", None, {"to": "15550001111", "type": "text"}, 400, 100),
        (
            "/v21.0/1/messages",
            None,
            {"messaging_product": "whatsapp", "to": "+15550001111", "type": "text",
             "text": {"body": "hi"}},
            400,
            100,
        ),
        (
            "/v21.0/1/messages",
            None,
            {"messaging_product": "whatsapp", "to": "15550001111", "type": "template",
             "template": {"name": "x"}},
            400,
            100,
        ),
    ],
)  # fmt: skip
def test_fake_rejects_off_spec_requests_like_graph(graph_api, path, headers, body, status, code):
    """The fake must catch a client that drifts from the documented shapes."""
    import httpx

    headers = {"Authorization": f"Bearer {DEFAULT_TOKEN}"} if headers is None else headers
    resp = httpx.post(graph_api.url + path, json=body, headers=headers)
    assert resp.status_code == status
    assert resp.json()["error"]["code"] == code
    assert graph_api.stats()["accepted"] == 0


def test_fake_control_rejects_unknown_rule_kind(graph_api):
    import httpx

    resp = httpx.post(f"{graph_api.url}/_fake/script", json={"kind": "explode"})
    assert resp.status_code == 400
    assert graph_api.stats()["pending_rules"] == 0


def test_fake_as_a_separate_process():
    from tests.fakes.graph_api import spawn_graph_api

    async def send(url: str) -> str:
        provider = CloudApiProvider(base_url=url)
        try:
            return await _text(provider, cb="proc-1")
        finally:
            await provider.aclose()

    with spawn_graph_api(latency_ms=5) as fake:
        fake.script(to=TO_DIGITS, code=131047, times=1)
        with pytest.raises(WhatsAppError) as info:
            asyncio.run(send(fake.url))
        assert info.value.code == 131047
        wamid = asyncio.run(send(fake.url))
        records = fake.requests()
        stats = fake.stats()
    assert [r["outcome"] for r in records] == ["error", "accepted"]
    assert records[1]["wamid"] == wamid
    assert stats["duplicates"] == {}  # the error answer did not count as a delivery
