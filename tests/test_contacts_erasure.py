"""DELETE /contacts/{id} is an erasure (issue 13, docs/privacy.md): personal data goes, the
message facts stay, queued messages are cancelled, and an opted-out number stays opted out
when the contact is created again (real PostgreSQL, the loopback Graph API)."""

from __future__ import annotations

import hashlib
import io
from collections import Counter

from sqlalchemy import func, select

from app.campaigns.service import message_counts
from app.contacts import csv_io
from app.contacts.models import Contact, Suppression
from app.inbound.models import WebhookEvent
from app.messaging.models import Message, MessageEvent
from app.outbound.dispatch import run_dispatch
from tests.engine_support import make_campaign, make_contacts
from tests.fakes.graph_api import graph_api_fixture  # noqa: F401  (fixture "graph_api")
from tests.support.engine import engine_settings  # noqa: F401  (autouse fixture)
from tests.support.webhooks import inbound_webhook
from tests.test_engine_pipeline import big_sender, fresh, rows
from tests.test_ingest import deliver

URL = "/api/v1/contacts"


def _delete(client, auth, contact_id: int) -> None:
    r = client.delete(f"{URL}/{contact_id}", headers=auth)
    assert r.status_code == 204, r.text


def test_erasure_keeps_the_facts_and_removes_the_person(client, auth, db, workspace, graph_api):
    sender = big_sender(db, workspace.id, max_per_hour=10_000)
    ids = make_contacts(db, workspace.id, 3)
    sent_cid = make_campaign(db, workspace.id, sender.id, ids)
    run_dispatch(sender_id=sender.id)
    waiting = make_campaign(db, workspace.id, sender.id, ids, name="later", start=False)
    from app.campaigns import service as campaigns

    campaigns.start_campaign(db=db, workspace_id=workspace.id, campaign_id=waiting)
    db.commit()  # queued, not dispatched yet
    deliver(
        db, inbound_webhook(sender.phone_number_id, "+447400000000", "Hi, I'm Ann", "wamid.in1")
    )
    before = message_counts(db=db, campaign_id=sent_cid)

    _delete(client, auth, ids[0])

    fresh(db)
    assert client.get(f"{URL}/{ids[0]}", headers=auth).status_code == 404
    assert db.get(Contact, ids[0]) is None
    assert message_counts(db=db, campaign_id=sent_cid) == before  # the figures do not move
    kept = db.scalars(select(Message).where(Message.contact_id.is_(None))).all()
    assert Counter((m.direction, m.status) for m in kept) == {
        ("outbound", "sent"): 1,
        ("outbound", "cancelled"): 1,
        ("inbound", "received"): 1,
    }
    assert all(m.body is None and m.payload == {} and m.classification is None for m in kept)
    cancelled = next(m for m in kept if m.status == "cancelled")
    assert cancelled.skip_reason == "contact_erased"
    assert cancelled.campaign_id == waiting
    sent = next(m for m in kept if m.status == "sent")
    assert sent.wamid and sent.sent_at and sent.sender_id == sender.id
    events = db.execute(
        select(MessageEvent.event, MessageEvent.data).where(
            MessageEvent.message_id.in_([m.id for m in kept])
        )
    ).all()
    assert ("cancelled", {"reason": "contact_erased"}) in events
    text = " ".join(str(d) for _, d in events)
    assert "447400000000" not in text and "Ann" not in text
    # The other contacts and their messages are untouched.
    assert {m.status for m in rows(db, waiting) if m.contact_id is not None} == {"queued"}
    assert db.get(Contact, ids[1]).name == "Contact 1"


def test_opted_out_number_stays_opted_out_when_created_again(client, auth, db):
    made = client.post(URL, json={"phone": "+447400000123", "name": "Bo"}, headers=auth).json()
    client.post(f"{URL}/{made['id']}/opt-out", json={"source": "STOP"}, headers=auth)

    _delete(client, auth, made["id"])

    entry = db.scalar(select(Suppression))
    digest = hashlib.sha256(b"+447400000123").hexdigest()
    assert (
        entry is not None and entry.phone_hash != digest and "447400000123" not in entry.phone_hash
    )
    again = client.post(
        URL,
        json={"phone": "+44 7400 000123", "opted_in": True, "opt_in_source": "form"},
        headers=auth,
    )
    assert again.status_code == 201, again.text
    body = again.json()
    assert body["id"] != made["id"] and body["name"] is None  # no history comes back
    assert body["opted_out_at"] and body["opt_out_source"] == "suppression: STOP"
    assert body["opted_in"] is False  # consent given again does not lift an opt-out silently
    assert db.scalar(select(func.count()).select_from(Suppression)) == 0  # consumed


def test_a_number_that_never_opted_out_comes_back_clean(client, auth, db):
    made = client.post(URL, json={"phone": "+447400000124", "opted_in": True}, headers=auth).json()
    _delete(client, auth, made["id"])
    assert db.scalar(select(func.count()).select_from(Suppression)) == 0
    again = client.post(URL, json={"phone": "+447400000124"}, headers=auth).json()
    assert again["opted_out_at"] is None


def test_suppression_applies_to_inbound_and_csv_created_contacts(client, auth, db, workspace):
    sender = big_sender(db, workspace.id)
    for phone in ("+447400000201", "+447400000202"):
        made = client.post(URL, json={"phone": phone}, headers=auth).json()
        client.post(f"{URL}/{made['id']}/opt-out", headers=auth)
        _delete(client, auth, made["id"])
    other = client.post(URL, json={"phone": "+447400000203"}, headers=auth).json()

    deliver(db, inbound_webhook(sender.phone_number_id, "+447400000201", "hello", "wamid.in2"))
    data = b"phone,name\n+447400000202,Cy\n+447400000203,Di\n+447400000204,Ed\n"
    csv_io.import_contacts(db=db, workspace_id=workspace.id, stream=io.BytesIO(data))
    db.commit()

    fresh(db)
    by_phone = {c.phone: c for c in db.scalars(select(Contact))}
    assert by_phone["+447400000201"].opt_out_source == "suppression: api"  # came back by writing
    assert by_phone["+447400000202"].opted_out_at is not None  # came back in a CSV file
    assert (
        by_phone["+447400000203"].id == other["id"]
        and by_phone["+447400000203"].opted_out_at is None
    )
    assert by_phone["+447400000204"].opted_out_at is None
    assert db.scalar(select(func.count()).select_from(Suppression)) == 0


def test_processed_webhook_deliveries_of_the_number_are_redacted(client, auth, db, workspace):
    sender = big_sender(db, workspace.id)
    deliver(db, inbound_webhook(sender.phone_number_id, "+447400000301", "I'm Flo", "wamid.in3"))
    deliver(db, inbound_webhook(sender.phone_number_id, "+447400000302", "I'm Gus", "wamid.in4"))
    mine = db.scalar(select(Contact).where(Contact.phone == "+447400000301"))

    _delete(client, auth, mine.id)

    fresh(db)
    payloads = [e.payload for e in db.scalars(select(WebhookEvent).order_by(WebhookEvent.id))]
    assert payloads[0] == {"redacted": "contact_erased"}
    assert "447400000302" in str(payloads[1])  # someone else's delivery is kept


def test_erasing_an_unknown_or_foreign_contact_is_404(client, auth, db, other_workspace):
    (foreign,) = make_contacts(db, other_workspace.id, 1)
    assert client.delete(f"{URL}/{foreign}", headers=auth).status_code == 404
    assert client.delete(f"{URL}/999999", headers=auth).status_code == 404
    assert db.get(Contact, foreign) is not None
