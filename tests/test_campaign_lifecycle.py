"""Campaign lifecycle: start materialises rows once, pause/resume/cancel, scheduled starts,
completion, the Celery tasks (called in-process) and rendering for the engine."""
# ruff: noqa: F811  (pytest fixtures imported from test_campaigns_api)

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select, update

from app.campaigns import service
from app.campaigns.models import Campaign, DripStep, Enrollment
from app.campaigns.personalize import render_message
from app.campaigns.tasks import execute_campaign, process_scheduled_campaigns
from app.contacts.models import Contact
from app.core.db import utcnow
from app.messaging.models import Message
from tests.support.factories import make_contact, make_template
from tests.test_campaigns_api import (  # noqa: F401
    URL,
    broadcast_body,
    contacts,
    drip_body,
    sender,
)


def create(client, auth, body) -> int:
    r = client.post(URL, json=body, headers=auth)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def rows(db, campaign_id):
    db.expire_all()
    stmt = select(Message).where(Message.campaign_id == campaign_id).order_by(Message.contact_id)
    return list(db.scalars(stmt))


def status_of(db, campaign_id) -> str:
    db.expire_all()
    return db.get(Campaign, campaign_id).status


# --- start -----------------------------------------------------------------------------------


def test_start_materialises_one_queued_row_per_recipient(
    client, auth, db, workspace, sender, contacts
):
    cid = create(client, auth, broadcast_body(sender, contacts))
    r = client.post(f"{URL}/{cid}/start", headers=auth)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "running" and r.json()["started_at"]

    msgs = rows(db, cid)
    assert [m.contact_id for m in msgs] == [c.id for c in contacts]
    for m in msgs:
        assert (m.workspace_id, m.sender_id, m.step_index) == (workspace.id, sender.id, 0)
        assert (m.direction, m.type, m.status, m.body) == ("outbound", "text", "queued", None)
        assert m.next_attempt_at is not None and m.queued_at is not None
        assert m.payload == {} and m.attempts == 0 and m.template_id is None


def test_start_twice_is_409_and_adds_nothing(client, auth, db, sender, contacts):
    cid = create(client, auth, broadcast_body(sender, contacts))
    assert client.post(f"{URL}/{cid}/start", headers=auth).status_code == 200
    r = client.post(f"{URL}/{cid}/start", headers=auth)
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    assert len(rows(db, cid)) == 3


def test_start_skips_contacts_deleted_since_creation(client, auth, db, sender, contacts):
    cid = create(client, auth, broadcast_body(sender, contacts))
    db.delete(db.get(Contact, contacts[1].id))
    db.commit()
    client.post(f"{URL}/{cid}/start", headers=auth)
    assert [m.contact_id for m in rows(db, cid)] == [contacts[0].id, contacts[2].id]


def test_repeated_materialisation_inserts_nothing(db, client, auth, sender, contacts):
    cid = create(client, auth, broadcast_body(sender, contacts))
    campaign = db.get(Campaign, cid)
    service._materialise_broadcast(db=db, campaign=campaign, now=utcnow())
    service._materialise_broadcast(db=db, campaign=campaign, now=utcnow())
    db.commit()
    assert len(rows(db, cid)) == 3


def test_template_campaign_rows_carry_the_template(client, auth, db, workspace, sender, contacts):
    template = make_template(db, workspace.id)
    body = broadcast_body(
        sender,
        contacts,
        message_template=None,
        template_id=template.id,
        template_params=["{first_name|there}", "{order_id|n/a}"],
    )
    cid = create(client, auth, body)
    client.post(f"{URL}/{cid}/start", headers=auth)
    assert {(m.type, m.template_id) for m in rows(db, cid)} == {("template", template.id)}


def test_drip_start_enrolls_each_recipient(client, auth, db, sender, contacts):
    body = drip_body(sender, contacts)
    body["metadata"]["sequence"][0]["delay_hours"] = 2
    cid = create(client, auth, body)
    before = utcnow()
    assert client.post(f"{URL}/{cid}/start", headers=auth).status_code == 200
    enrollments = list(db.scalars(select(Enrollment).where(Enrollment.campaign_id == cid)))
    assert sorted(e.contact_id for e in enrollments) == sorted(c.id for c in contacts)
    for e in enrollments:
        assert e.state == "active" and e.next_step == 0
        assert before + timedelta(hours=2) <= e.next_due_at <= utcnow() + timedelta(hours=2)
    assert rows(db, cid) == []  # the drip sequencer creates message rows when steps fall due
    detail = client.get(f"{URL}/{cid}", headers=auth).json()
    assert detail["enrollment_counts"]["active"] == 3


# --- pause / resume / cancel -----------------------------------------------------------------


def test_pause_and_resume(client, auth, db, sender, contacts):
    cid = create(client, auth, broadcast_body(sender, contacts))
    assert client.post(f"{URL}/{cid}/pause", headers=auth).status_code == 409  # draft
    client.post(f"{URL}/{cid}/start", headers=auth)
    assert client.post(f"{URL}/{cid}/resume", headers=auth).status_code == 409  # running
    r = client.post(f"{URL}/{cid}/pause", headers=auth)
    assert r.status_code == 200 and r.json()["status"] == "paused"
    assert {m.status for m in rows(db, cid)} == {"queued"}  # rows wait, untouched
    assert client.post(f"{URL}/{cid}/pause", headers=auth).status_code == 409
    assert client.post(f"{URL}/{cid}/start", headers=auth).status_code == 409
    r = client.post(f"{URL}/{cid}/resume", headers=auth)
    assert r.status_code == 200 and r.json()["status"] == "running"
    assert len(rows(db, cid)) == 3


def test_cancel_cancels_queued_rows_but_not_claimed_ones(client, auth, db, sender, contacts):
    cid = create(client, auth, broadcast_body(sender, contacts))
    client.post(f"{URL}/{cid}/start", headers=auth)
    first, second, _ = rows(db, cid)
    db.execute(update(Message).where(Message.id == first.id).values(status="sending"))
    db.execute(update(Message).where(Message.id == second.id).values(status="sent"))
    db.commit()
    r = client.post(f"{URL}/{cid}/cancel", headers=auth)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert [m.status for m in rows(db, cid)] == ["sending", "sent", "cancelled"]
    for action in ("start", "pause", "resume", "cancel"):
        assert client.post(f"{URL}/{cid}/{action}", headers=auth).status_code == 409
    assert client.get(f"{URL}/{cid}", headers=auth).json()["message_counts"]["cancelled"] == 1


def test_cancel_stops_active_enrollments(client, auth, db, sender, contacts):
    cid = create(client, auth, drip_body(sender, contacts))
    client.post(f"{URL}/{cid}/start", headers=auth)
    db.execute(
        update(Enrollment).where(Enrollment.contact_id == contacts[0].id).values(state="completed")
    )
    db.commit()
    client.post(f"{URL}/{cid}/cancel", headers=auth)
    db.expire_all()
    states = dict(db.execute(select(Enrollment.contact_id, Enrollment.state)).all())
    assert states == {
        contacts[0].id: "completed",
        contacts[1].id: "cancelled",
        contacts[2].id: "cancelled",
    }


def test_cancel_a_draft(client, auth, db, sender, contacts):
    cid = create(client, auth, broadcast_body(sender, contacts))
    assert client.post(f"{URL}/{cid}/cancel", headers=auth).json()["status"] == "cancelled"
    assert client.post(f"{URL}/{cid}/start", headers=auth).status_code == 409
    assert rows(db, cid) == []


# --- completion ------------------------------------------------------------------------------


def complete(db, campaign_id) -> bool:
    """maybe_complete as the engine calls it, committed (which also releases its row lock)."""
    done = service.maybe_complete(db=db, campaign_id=campaign_id)
    db.commit()
    return done


def test_maybe_complete(client, auth, db, sender, contacts):
    cid = create(client, auth, broadcast_body(sender, contacts))
    assert complete(db, cid) is False  # draft
    client.post(f"{URL}/{cid}/start", headers=auth)
    assert complete(db, cid) is False  # rows queued
    ids = [m.id for m in rows(db, cid)]
    db.execute(update(Message).where(Message.id.in_(ids[:2])).values(status="delivered"))
    db.execute(update(Message).where(Message.id == ids[2]).values(status="sending"))
    db.commit()
    assert complete(db, cid) is False  # one still sending
    db.execute(update(Message).where(Message.id == ids[2]).values(status="failed"))
    db.commit()
    assert complete(db, cid) is True
    assert status_of(db, cid) == "completed"
    assert db.get(Campaign, cid).completed_at is not None
    assert complete(db, cid) is False  # already completed
    assert client.post(f"{URL}/{cid}/cancel", headers=auth).status_code == 409


def test_replies_linked_to_a_campaign_do_not_block_completion(client, auth, db, sender, contacts):
    cid = create(client, auth, broadcast_body(sender, contacts))
    client.post(f"{URL}/{cid}/start", headers=auth)
    first = rows(db, cid)[0]
    db.add(
        Message(
            workspace_id=first.workspace_id,
            contact_id=first.contact_id,
            campaign_id=cid,
            direction="inbound",
            status="received",
            body="Interested!",
        )
    )
    db.execute(
        update(Message)
        .where(Message.campaign_id == cid, Message.direction == "outbound")
        .values(status="read")
    )
    db.commit()
    assert complete(db, cid) is True
    counts = client.get(f"{URL}/{cid}", headers=auth).json()["message_counts"]
    assert "received" not in counts or counts["received"] == 0
    assert counts["read"] == len(contacts)


def test_drip_completes_only_without_active_enrollments(client, auth, db, sender, contacts):
    cid = create(client, auth, drip_body(sender, contacts))
    client.post(f"{URL}/{cid}/start", headers=auth)
    assert complete(db, cid) is False
    db.execute(update(Enrollment).where(Enrollment.campaign_id == cid).values(state="completed"))
    db.commit()
    assert complete(db, cid) is True
    assert status_of(db, cid) == "completed"


def test_periodic_sweep_completes_finished_campaigns(client, auth, db, sender, contacts):
    cid = create(client, auth, broadcast_body(sender, contacts))
    client.post(f"{URL}/{cid}/start", headers=auth)
    process_scheduled_campaigns()
    assert status_of(db, cid) == "running"
    db.execute(update(Message).where(Message.campaign_id == cid).values(status="sent"))
    db.commit()
    process_scheduled_campaigns()
    assert status_of(db, cid) == "completed"


# --- scheduled campaigns and tasks -----------------------------------------------------------


def schedule(client, auth, db, sender, contacts, *, due: bool) -> int:
    later = (utcnow() + timedelta(hours=1)).isoformat()
    cid = create(client, auth, broadcast_body(sender, contacts, scheduled_at=later))
    if due:
        past = utcnow() - timedelta(seconds=1)
        db.execute(update(Campaign).where(Campaign.id == cid).values(scheduled_at=past))
        db.commit()
    return cid


def test_scheduled_campaign_starts_only_when_due_and_once(client, auth, db, sender, contacts):
    cid = schedule(client, auth, db, sender, contacts, due=False)
    assert process_scheduled_campaigns() == []
    assert status_of(db, cid) == "scheduled" and rows(db, cid) == []

    db.execute(
        update(Campaign)
        .where(Campaign.id == cid)
        .values(scheduled_at=utcnow() - timedelta(seconds=1))
    )
    db.commit()
    assert process_scheduled_campaigns() == [cid]
    assert process_scheduled_campaigns() == []
    assert status_of(db, cid) == "running"
    assert len(rows(db, cid)) == 3


def test_concurrent_schedulers_start_a_campaign_once(client, auth, db, sender, contacts):
    cids = [schedule(client, auth, db, sender, contacts, due=True) for _ in range(4)]
    results: list[list[int]] = []
    barrier = threading.Barrier(3)

    def run() -> None:
        barrier.wait()
        results.append(process_scheduled_campaigns())

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    started = sorted(cid for batch in results for cid in batch)
    assert started == sorted(cids)  # each exactly once across the three runs
    for cid in cids:
        assert status_of(db, cid) == "running" and len(rows(db, cid)) == 3


def test_pausing_or_cancelling_a_scheduled_campaign(client, auth, db, sender, contacts):
    cid = schedule(client, auth, db, sender, contacts, due=True)
    assert client.post(f"{URL}/{cid}/pause", headers=auth).status_code == 409
    assert client.post(f"{URL}/{cid}/cancel", headers=auth).status_code == 200
    assert process_scheduled_campaigns() == []
    assert status_of(db, cid) == "cancelled" and rows(db, cid) == []


def test_execute_campaign_task_is_idempotent(client, auth, db, sender, contacts):
    cid = create(client, auth, broadcast_body(sender, contacts))
    assert execute_campaign(cid) is True
    assert execute_campaign(cid) is False
    assert execute_campaign(987654) is False
    assert status_of(db, cid) == "running" and len(rows(db, cid)) == 3


# --- rendering for the engine ----------------------------------------------------------------


def test_render_message_text_campaign_and_drip_step(client, auth, db, sender, contacts):
    cid = create(client, auth, broadcast_body(sender, contacts))
    campaign = db.get(Campaign, cid)
    msg = render_message(db=db, campaign=campaign, contact=db.get(Contact, contacts[0].id))
    assert (msg.kind, msg.body) == (
        "text",
        "Hi Ann Lee! We just launched SuperApp 2.0. Check it out!",
    )

    did = create(client, auth, drip_body(sender, contacts))
    step = db.scalar(select(DripStep).where(DripStep.campaign_id == did, DripStep.position == 2))
    msg = render_message(
        db=db, campaign=db.get(Campaign, did), contact=db.get(Contact, contacts[2].id), step=step
    )
    assert msg.body == "How's it going Cy? Any questions?"


def test_render_message_template(client, auth, db, workspace, sender, contacts):
    template = make_template(db, workspace.id)
    body = broadcast_body(
        sender,
        contacts,
        message_template=None,
        template_id=template.id,
        template_params=["{first_name|there}", "{order_id}"],
    )
    body["metadata"]["order_id"] = "A-17"
    campaign = db.get(Campaign, create(client, auth, body))
    nameless = make_contact(db, workspace.id, "+14155550177", name=None)
    msg = render_message(db=db, campaign=campaign, contact=nameless)
    assert msg.kind == "template"
    assert (msg.template_name, msg.language) == ("order_update", "en_US")
    assert msg.body == "Hello there, your order A-17 is ready."
    assert msg.components == [
        {
            "type": "body",
            "parameters": [{"type": "text", "text": "there"}, {"type": "text", "text": "A-17"}],
        }
    ]
