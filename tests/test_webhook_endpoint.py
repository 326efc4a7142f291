"""The HTTP webhook endpoint: verification, signatures, storing once, handing off to Celery.

Enqueued tasks are real messages in the test Redis; `drain()` pops them and runs the named task
(the same function a worker would run). One test runs a real Celery worker process.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
from sqlalchemy import func, select

from app.inbound.models import WebhookEvent
from app.inbound.service import sign
from app.messaging.models import Message, MessageEvent
from tests.test_ingest import inbound_payload, load, make_outbound, make_world, status_payload

URL = "/api/v1/webhooks/whatsapp"
ROOT = Path(__file__).resolve().parent.parent


def post(client, payload, *, signature: str | None = "auto", raw: bytes | None = None):
    body = raw if raw is not None else orjson.dumps(payload)
    headers = {"Content-Type": "application/json"}
    if signature == "auto":
        signature = sign(body)
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    return client.post(URL, content=body, headers=headers)


def queued(redis_client, queue: str = "messages") -> list[tuple[str, list]]:
    """(task name, args) of every message waiting in a Celery queue, oldest first."""
    out = []
    for raw in reversed(redis_client.lrange(queue, 0, -1)):
        envelope = json.loads(raw)
        args = json.loads(base64.b64decode(envelope["body"]))[0]
        out.append((envelope["headers"]["task"], args))
    return out


def wait_queued(redis_client, n: int, queue: str = "messages") -> list[tuple[str, list]]:
    """The queue once it holds n tasks: the HTTP path enqueues after answering."""
    deadline = time.monotonic() + 5
    while redis_client.llen(queue) < n and time.monotonic() < deadline:
        time.sleep(0.01)
    return queued(redis_client, queue)


def drain(redis_client, queue: str = "messages") -> list[str]:
    """Run every queued task in order, as a worker would; returns the task names."""
    from app.workers.celery_app import celery_app

    names = []
    while (raw := redis_client.rpop(queue)) is not None:
        envelope = json.loads(raw)
        args, kwargs, _ = json.loads(base64.b64decode(envelope["body"]))
        name = envelope["headers"]["task"]
        celery_app.tasks[name](*args, **kwargs)
        names.append(name)
    return names


@pytest.fixture(autouse=True)
def per_event(monkeypatch):
    """Most tests look at the per-event hand-off; the batched mode has its own tests below."""
    from app.core.config import settings
    from app.inbound import tasks as webhook_tasks

    monkeypatch.setattr(settings, "WEBHOOK_PROCESSING", "per_event")
    monkeypatch.setattr(webhook_tasks, "_last_kick", -1e9)


@pytest.fixture
def batched(monkeypatch):
    from app.core.config import settings

    monkeypatch.setattr(settings, "WEBHOOK_PROCESSING", "batched")
    monkeypatch.setattr(settings, "WEBHOOK_BATCH_WINDOW_SECONDS", 30)


def count(db, model) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model))


# --- GET verification ----------------------------------------------------------------------


def test_verification_echoes_challenge(client):
    params = {
        "hub.mode": "subscribe",
        "hub.verify_token": "test-verify-token",
        "hub.challenge": "1158201444",
    }
    r = client.get(URL, params=params)
    assert r.status_code == 200 and r.text == "1158201444"
    assert r.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": "test-verify-token", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.verify_token": "test-verify-token"},
        {},
    ],
)
def test_verification_refused(client, params):
    r = client.get(URL, params=params)
    assert r.status_code == 403 and r.json()["code"] == "forbidden"


def test_verification_rejects_oversized_challenge(client):
    params = {
        "hub.mode": "subscribe",
        "hub.verify_token": "test-verify-token",
        "hub.challenge": "x" * 600,
    }
    r = client.get(URL, params=params)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "hub.challenge"


# --- POST: signature and shape -------------------------------------------------------------


def test_signed_delivery_is_stored_and_enqueued(client, db, workspace, redis_client):
    make_world(db, workspace.id)
    r = post(client, status_payload("delivered", wamid="wamid.A"))
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    event = db.scalars(select(WebhookEvent)).one()
    assert (event.kind, event.workspace_id, event.processed_at) == ("statuses", workspace.id, None)
    assert wait_queued(redis_client, 1) == [("update_message_status", [event.id])]


def test_inbound_delivery_goes_to_process_incoming_message(client, db, workspace, redis_client):
    make_world(db, workspace.id)
    assert post(client, inbound_payload()).status_code == 200
    event_id = db.scalars(select(WebhookEvent.id)).one()
    assert wait_queued(redis_client, 1) == [("process_incoming_message", [event_id])]


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        "sha256=" + "0" * 64,
        "sha1=abc",
        "garbage",
        sign(b"another body"),
        sign(orjson.dumps(load("status_read")), "wrong-secret"),
    ],
)
def test_bad_or_missing_signature_is_401_and_stores_nothing(client, db, redis_client, signature):
    r = post(client, load("status_read"), signature=signature)
    assert r.status_code == 401 and r.json()["code"] == "invalid_signature"
    assert count(db, WebhookEvent) == 0 and queued(redis_client) == []


def test_signature_is_over_the_raw_bytes(client, db, redis_client):
    """Re-serialising the JSON (other spacing) must not verify: the HMAC covers the bytes."""
    payload = load("status_read")
    pretty = json.dumps(payload, indent=2).encode()
    r = post(client, None, raw=pretty, signature=sign(orjson.dumps(payload)))
    assert r.status_code == 401
    assert post(client, None, raw=pretty, signature=sign(pretty)).status_code == 200


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b"",
        b"[]",
        b'"text"',
        b'{"entry": []}',
        b'{"object": "x", "entry": {}}',
        b"\xff\xfe",
    ],
)
def test_malformed_body_is_400_and_stores_nothing(client, db, redis_client, raw):
    r = post(client, None, raw=raw)
    assert r.status_code == 400 and r.json()["code"] == "malformed_webhook"
    assert count(db, WebhookEvent) == 0 and queued(redis_client) == []


def test_oversized_body_is_413(client, db):
    raw = b'{"object":"x","entry":[],"pad":"' + b"x" * 1_100_000 + b'"}'
    r = post(client, None, raw=raw)
    assert r.status_code == 413 and count(db, WebhookEvent) == 0


def test_non_message_field_is_stored_and_not_enqueued(client, db, redis_client):
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "1",
                "changes": [
                    {"field": "message_template_status_update", "value": {"event": "APPROVED"}}
                ],
            }
        ],
    }
    assert post(client, payload).status_code == 200
    event = db.scalars(select(WebhookEvent)).one()
    assert event.kind == "other" and event.processed_at is not None
    assert queued(redis_client) == []


# --- POST: once and only once --------------------------------------------------------------


def test_meta_retry_of_same_delivery_has_one_row_and_one_effect(
    client, db, workspace, redis_client
):
    world = make_world(db, workspace.id)
    mid = make_outbound(db, world, wamid="wamid.A")
    payload = status_payload("read", wamid="wamid.A")
    assert post(client, payload).status_code == 200
    assert post(client, payload).status_code == 200
    assert count(db, WebhookEvent) == 1
    wait_queued(redis_client, 2)  # the retry came before processing: enqueued again (harmless)
    drain(redis_client)
    assert post(client, payload).status_code == 200  # retry after processing: not re-enqueued
    assert queued(redis_client) == []
    db.expire_all()
    assert db.get(Message, mid).status == "read"
    assert db.scalars(select(MessageEvent.event).where(MessageEvent.message_id == mid)).all() == [
        "read"
    ]


def test_end_to_end_through_drained_queue(client, db, workspace, redis_client):
    world = make_world(db, workspace.id)
    mid = make_outbound(db, world, status="sending", wamid=None)
    post(client, status_payload("sent", wamid="wamid.E2E", callback=str(mid), at=1749416400))
    post(client, status_payload("delivered", wamid="wamid.E2E", callback=str(mid), at=1749416410))
    post(client, inbound_payload(context={"from": "x", "id": "wamid.E2E"}))
    wait_queued(redis_client, 3)
    assert drain(redis_client) == [
        "update_message_status",
        "update_message_status",
        "process_incoming_message",
    ]
    db.expire_all()
    out = db.get(Message, mid)
    assert (out.status, out.wamid) == ("delivered", "wamid.E2E") and out.replied_at is not None
    reply = db.scalars(select(Message).where(Message.direction == "inbound")).one()
    assert reply.in_reply_to_id == mid
    assert db.scalar(select(func.count()).where(WebhookEvent.processed_at.is_(None))) == 0


def test_sweep_processes_events_whose_enqueue_was_lost(client, db, workspace, redis_client):
    from app.inbound.tasks import process_pending_webhooks

    world = make_world(db, workspace.id)
    mid = make_outbound(db, world, wamid="wamid.L")
    post(client, status_payload("read", wamid="wamid.L"))
    redis_client.delete("messages")  # the broker lost the task
    assert process_pending_webhooks(older_than_seconds=0) == 1
    db.expire_all()
    assert db.get(Message, mid).status == "read"


# --- batched mode ---------------------------------------------------------------------------


def test_batched_mode_coalesces_enqueues_into_one_sweep(
    client, db, workspace, redis_client, batched
):
    world = make_world(db, workspace.id)
    ids = [make_outbound(db, world, wamid=f"wamid.B{i}") for i in range(5)]
    for i in range(5):
        assert post(client, status_payload("read", wamid=f"wamid.B{i}")).status_code == 200
    post(client, inbound_payload())
    # One sweep task for six deliveries, due one window later (an ETA, not immediate).
    assert wait_queued(redis_client, 1) == [("messaging.process_pending_webhooks", [])]
    time.sleep(0.2)
    assert len(queued(redis_client)) == 1
    envelope = json.loads(redis_client.lindex("messages", 0))
    assert envelope["headers"]["eta"] and envelope["headers"]["task"].startswith("messaging.")
    assert drain(redis_client) == ["messaging.process_pending_webhooks"]
    db.expire_all()
    assert [db.get(Message, i).status for i in ids] == ["read"] * 5
    assert count(db, WebhookEvent) == 6
    assert db.scalar(select(func.count()).where(WebhookEvent.processed_at.is_(None))) == 0
    assert db.scalars(select(Message.body).where(Message.direction == "inbound")).all() == [
        "Does it come in another color?"
    ]


def test_sweep_works_through_a_backlog_in_batches(client, db, workspace, redis_client, batched):
    from app.inbound.tasks import process_pending_webhooks

    world = make_world(db, workspace.id)
    ids = [make_outbound(db, world, wamid=f"wamid.S{i}") for i in range(7)]
    for i in range(7):
        post(client, status_payload("delivered", wamid=f"wamid.S{i}"))
    assert process_pending_webhooks(older_than_seconds=0, limit=3) == 7
    db.expire_all()
    assert {db.get(Message, i).status for i in ids} == {"delivered"}
    assert process_pending_webhooks(older_than_seconds=0) == 0


def test_sweep_keeps_a_failing_event_and_applies_the_others(client, db, workspace, batched):
    from app.inbound.models import WebhookEvent as WE
    from app.inbound.tasks import MAX_ATTEMPTS, process_pending_webhooks

    world = make_world(db, workspace.id)
    good = make_outbound(db, world, wamid="wamid.OK")
    post(client, status_payload("read", wamid="wamid.OK"))
    post(client, inbound_payload())
    # Corrupt the inbound event's stored payload so processing it raises.
    bad = db.scalars(select(WE).where(WE.kind == "messages")).one()
    bad.payload = {
        "object": "x",
        "entry": [
            {
                "changes": [
                    {
                        "value": {
                            "metadata": {"phone_number_id": "106540352242922"},
                            "messages": [{"id": "w", "from": "1", "type": 5}],
                        }
                    }
                ]
            }
        ],
    }
    db.commit()
    process_pending_webhooks(older_than_seconds=0)
    db.expire_all()
    assert db.get(Message, good).status == "read"
    bad = db.get(WE, bad.id)
    assert bad.processed_at is not None and bad.processing_error  # reported, not retried forever
    assert bad.attempts <= MAX_ATTEMPTS


@pytest.fixture
def celery_worker():
    """A real worker process on the test Redis/PostgreSQL, consuming the messages queue."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "apps" / "api")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "app.workers.celery_app", "worker",
         "--queues=messages", "--pool=solo", "--concurrency=1", "--loglevel=WARNING",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def test_real_celery_worker_applies_posted_events(
    client, db, workspace, redis_client, celery_worker
):
    world = make_world(db, workspace.id)
    mid = make_outbound(db, world, wamid="wamid.W")
    post(client, status_payload("delivered", wamid="wamid.W", at=1749416410))
    post(client, status_payload("read", wamid="wamid.W", at=1749416420))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        db.expire_all()
        if db.scalar(select(func.count()).where(WebhookEvent.processed_at.is_(None))) == 0:
            break
        assert celery_worker.poll() is None, celery_worker.stderr.read().decode()[-2000:]
        time.sleep(0.2)
    msg = db.get(Message, mid)
    assert msg.status == "read"
    assert db.scalars(select(MessageEvent.event).where(MessageEvent.message_id == mid)).all() == [
        "delivered",
        "read",
    ]


# --- group commit --------------------------------------------------------------------------


async def _post_all(app, bodies: list[bytes]) -> list[int]:
    import httpx

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:

        async def one(body: bytes) -> int:
            headers = {"X-Hub-Signature-256": sign(body), "Content-Type": "application/json"}
            return (await http.post(URL, content=body, headers=headers)).status_code

        return list(await asyncio.gather(*(one(b) for b in bodies)))


def test_concurrent_deliveries_are_stored_once_each(app, db, workspace, redis_client):
    world = make_world(db, workspace.id)
    ids = [make_outbound(db, world, wamid=f"wamid.C{i}") for i in range(40)]
    bodies = [orjson.dumps(status_payload("delivered", wamid=f"wamid.C{i}")) for i in range(40)]
    codes = asyncio.run(_post_all(app, bodies + bodies[:10]))  # 10 retries racing the originals
    assert codes == [200] * 50
    assert count(db, WebhookEvent) == 40
    wait_queued(redis_client, 40)
    time.sleep(0.2)
    drain(redis_client)
    db.expire_all()
    assert {db.get(Message, i).status for i in ids} == {"delivered"}
    assert count(db, MessageEvent) == 40


def test_a_delivery_that_cannot_be_stored_fails_alone(app, db, workspace, monkeypatch):
    from app.inbound import router as webhook_router
    from app.inbound import service as webhook_service

    make_world(db, workspace.id)
    real = webhook_service.store_deliveries

    def flaky(*, db, deliveries, provider="cloud_api"):
        if any(d.payload["entry"][0]["id"] == "poison" for d in deliveries):
            raise RuntimeError("simulated storage failure")
        return real(db=db, deliveries=deliveries, provider=provider)

    monkeypatch.setattr(webhook_router, "store_deliveries", flaky)
    poison = status_payload("read", wamid="wamid.P")
    poison["entry"][0]["id"] = "poison"
    good = [orjson.dumps(status_payload("read", wamid=f"wamid.G{i}")) for i in range(8)]
    codes = asyncio.run(_post_all(app, [*good[:4], orjson.dumps(poison), *good[4:]]))
    assert codes == [200] * 4 + [503] + [200] * 4  # Meta retries the 503 later
    assert count(db, WebhookEvent) == 8


def test_nul_characters_are_stored_not_500(client, db, workspace):
    make_world(db, workspace.id)
    raw = orjson.dumps(inbound_payload(text={"body": "a\u0000b"}))
    assert b"\\u0000" in raw
    assert post(client, None, raw=raw).status_code == 200
    stored = db.scalars(select(WebhookEvent.payload)).one()
    assert stored["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"] == "a\ufffdb"


def test_twins_in_one_batch_share_one_row(db, workspace):
    from app.inbound.service import prepare, store_deliveries

    make_world(db, workspace.id)
    raw = orjson.dumps(status_payload("read", wamid="wamid.T"))
    other = orjson.dumps(status_payload("sent", wamid="wamid.T"))
    d, e = prepare(raw, sign(raw)), prepare(other, sign(other))
    first, twin, second = store_deliveries(db=db, deliveries=[d, d, e])
    db.commit()
    assert first.created and not twin.created and second.created
    assert first.event_id == twin.event_id != second.event_id
    assert first.workspace_id == workspace.id and twin.needs_processing
    again = store_deliveries(db=db, deliveries=[d])[0]
    assert not again.created and again.event_id == first.event_id
    assert count(db, WebhookEvent) == 2
