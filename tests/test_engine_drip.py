"""Drip timing and stopping (real PostgreSQL, real Redis, the fake Graph API on loopback): the
next step falls due `delay_hours` after the previous step was sent, and a reply that arrives
before a step's row went out still stops it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.campaigns.models import Campaign, Enrollment
from app.campaigns.scheduled import process_drip_sequences
from app.core.db import utcnow
from app.inbound.ingest import ingest_payload
from app.messaging.models import Message
from app.outbound.dispatch import run_dispatch
from tests.engine_support import make_campaign, make_contacts
from tests.fakes.graph_api import graph_api_fixture  # noqa: F401  (fixture "graph_api")
from tests.support.engine import engine_settings  # noqa: F401  (autouse fixture)
from tests.support.webhooks import inbound_webhook
from tests.test_engine_pipeline import big_sender, fresh, rows


def drip(db, workspace_id, sender_id, contacts, delays):
    sequence = [{"delay_hours": d, "message": f"Step {i + 1}"} for i, d in enumerate(delays)]
    return make_campaign(
        db,
        workspace_id,
        sender_id,
        contacts,
        type="drip",
        metadata={"sequence": sequence},
        message_template=None,
    )


def enrollment(db):
    fresh(db)
    return db.scalar(select(Enrollment))


def outbound(db, cid):
    return [
        (m.step_index, m.status, m.skip_reason) for m in rows(db, cid) if m.direction == "outbound"
    ]


@pytest.mark.parametrize(("text", "reason"), [("Thanks!", "drip_stopped"), ("STOP", "opted_out")])
def test_reply_before_last_step_goes_out_stops_it(db, workspace, graph_api, text, reason):
    sender = big_sender(db, workspace.id)
    (a,) = make_contacts(db, workspace.id, 1)
    cid = drip(db, workspace.id, sender.id, [a], [0, 0])
    process_drip_sequences.run()
    run_dispatch(sender_id=sender.id)
    process_drip_sequences.run()  # step 1 sent: step 2 (the last) is queued
    assert outbound(db, cid) == [(0, "sent", None), (1, "queued", None)]
    assert enrollment(db).state == "active"  # not completed while its last row is queued

    # The contact replies before step 2 leaves (held by quiet hours, caps, a busy number…).
    payload = inbound_webhook(sender.phone_number_id, "+447400000000", text, "wamid.in1")
    ingest_payload(db=db, payload=payload)
    db.commit()
    assert enrollment(db).state == "stopped"
    run_dispatch(sender_id=sender.id)

    assert outbound(db, cid) == [(0, "sent", None), (1, "skipped", reason)]
    assert [r["body"] for r in graph_api.requests()] == ["Step 1"]
    process_drip_sequences.run()
    fresh(db)
    assert db.get(Campaign, cid).status == "completed"


def test_held_back_step_delays_the_next_one(db, workspace, graph_api):
    """Step 1 is held back (quiet hours/caps) for 2 h; step 2 (delay 1 h) must not fall due
    1 h after step 1 was queued — it falls due 1 h after step 1 was sent."""
    sender = big_sender(db, workspace.id)
    (a,) = make_contacts(db, workspace.id, 1)
    cid = drip(db, workspace.id, sender.id, [a], [0, 1])
    process_drip_sequences.run()
    (step1,) = rows(db, cid)
    held_until = utcnow() + timedelta(hours=2)
    db.execute(update(Message).where(Message.id == step1.id).values(next_attempt_at=held_until))
    db.commit()

    # 2 h 1 min later by the sequencer's clock, step 1 still waits: nothing more is created.
    later = utcnow() + timedelta(hours=2, minutes=1)
    from app.campaigns.drip import advance_all_due

    assert advance_all_due(now=later) == set()
    assert outbound(db, cid) == [(0, "queued", None)]
    assert enrollment(db).next_due_at is None

    # Step 1 goes out; step 2 is due one hour after that send, not before.
    db.execute(update(Message).where(Message.id == step1.id).values(next_attempt_at=utcnow()))
    db.commit()
    run_dispatch(sender_id=sender.id)
    process_drip_sequences.run()
    e = enrollment(db)
    sent_at = db.scalar(select(Message.sent_at).where(Message.id == step1.id))
    assert (e.state, e.next_step, e.next_due_at) == ("active", 1, sent_at + timedelta(hours=1))
    process_drip_sequences.run()
    assert len(rows(db, cid)) == 1
    assert advance_all_due(now=sent_at + timedelta(hours=1)) == {sender.id}
    assert outbound(db, cid) == [(0, "sent", None), (1, "queued", None)]


def test_drip_completes_after_last_row_is_final(db, workspace, graph_api):
    sender = big_sender(db, workspace.id)
    contacts = make_contacts(db, workspace.id, 3)
    cid = drip(db, workspace.id, sender.id, contacts, [0, 0, 0])
    graph_api.script(to="447400000001", code=131026)  # one contact's sends all fail
    for _ in range(3):
        process_drip_sequences.run()
        run_dispatch(sender_id=sender.id)
    fresh(db)
    assert db.get(Campaign, cid).status == "running"  # the last rows are final, not settled
    process_drip_sequences.run()
    fresh(db)
    states = set(db.scalars(select(Enrollment.state)))
    assert states == {"completed"}
    assert db.get(Campaign, cid).status == "completed"
    statuses = sorted(status for _, status, _ in outbound(db, cid))
    assert statuses == ["failed"] * 3 + ["sent"] * 6  # a failed step does not stall the drip
