"""An inbound opt-out keyword opts its contact out on the request path, right after the raw
event is committed — before any worker processes the event (which may wait behind long dispatch
tasks on the shared queue). The later full processing stays idempotent."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select, text

from app.contacts.models import Contact
from app.core.db import get_sessionmaker
from app.inbound.models import WebhookEvent
from app.inbound.tasks import process_pending_webhooks
from app.messaging.models import Message
from tests.support.factories import make_contact, make_sender
from tests.support.webhooks import inbound_webhook as inbound
from tests.test_webhook_endpoint import post

PHONE = "+447400000001"


@pytest.fixture(autouse=True)
def batched(monkeypatch):
    """No worker runs in these tests: the sweep is only enqueued (30 s window)."""
    from app.core.config import settings
    from app.inbound import tasks as webhook_tasks

    monkeypatch.setattr(settings, "WEBHOOK_PROCESSING", "batched")
    monkeypatch.setattr(settings, "WEBHOOK_BATCH_WINDOW_SECONDS", 30)
    monkeypatch.setattr(webhook_tasks, "_last_kick", -1e9)


def contact(db, phone: str = PHONE, workspace_id: int | None = None) -> Contact:
    db.expire_all()
    stmt = select(Contact).where(Contact.phone == phone)
    if workspace_id is not None:
        stmt = stmt.where(Contact.workspace_id == workspace_id)
    return db.scalar(stmt)


@pytest.mark.parametrize("body", ["STOP", "  Stop! ", "unsubscribe"])
def test_keyword_opts_out_before_processing(client, db, workspace, other_workspace, body):
    sender = make_sender(db, workspace.id)
    make_contact(db, workspace.id, PHONE)
    make_contact(db, other_workspace.id, PHONE)  # the same person in another workspace
    r = post(client, inbound(sender.phone_number_id, PHONE, body, "wamid.s1"))
    assert r.status_code == 200
    event = db.scalar(select(WebhookEvent))
    assert event.processed_at is None  # no worker ran
    mine = contact(db, workspace_id=workspace.id)
    assert mine.opted_out_at is not None and mine.opt_out_source.startswith("keyword:")
    assert contact(db, workspace_id=other_workspace.id).opted_out_at is None

    first = (mine.opted_out_at, mine.opt_out_source)
    process_pending_webhooks.run(older_than_seconds=0)  # the full processing, later
    db.expire_all()
    mine = contact(db, workspace_id=workspace.id)
    assert (mine.opted_out_at, mine.opt_out_source) == first
    assert db.scalar(select(WebhookEvent.processed_at)) is not None
    assert db.scalar(select(Message.body).where(Message.direction == "inbound")) == body


def test_other_text_does_not_opt_out(client, db, workspace):
    sender = make_sender(db, workspace.id)
    make_contact(db, workspace.id, PHONE)
    assert (
        post(
            client, inbound(sender.phone_number_id, PHONE, "stop sending deals?", "w2")
        ).status_code
        == 200
    )
    assert contact(db).opted_out_at is None


def test_unknown_contact_is_left_to_processing(client, db, workspace):
    sender = make_sender(db, workspace.id)
    assert (
        post(client, inbound(sender.phone_number_id, PHONE, "STOP", "wamid.s3")).status_code == 200
    )
    assert contact(db) is None
    process_pending_webhooks.run(older_than_seconds=0)
    assert contact(db).opted_out_at is not None


def test_locked_contact_never_delays_the_acknowledgement(client, db, workspace):
    """A send batch holding the contact row: the request answers after the short lock
    timeout, and processing opts the contact out once the lock is gone."""
    sender = make_sender(db, workspace.id)
    cid = make_contact(db, workspace.id, PHONE).id
    holder = get_sessionmaker()()
    holder.execute(text("SELECT id FROM contacts WHERE id = :i FOR SHARE"), {"i": cid})
    released = threading.Timer(3.0, holder.rollback)
    released.start()
    try:
        started = time.perf_counter()
        assert (
            post(client, inbound(sender.phone_number_id, PHONE, "STOP", "wamid.s4")).status_code
            == 200
        )
        assert time.perf_counter() - started < 1.0
        assert contact(db).opted_out_at is None
    finally:
        released.cancel()
        holder.rollback()
        holder.close()
    process_pending_webhooks.run(older_than_seconds=0)
    assert contact(db).opted_out_at is not None
