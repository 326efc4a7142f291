"""The sandbox provider: accepts sends, then reports through the real webhook ingestion path."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import func, select

from app.core.config import settings
from app.inbound.models import WebhookEvent
from app.integrations.whatsapp.base import SenderCredentials, WhatsAppError
from app.integrations.whatsapp.sandbox import SandboxProvider, plan_outcome
from app.messaging.models import Message, MessageEvent
from tests.test_ingest import PNID, USER, make_outbound, make_world
from tests.test_webhook_endpoint import drain, queued

SENDER = SenderCredentials(phone_number_id=PNID, access_token=None)


@pytest.fixture(autouse=True, params=["per_event", "batched"])
def mode(request, monkeypatch):
    """Every sandbox test runs with both webhook processing modes."""
    from app.inbound import tasks as webhook_tasks

    monkeypatch.setattr(settings, "WEBHOOK_PROCESSING", request.param)
    monkeypatch.setattr(settings, "WEBHOOK_BATCH_WINDOW_SECONDS", 0.25)
    monkeypatch.setattr(webhook_tasks, "_last_kick", -1e9)
    return request.param


def seed_for(callback: str, predicate, *, template: bool = False) -> int:
    """The first seed whose outcome for this message satisfies `predicate`."""
    for seed in range(10_000):
        if predicate(plan_outcome(seed, callback, template=template)):
            return seed
    raise AssertionError("no seed found")


def send(callback: str, *, template: bool = False, to: str = USER) -> str:
    provider = SandboxProvider()
    if template:
        coro = provider.send_template(
            sender=SENDER,
            to=to,
            name="promo",
            language="en_US",
            components=[],
            callback_data=callback,
        )
    else:
        coro = provider.send_text(sender=SENDER, to=to, body="Hello!", callback_data=callback)
    return asyncio.run(coro)


def statuses(db, message_id: int) -> list[str]:
    return list(
        db.scalars(
            select(MessageEvent.event)
            .where(MessageEvent.message_id == message_id)
            .order_by(MessageEvent.id)
        )
    )


def test_outcome_is_a_pure_function_of_seed_and_callback():
    assert plan_outcome(7, "42") == plan_outcome(7, "42")
    outcomes = [plan_outcome(7, str(i)) for i in range(2000)]
    assert len({(o.failure, o.read, o.reply) for o in outcomes}) > 3  # it does vary
    failed = sum(o.failure is not None for o in outcomes) / len(outcomes)
    read = sum(o.read for o in outcomes) / len(outcomes)
    replied = sum(o.reply is not None for o in outcomes) / len(outcomes)
    assert abs(failed - settings.SANDBOX_FAILURE_RATE) < 0.02
    assert abs(read - settings.SANDBOX_READ_RATE * (1 - failed)) < 0.05
    assert 0 < replied <= read
    assert all(o.failure[0] in (131026, 131047) for o in outcomes if o.failure)


def test_rates_come_from_settings(monkeypatch):
    monkeypatch.setattr(settings, "SANDBOX_FAILURE_RATE", 1.0)
    assert plan_outcome(1, "1", template=True).failure[0] in (131026, 131050)
    monkeypatch.setattr(settings, "SANDBOX_FAILURE_RATE", 0.0)
    monkeypatch.setattr(settings, "SANDBOX_READ_RATE", 0.0)
    outcome = plan_outcome(1, "1")
    assert outcome.failure is None and not outcome.read and outcome.reply is None


def test_invalid_recipient_is_refused_like_the_cloud_api(monkeypatch):
    monkeypatch.setattr(settings, "SANDBOX_STATUS_DELAY_SECONDS", 0)
    with pytest.raises(WhatsAppError) as err:
        send("1", to="not-a-number")
    assert err.value.code == 131009 and not err.value.retryable


def test_round_trip_with_reply_through_the_webhook_path(
    db, workspace, redis_client, monkeypatch, mode
):
    world = make_world(db, workspace.id)
    mid = make_outbound(db, world, status="sending", wamid=None)
    monkeypatch.setattr(settings, "SANDBOX_STATUS_DELAY_SECONDS", 0)
    monkeypatch.setattr(
        settings, "SANDBOX_SEED", seed_for(str(mid), lambda o: o.reply == "How much does it cost?")
    )
    wamid = send(str(mid))
    assert wamid.startswith("wamid.")
    # Signed deliveries are stored, and processing is queued exactly as for Meta's.
    expected = (
        ["update_message_status"] * 3 + ["process_incoming_message"]
        if mode == "per_event"
        else ["messaging.process_pending_webhooks"]
    )
    assert [name for name, _ in queued(redis_client)] == expected
    drain(redis_client)
    db.expire_all()
    out = db.get(Message, mid)
    assert (out.status, out.wamid) == ("read", wamid)
    assert out.sent_at and out.delivered_at and out.read_at and out.replied_at
    assert statuses(db, mid) == ["sent", "delivered", "read", "replied"]
    reply = db.scalars(select(Message).where(Message.direction == "inbound")).one()
    assert (reply.body, reply.in_reply_to_id) == ("How much does it cost?", mid)
    events = db.scalars(select(WebhookEvent)).all()
    assert {e.provider for e in events} == {"sandbox"} and len(events) == 4
    assert all(e.processed_at and e.processing_error is None for e in events)


def test_failure_and_stop_reply(db, workspace, redis_client, monkeypatch):
    world = make_world(db, workspace.id)
    failing = make_outbound(db, world, status="sending")
    stopping = make_outbound(db, world, status="sending")
    monkeypatch.setattr(settings, "SANDBOX_STATUS_DELAY_SECONDS", 0)
    seed = seed_for(
        str(failing),
        lambda o: o.failure is not None and o.failure[0] == 131050,
        template=True,
    )
    monkeypatch.setattr(settings, "SANDBOX_SEED", seed)
    send(str(failing), template=True)
    monkeypatch.setattr(
        settings, "SANDBOX_SEED", seed_for(str(stopping), lambda o: o.reply == "STOP")
    )
    send(str(stopping))
    drain(redis_client)
    db.expire_all()
    failed = db.get(Message, failing)
    assert (failed.status, failed.error_code) == ("failed", "131050")
    assert db.get(Message, stopping).status == "read"
    from app.contacts.models import Contact

    contact = db.get(Contact, world.contact_id)
    assert contact.marketing_opted_out_at is not None
    assert contact.opted_out_at is not None and contact.opt_out_source == "keyword:stop"


def test_delayed_events_are_celery_tasks_with_countdown(db, workspace, redis_client, monkeypatch):
    world = make_world(db, workspace.id)
    mid = make_outbound(db, world, status="sending")
    monkeypatch.setattr(settings, "SANDBOX_STATUS_DELAY_SECONDS", 2.0)
    monkeypatch.setattr(
        settings, "SANDBOX_SEED", seed_for(str(mid), lambda o: o.read and not o.reply)
    )
    send(str(mid))
    # Nothing is stored yet: the events wait in the broker for their countdown.
    assert db.scalar(select(func.count()).select_from(WebhookEvent)) == 0
    envelopes = [json.loads(raw) for raw in redis_client.lrange("messages", 0, -1)]
    assert all(e["headers"]["eta"] for e in envelopes)  # scheduled, not immediate
    names = [name for name, _ in queued(redis_client)]
    assert names == ["sandbox.emit_events"] * 3
    assert drain(redis_client)[:3] == ["sandbox.emit_events"] * 3  # a worker runs them later…
    drain(redis_client)  # …and then the processing they enqueued
    db.expire_all()
    assert db.get(Message, mid).status == "read"
    assert statuses(db, mid) == ["sent", "delivered", "read"]
