"""Webhook ingestion against the real database: statuses move messages forward only, inbound
messages are stored once and acted on (window, reply link, opt-out, drip stop)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from sqlalchemy import select

from app.campaigns.models import Campaign, Enrollment
from app.contacts.models import Contact
from app.contacts.optout_keywords import match_opt_out
from app.core.db import utcnow
from app.inbound.models import WebhookEvent
from app.inbound.service import receive_webhook, sign
from app.inbound.tasks import process_webhook_event
from app.messaging.models import Message, MessageEvent
from tests.support.factories import make_contact, make_sender
from tests.support.webhooks import load

PNID = "106540352242922"  # the phone_number_id in every fixture
USER = "16505551234"  # the WhatsApp user (wa_id) in every fixture


def ts(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


@dataclass
class World:
    workspace_id: int
    sender_id: int
    contact_id: int


def make_world(db, workspace_id: int, pnid: str = PNID, phone: str = "+" + USER) -> World:
    sender = make_sender(db, workspace_id, pnid, provider="sandbox")
    contact = make_contact(db, workspace_id, phone)
    return World(workspace_id, sender.id, contact.id)


def make_campaign(db, world: World, *, stop_on_reply: bool = True, type_: str = "drip") -> int:
    campaign = Campaign(
        workspace_id=world.workspace_id,
        sender_id=world.sender_id,
        name=f"c{utcnow().timestamp()}",
        type=type_,
        status="running",
        message_template="Hi {name}",
        stop_on_reply=stop_on_reply,
    )
    db.add(campaign)
    db.commit()
    return campaign.id


def make_outbound(
    db,
    world: World,
    *,
    status: str = "sent",
    wamid: str | None = None,
    campaign_id: int | None = None,
    sent_ago: timedelta = timedelta(minutes=5),
    step_index: int | None = None,
) -> int:
    sent_at = utcnow() - sent_ago if status not in ("queued", "sending") else None
    msg = Message(
        workspace_id=world.workspace_id,
        contact_id=world.contact_id,
        sender_id=world.sender_id,
        campaign_id=campaign_id,
        step_index=step_index if step_index is not None else (0 if campaign_id else None),
        direction="outbound",
        type="text",
        body="Hello there",
        status=status,
        wamid=wamid,
        sent_at=sent_at,
        created_at=utcnow() - sent_ago,
    )
    db.add(msg)
    db.commit()
    return msg.id


def status_payload(
    status: str, *, wamid: str, callback: str | None = None, at: int = 1749416400, code=None
) -> dict:
    name = f"status_failed_{code or 131026}" if status == "failed" else f"status_{status}"
    payload = load(name)
    item = payload["entry"][0]["changes"][0]["value"]["statuses"][0]
    item.update(id=wamid, timestamp=str(at))
    if callback is None:
        item.pop("biz_opaque_callback_data", None)
    else:
        item["biz_opaque_callback_data"] = callback
    return payload


def inbound_payload(fixture: str = "message_text", **changes) -> dict:
    payload = copy.deepcopy(load(fixture))
    msg = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    for key, value in changes.items():
        if value is None:
            msg.pop(key, None)
        else:
            msg[key] = value
    return payload


def deliver(db, payload: dict):
    """Through the real path minus HTTP: signed body → receive_webhook → commit → process."""
    raw = orjson.dumps(payload)
    result = receive_webhook(db=db, raw_body=raw, signature=sign(raw))
    db.commit()
    report = process_webhook_event(db=db, event_id=result.event_id)
    db.commit()
    db.expire_all()
    return report


def events_of(db, message_id: int) -> list[str]:
    rows = db.scalars(
        select(MessageEvent.event)
        .where(MessageEvent.message_id == message_id)
        .order_by(MessageEvent.id)
    )
    return list(rows)


# --- statuses ------------------------------------------------------------------------------


def test_statuses_in_order_record_each_timestamp(db, workspace):
    world = make_world(db, workspace.id)
    mid = make_outbound(db, world, status="sending", wamid="wamid.A")
    for status, at in (("sent", 1749416400), ("delivered", 1749416410), ("read", 1749416420)):
        report = deliver(db, status_payload(status, wamid="wamid.A", at=at))
        assert report.statuses_applied == 1
    msg = db.get(Message, mid)
    assert msg.status == "read"
    assert (msg.sent_at, msg.delivered_at, msg.read_at) == (
        ts(1749416400),
        ts(1749416410),
        ts(1749416420),
    )
    assert events_of(db, mid) == ["sent", "delivered", "read"]


def test_duplicate_status_changes_nothing(db, workspace):
    world = make_world(db, workspace.id)
    mid = make_outbound(db, world, wamid="wamid.B")
    first = deliver(db, status_payload("delivered", wamid="wamid.B", at=1749416410))
    # A different body (so not deduplicated at the door) carrying the same status again.
    second = deliver(db, status_payload("delivered", wamid="wamid.B", at=1749416411))
    assert (first.statuses_applied, second.statuses_applied, second.statuses_stale) == (1, 0, 1)
    msg = db.get(Message, mid)
    assert msg.status == "delivered" and msg.delivered_at == ts(1749416410)
    assert events_of(db, mid) == ["delivered"]


def test_read_before_delivered_stays_read_and_records_delivery_time(db, workspace):
    world = make_world(db, workspace.id)
    mid = make_outbound(db, world, wamid="wamid.C")
    deliver(db, status_payload("read", wamid="wamid.C", at=1749416420))
    report = deliver(db, status_payload("delivered", wamid="wamid.C", at=1749416410))
    assert report.statuses_stale == 1
    msg = db.get(Message, mid)
    assert msg.status == "read" and msg.read_at == ts(1749416420)
    assert msg.delivered_at == ts(1749416410)  # the true, earlier delivery time
    assert events_of(db, mid) == ["read"]


def test_matched_by_callback_data_when_wamid_unknown(db, workspace):
    world = make_world(db, workspace.id)
    mid = make_outbound(db, world, status="sending", wamid=None)
    deliver(db, status_payload("sent", wamid="wamid.LATE", callback=str(mid)))
    msg = db.get(Message, mid)
    assert msg.status == "sent" and msg.wamid == "wamid.LATE"


@pytest.mark.parametrize("start", ["sending", "unknown", "sent"])
def test_failed_applies_to_in_flight_rows_with_error(db, workspace, start):
    world = make_world(db, workspace.id)
    mid = make_outbound(db, world, status=start, wamid="wamid.F")
    deliver(db, status_payload("failed", wamid="wamid.F", at=1749416405))
    msg = db.get(Message, mid)
    assert msg.status == "failed" and msg.error_code == "131026"
    assert "undeliverable" in msg.error_detail.lower() and msg.failed_at == ts(1749416405)
    assert events_of(db, mid) == ["failed"]


@pytest.mark.parametrize("start", ["delivered", "read"])
def test_failed_never_overrides_delivered_or_read(db, workspace, start):
    world = make_world(db, workspace.id)
    mid = make_outbound(db, world, status=start, wamid="wamid.G")
    deliver(db, status_payload("failed", wamid="wamid.G"))
    msg = db.get(Message, mid)
    assert msg.status == start and msg.error_code is None and events_of(db, mid) == []


def test_unknown_row_is_settled_by_a_later_status(db, workspace):
    world = make_world(db, workspace.id)
    mid = make_outbound(db, world, status="unknown", wamid=None)
    deliver(db, status_payload("delivered", wamid="wamid.U", callback=str(mid)))
    msg = db.get(Message, mid)
    assert msg.status == "delivered" and msg.wamid == "wamid.U"


def test_marketing_opt_out_code_marks_contact(db, workspace):
    world = make_world(db, workspace.id)
    make_outbound(db, world, wamid="wamid.M")
    deliver(db, status_payload("failed", wamid="wamid.M", code=131050, at=1749416405))
    contact = db.get(Contact, world.contact_id)
    assert contact.marketing_opted_out_at == ts(1749416405)
    assert contact.opted_out_at is None  # a marketing opt-out is not a full opt-out


def test_status_never_touches_another_workspace(db, workspace, other_workspace):
    mine = make_world(db, workspace.id)
    theirs = make_world(db, other_workspace.id, pnid="999000111", phone="+14155550123")
    their_msg = make_outbound(db, theirs, status="sending", wamid=None)
    # Our number reports a status carrying their message id as callback data.
    report = deliver(db, status_payload("read", wamid="wamid.X", callback=str(their_msg)))
    assert report.statuses_unmatched == 1
    assert db.get(Message, their_msg).status == "sending"
    assert mine.workspace_id != theirs.workspace_id


def test_batch_applies_every_entry_change_and_status(db, workspace):
    world = make_world(db, workspace.id)
    ids = [make_outbound(db, world, status="sending", wamid=f"wamid.BATCH.{i}") for i in (1, 2, 3)]
    report = deliver(db, load("batch_mixed"))
    assert (report.statuses_applied, report.messages_stored) == (4, 1)
    statuses = [db.get(Message, i).status for i in ids]
    assert statuses == ["delivered", "read", "failed"]
    assert events_of(db, ids[0]) == ["sent", "delivered"]
    inbound = db.scalars(select(Message).where(Message.direction == "inbound")).one()
    assert inbound.body == "batched hello"


def test_unknown_phone_number_id_is_kept_with_error(db, workspace):
    world = make_world(db, workspace.id, pnid="123")
    mid = make_outbound(db, world, wamid="wamid.A")
    report = deliver(db, status_payload("read", wamid="wamid.A"))
    assert report.statuses_applied == 0 and report.errors
    event = db.scalars(select(WebhookEvent)).one()
    assert event.processed_at is not None and "unknown phone_number_id" in event.processing_error
    assert event.workspace_id is None
    assert db.get(Message, mid).status == "sent"


def test_processing_twice_is_a_no_op(db, workspace):
    world = make_world(db, workspace.id)
    make_outbound(db, world, wamid="wamid.A")
    deliver(db, status_payload("read", wamid="wamid.A"))
    event_id = db.scalars(select(WebhookEvent.id)).one()
    assert process_webhook_event(db=db, event_id=event_id) is None
    assert process_webhook_event(db=db, event_id=event_id + 100) is None


# --- inbound -------------------------------------------------------------------------------

INBOUND_TYPES = [
    ("message_text", "text", "Does it come in another color?"),
    ("message_button", "button", "Yes I'm interested"),
    ("message_interactive_button_reply", "interactive", "Change"),
    ("message_interactive_list_reply", "interactive", "Priority Mail Express"),
    ("message_image", "image", "This is the one"),
    ("message_audio", "audio", None),
    ("message_video", "video", "How it looks"),
    ("message_document", "document", "My receipt"),
    ("message_sticker", "sticker", None),
    ("message_location", "location", "Meta Headquarters"),
    ("message_contacts", "contacts", None),
    ("message_reaction", "reaction", "\U0001f44d"),
    ("message_order", "order", "Please deliver before Friday"),
    ("message_system", "system", None),
    ("message_unsupported", "unsupported", None),
    ("message_unknown_future_type", "hologram", None),
]


@pytest.mark.parametrize(("fixture", "mtype", "body"), INBOUND_TYPES)
def test_every_inbound_type_is_stored(db, workspace, fixture, mtype, body):
    world = make_world(db, workspace.id)
    payload = load(fixture)
    raw_msg = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    report = deliver(db, payload)
    assert report.messages_stored == 1 and report.errors == []
    msg = db.scalars(select(Message).where(Message.direction == "inbound")).one()
    assert (msg.type, msg.status, msg.wamid) == (mtype, "received", raw_msg["id"])
    if body is not None:
        assert msg.body == body
    assert msg.payload == raw_msg and msg.contact_id == world.contact_id
    assert msg.received_at == ts(1749416383)
    assert db.get(Contact, world.contact_id).last_inbound_at == ts(1749416383)
    assert events_of(db, msg.id) == ["received"]


def test_redelivered_message_is_stored_once(db, workspace):
    make_world(db, workspace.id)
    deliver(db, inbound_payload())
    again = inbound_payload()
    again["entry"][0]["id"] = "changed-so-the-body-differs"
    report = deliver(db, again)
    assert report.messages_duplicate == 1
    assert db.scalars(select(Message.id).where(Message.direction == "inbound")).all() == [1]


def test_unknown_number_creates_contact_not_opted_in(db, workspace):
    make_sender(db, workspace.id, PNID)
    deliver(db, inbound_payload())
    contact = db.scalars(select(Contact)).one()
    assert contact.phone == "+16505551234" and contact.name == "Sheena Nelson"
    assert contact.opted_in_at is None and contact.last_inbound_at == ts(1749416383)
    assert contact.workspace_id == workspace.id


def test_last_inbound_keeps_the_latest(db, workspace):
    world = make_world(db, workspace.id)
    deliver(db, inbound_payload(id="wamid.new", timestamp="1749416999"))
    deliver(db, inbound_payload(id="wamid.old", timestamp="1749416000"))
    assert db.get(Contact, world.contact_id).last_inbound_at == ts(1749416999)


@pytest.mark.parametrize(
    "text", ["STOP", " stop ", "Stop!", "s.t.o.p", "Stop all", "OPT-OUT", "unsubscribe."]
)
def test_opt_out_keyword_opts_out_and_stops_drips(db, workspace, text):
    world = make_world(db, workspace.id)
    campaign_id = make_campaign(db, world, stop_on_reply=False)
    db.add(Enrollment(campaign_id=campaign_id, contact_id=world.contact_id, state="active"))
    db.commit()
    deliver(db, inbound_payload(text={"body": text}))
    contact = db.get(Contact, world.contact_id)
    assert contact.opted_out_at == ts(1749416383)
    assert contact.opt_out_source == f"keyword:{match_opt_out(text)}"
    enrollment = db.scalars(select(Enrollment)).one()
    assert (enrollment.state, enrollment.state_reason) == ("stopped", "opted_out")


@pytest.mark.parametrize("text", ["please don't stop", "stopped", "when does it end?", "STOP STOP"])
def test_non_keyword_messages_do_not_opt_out(db, workspace, text):
    world = make_world(db, workspace.id)
    deliver(db, inbound_payload(text={"body": text}))
    assert db.get(Contact, world.contact_id).opted_out_at is None


def test_configured_keyword_opts_out(db, workspace, monkeypatch):
    from app.core.config import settings

    monkeypatch.setattr(settings, "OPT_OUT_KEYWORDS", ["Basta", "no more"])
    world = make_world(db, workspace.id)
    deliver(db, inbound_payload(text={"body": "No more!"}))
    contact = db.get(Contact, world.contact_id)
    assert contact.opted_out_at is not None and contact.opt_out_source == "keyword:no more"


def test_reply_links_to_quoted_campaign_message(db, workspace):
    world = make_world(db, workspace.id)
    campaign_id = make_campaign(db, world, type_="broadcast")
    quoted = make_outbound(db, world, wamid="wamid.Q", campaign_id=campaign_id)
    newer = make_outbound(db, world, wamid="wamid.N", sent_ago=timedelta(minutes=1))
    deliver(db, inbound_payload("message_button", context={"from": "1555", "id": "wamid.Q"}))
    reply = db.scalars(select(Message).where(Message.direction == "inbound")).one()
    assert (reply.in_reply_to_id, reply.campaign_id) == (quoted, campaign_id)
    assert db.get(Message, quoted).replied_at == ts(1749416383)
    assert db.get(Message, newer).replied_at is None
    assert events_of(db, quoted) == ["replied"]


def test_reply_without_context_links_latest_campaign_message_within_7_days(db, workspace):
    world = make_world(db, workspace.id)
    campaign_id = make_campaign(db, world, type_="broadcast")
    older = make_outbound(
        db,
        world,
        wamid="wamid.1",
        campaign_id=campaign_id,
        step_index=1,
        sent_ago=timedelta(days=2),
    )
    latest = make_outbound(
        db,
        world,
        wamid="wamid.2",
        campaign_id=campaign_id,
        step_index=2,
        sent_ago=timedelta(hours=1),
    )
    now = int(utcnow().timestamp())
    deliver(db, inbound_payload(timestamp=str(now)))
    reply = db.scalars(select(Message).where(Message.direction == "inbound")).one()
    assert (reply.in_reply_to_id, reply.campaign_id) == (latest, campaign_id)
    assert db.get(Message, older).replied_at is None


def test_reply_after_7_days_is_not_linked(db, workspace):
    world = make_world(db, workspace.id)
    campaign_id = make_campaign(db, world, type_="broadcast")
    make_outbound(db, world, wamid="wamid.1", campaign_id=campaign_id, sent_ago=timedelta(days=8))
    deliver(db, inbound_payload(timestamp=str(int(utcnow().timestamp()))))
    reply = db.scalars(select(Message).where(Message.direction == "inbound")).one()
    assert reply.in_reply_to_id is None and reply.campaign_id is None


def test_reply_stops_drips_with_stop_on_reply_only(db, workspace):
    world = make_world(db, workspace.id)
    stopping = make_campaign(db, world, stop_on_reply=True)
    continuing = make_campaign(db, world, stop_on_reply=False)
    for cid in (stopping, continuing):
        db.add(Enrollment(campaign_id=cid, contact_id=world.contact_id, state="active"))
    db.commit()
    deliver(db, inbound_payload())
    states = {e.campaign_id: (e.state, e.state_reason) for e in db.scalars(select(Enrollment))}
    assert states == {stopping: ("stopped", "replied"), continuing: ("active", None)}
    assert db.get(Contact, world.contact_id).opted_out_at is None


def test_system_message_is_not_a_reply(db, workspace):
    world = make_world(db, workspace.id)
    campaign_id = make_campaign(db, world)
    db.add(Enrollment(campaign_id=campaign_id, contact_id=world.contact_id, state="active"))
    db.commit()
    deliver(db, load("message_system"))
    assert db.scalars(select(Enrollment.state)).one() == "active"


def test_one_bad_record_does_not_lose_the_batch(db, workspace):
    make_sender(db, workspace.id, PNID)
    payload = inbound_payload()
    messages = payload["entry"][0]["changes"][0]["value"]["messages"]
    messages.insert(0, {**messages[0], "id": "wamid.bad", "from": "not-a-phone"})
    report = deliver(db, payload)
    assert report.messages_stored == 1 and len(report.errors) == 1
    assert db.scalars(select(Message.wamid)).all() == [messages[1]["id"]]
