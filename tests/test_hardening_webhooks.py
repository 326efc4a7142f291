"""Issue 8, defects 5 and 7 (webhook): any body that passed the signature check is stored and
acknowledged (200) or refused with a 4xx; a 5xx would make Meta retry it forever. The NUL scrub
touches `\\u0000` escapes only, never the literal text."""

from __future__ import annotations

import orjson
import pytest
from sqlalchemy import func, select

from app.inbound.models import WebhookEvent
from app.inbound.service import sign
from tests.support.factories import make_sender
from tests.support.webhooks import inbound_webhook

URL = "/api/v1/webhooks/whatsapp"


@pytest.fixture(autouse=True)
def _queue(redis_client):
    """Accepted deliveries are enqueued on the test Redis; flushed around each test."""
    return redis_client


def _post(client, raw: bytes):
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(raw)}
    return client.post(URL, content=raw, headers=headers)


def _events(db) -> list[WebhookEvent]:
    db.expire_all()
    return list(db.scalars(select(WebhookEvent).order_by(WebhookEvent.id)))


def test_nul_in_phone_number_id_is_stored_and_acknowledged(client, db):
    raw = orjson.dumps(inbound_webhook("1065\x00403", "+14155550111", "hi", "wamid.NUL1"))
    assert b"\\u0000" in raw
    r = _post(client, raw)
    assert r.status_code == 200, r.text
    (event,) = _events(db)
    assert event.workspace_id is None  # routed nowhere: no sender can have such an id
    value = event.payload["entry"][0]["changes"][0]["value"]
    assert value["metadata"]["phone_number_id"] == "1065\ufffd403"
    assert _post(client, raw).status_code == 200  # Meta's retry: same row
    assert len(_events(db)) == 1


def test_literal_backslash_u0000_text_is_kept(client, db, workspace):
    make_sender(db, workspace.id, "106540352242922")
    text = "to type NUL write \\u0000, escaped \\\\u0000"  # the text, not the character
    payload = inbound_webhook("106540352242922", "+14155550112", text, "wamid.LIT1")
    payload["entry"][0]["changes"][0]["value"]["contacts"][0]["profile"]["name"] = "A\x00B"
    r = _post(client, orjson.dumps(payload))
    assert r.status_code == 200, r.text
    (event,) = _events(db)
    value = event.payload["entry"][0]["changes"][0]["value"]
    assert value["messages"][0]["text"]["body"] == text
    assert value["contacts"][0]["profile"]["name"] == "A\ufffdB"
    assert event.workspace_id == workspace.id


@pytest.mark.parametrize("number", [b"1e-99999", b"-1.5E-123456", b"1e-16384"])
def test_numbers_jsonb_cannot_hold_are_stored(client, db, number):
    raw = (
        b'{"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": '
        b'[{"field": "messages", "value": {"metadata": {"phone_number_id": "1"}, "n": '
        + number
        + b"}}]}]}"
    )
    r = _post(client, raw)
    assert r.status_code == 200, r.text
    (event,) = _events(db)
    assert event.payload["entry"][0]["changes"][0]["value"]["n"] == 0


def test_signed_garbage_is_4xx_and_stores_nothing(client, db):
    for raw in (b'{"object": 1, "entry": {}}', b"\xff\xfe", b'["\\ud800"]', b"[1e999]"):
        r = _post(client, raw)
        assert 400 <= r.status_code < 500, (raw, r.status_code, r.text)
    assert db.scalar(select(func.count()).select_from(WebhookEvent)) == 0
