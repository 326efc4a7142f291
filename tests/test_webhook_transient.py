"""A database-level failure (deadlock, lock timeout, serialization failure, lost connection)
while an inbound record is applied must never mark its event processed: the event stays
pending with the error and a later sweep applies it — an inbound STOP is never lost. Only a
data error of one record (an unparseable phone) is recorded and skipped."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from app.contacts import service as contacts_service
from app.contacts.models import Contact
from app.core.db import get_sessionmaker
from app.inbound.models import WebhookEvent
from app.inbound.tasks import (
    process_incoming_message,
    process_pending_events,
    process_pending_webhooks,
)
from app.messaging.models import Message
from app.outbound.dispatch import claim_next
from app.outbound.pipeline import process_batch
from app.pacing import get_throttle
from tests.engine_support import make_campaign, make_contacts
from tests.fakes.graph_api import graph_api_fixture  # noqa: F401  (fixture "graph_api")
from tests.support.engine import engine_settings  # noqa: F401  (autouse fixture)
from tests.support.factories import make_contact, make_sender
from tests.support.webhooks import inbound_webhook
from tests.test_engine_pipeline import big_sender, fresh
from tests.test_webhook_failures import store

PHONE = "+447400000001"


def stop_state(db, phone: str = PHONE):
    fresh(db)
    event = db.scalar(select(WebhookEvent))
    opted_out = db.scalar(select(Contact.opted_out_at).where(Contact.phone == phone))
    stored = db.scalar(select(Message.id).where(Message.direction == "inbound"))
    return event, opted_out, stored


TRANSIENT = [
    psycopg.errors.DeadlockDetected("deadlock detected"),
    psycopg.errors.LockNotAvailable("canceling statement due to lock timeout"),
    psycopg.errors.SerializationFailure("could not serialize access"),
    psycopg.OperationalError("server closed the connection unexpectedly"),
]


@pytest.mark.parametrize("cause", TRANSIENT, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("path", ["sweep", "per_event"])
def test_transient_error_in_opt_out_keeps_the_event_for_a_retry(
    db, workspace, monkeypatch, cause, path
):
    sender = make_sender(db, workspace.id)
    make_contact(db, workspace.id, PHONE)
    event_id = store(db, inbound_webhook(sender.phone_number_id, PHONE, "STOP", "wamid.stop1"))

    real, calls = contacts_service.opt_out, []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) <= 2:  # the batch, then its event-by-event redo
            raise OperationalError("UPDATE contacts SET opted_out_at …", {}, cause)
        return real(**kwargs)

    monkeypatch.setattr(contacts_service, "opt_out", flaky)
    if path == "sweep":
        process_pending_webhooks.run(older_than_seconds=0)
    else:
        calls.append(1)  # a single event is not redone: one failure is enough
        with pytest.raises(OperationalError):
            process_incoming_message.run(event_id)
    event, opted_out, stored = stop_state(db)
    assert event.processed_at is None and event.attempts == 1
    assert type(cause).__name__ in event.processing_error
    assert opted_out is None and stored is None  # rolled back with the event, not lost

    process_pending_webhooks.run(older_than_seconds=0)  # the next sweep retries it
    event, opted_out, stored = stop_state(db)
    assert event.processed_at is not None and event.processing_error is None
    assert opted_out is not None and stored is not None


def test_data_error_of_one_record_is_recorded_and_skipped(db, workspace):
    sender = make_sender(db, workspace.id)
    make_contact(db, workspace.id, PHONE)
    payload = inbound_webhook(sender.phone_number_id, PHONE, "STOP", "wamid.stop2")
    messages = payload["entry"][0]["changes"][0]["value"]["messages"]
    messages.insert(0, {**messages[0], "id": "wamid.bad", "from": "not-a-phone"})
    store(db, payload)
    process_pending_webhooks.run(older_than_seconds=0)
    event, opted_out, stored = stop_state(db)
    assert event.processed_at is not None and "wamid.bad" in event.processing_error
    assert opted_out is not None and stored is not None


def test_real_deadlock_with_a_send_batch_retries_the_stop(db, workspace, graph_api):
    """The sweep's transaction holds contact 2 (an earlier event of its batch); a send batch
    holds FOR SHARE on contact 1 and waits for contact 2; the sweep's STOP from contact 1 then
    waits for the batch: a real deadlock. The sweep is made the victim (shorter
    deadlock_timeout): its STOP event stays pending, and the next sweep applies it."""
    sender = big_sender(db, workspace.id)
    c1, c2 = make_contacts(db, workspace.id, 2)
    make_campaign(db, workspace.id, sender.id, [c1, c2])
    phone1 = db.scalar(select(Contact.phone).where(Contact.id == c1))
    store(db, inbound_webhook(sender.phone_number_id, phone1, "STOP", "wamid.stopX"))
    throttle = get_throttle()
    info, batch = claim_next(sender_id=sender.id, throttle=throttle, limit=2)
    assert len(batch) == 2

    sweep = get_sessionmaker()()
    sweep.execute(text("SET deadlock_timeout = '50ms'"))
    sweep.execute(text("UPDATE contacts SET last_inbound_at = now() WHERE id = :i"), {"i": c2})
    out: dict = {}

    def send() -> None:
        try:
            out["report"] = process_batch(sender=info, rows=batch, throttle=throttle)
        except Exception as exc:  # reported below
            out["error"] = repr(exc)

    thread = threading.Thread(target=send)
    thread.start()
    time.sleep(0.5)  # the batch holds FOR SHARE on contact 1 and waits for contact 2
    assert process_pending_events(db=sweep, limit=500, max_attempts=5) == 1
    sweep.commit()
    sweep.close()
    thread.join(30)
    assert "error" not in out, out

    event, opted_out, stored = stop_state(db, phone1)
    assert event.processed_at is None and "DeadlockDetected" in event.processing_error
    assert opted_out is None and stored is None

    process_pending_webhooks.run(older_than_seconds=0)
    event, opted_out, stored = stop_state(db, phone1)
    assert event.processed_at is not None and opted_out is not None and stored is not None
