"""The tolerant webhook parser, on payloads shaped like Meta's documented examples."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.inbound.parser import classify, is_envelope, parse_timestamp, parse_webhook
from tests.support.webhooks import load

# (fixture, type, expected text)
INBOUND = [
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
    (
        "message_system",
        "system",
        "Sheena Nelson changed their phone number from 16505551234 to 16505559999",
    ),
    ("message_unsupported", "unsupported", None),
    ("message_unknown_future_type", "hologram", None),
]


@pytest.mark.parametrize(("fixture", "mtype", "text"), INBOUND)
def test_every_inbound_type_parses(fixture, mtype, text):
    payload = load(fixture)
    batch = parse_webhook(payload)
    assert batch.statuses == [] and batch.unknown == []
    [msg] = batch.messages
    raw = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    assert msg.wamid == raw["id"] and msg.type == mtype
    assert msg.from_ == "16505551234" and msg.profile_name == "Sheena Nelson"
    assert msg.timestamp == datetime.fromtimestamp(1749416383, tz=UTC)
    assert msg.text == text
    assert msg.channel.phone_number_id == "106540352242922"
    assert msg.raw == raw
    assert classify(payload) == "messages"


def test_content_and_context_are_kept():
    msg = parse_webhook(load("message_button")).messages[0]
    assert msg.content == {"payload": "Yes I'm interested", "text": "Yes I'm interested"}
    assert msg.context_id and msg.context_id.startswith("wamid.")
    contacts = parse_webhook(load("message_contacts")).messages[0]
    assert contacts.content["contacts"][0]["phones"][0]["wa_id"] == "14155550123"
    reaction = parse_webhook(load("message_reaction")).messages[0]
    assert reaction.reacted_to == reaction.content["message_id"]


def test_unsupported_keeps_errors_and_unknown_keeps_fields():
    unsupported = parse_webhook(load("message_unsupported")).messages[0]
    assert [e["code"] for e in unsupported.errors] == [131051]
    future = parse_webhook(load("message_unknown_future_type")).messages[0]
    assert future.content == {"id": "holo-1", "dimensions": 3, "caption": "future"}
    assert future.extra == {"future_field": {"x": 1}}


@pytest.mark.parametrize("status", ["sent", "delivered", "read"])
def test_statuses_parse(status):
    payload = load(f"status_{status}")
    [update] = parse_webhook(payload).statuses
    assert update.status == status
    assert update.recipient_id == "16505551234"
    assert update.biz_opaque_callback_data == "1"
    assert update.timestamp is not None and update.errors == []
    assert classify(payload) == "statuses"


def test_sent_status_keeps_conversation_and_pricing():
    update = parse_webhook(load("status_sent")).statuses[0]
    assert update.conversation and update.conversation["origin"]["type"] == "marketing"
    assert update.pricing and update.pricing["category"] == "marketing"


@pytest.mark.parametrize("code", [131026, 131050])
def test_failed_status_errors(code):
    update = parse_webhook(load(f"status_failed_{code}")).statuses[0]
    assert update.status == "failed" and update.error_codes == [code]


def test_batch_walks_every_entry_change_status_and_message():
    payload = load("batch_mixed")
    batch = parse_webhook(payload)
    assert [(s.wamid, s.status) for s in batch.statuses] == [
        ("wamid.BATCH.1", "sent"),
        ("wamid.BATCH.1", "delivered"),
        ("wamid.BATCH.2", "read"),
        ("wamid.BATCH.3", "failed"),
    ]
    assert [m.wamid for m in batch.messages] == ["wamid.IN.batch.1"]
    # The template-status change is an account update, read as one, not dropped.
    assert batch.unknown == []
    [update] = batch.account_updates
    assert (update.kind, update.value["message_template_name"]) == (
        "message_template_status_update",
        "order_update",
    )
    assert classify(payload) == "mixed"
    assert batch.phone_number_ids == ["106540352242922"]


@pytest.mark.parametrize(
    "payload",
    [
        {"object": "whatsapp_business_account", "entry": []},
        {"object": "x", "entry": [None, 3, {"changes": "nope"}, {"changes": [None, {"value": 1}]}]},
        {"object": "x", "entry": [{"changes": [{"value": {"statuses": [{"id": "w"}, "junk"]}}]}]},
        {"object": "x", "entry": [{"changes": [{"value": {"messages": [{"type": "text"}]}}]}]},
        {"object": "x", "entry": [{"changes": [{"value": {"metadata": "odd", "messages": None}}]}]},
        [],
        "text",
    ],
)
def test_odd_shapes_never_raise(payload):
    batch = parse_webhook(payload)
    assert batch.statuses == [] and batch.messages == []


def test_message_with_scalar_content_is_kept():
    payload = load("message_text")
    payload["entry"][0]["changes"][0]["value"]["messages"][0]["text"] = "plain string"
    msg = parse_webhook(payload).messages[0]
    assert msg.content == {"value": "plain string"} and msg.text is None


def test_envelope_and_timestamps():
    assert is_envelope({"object": "whatsapp_business_account", "entry": []})
    assert not is_envelope({"entry": []}) and not is_envelope({"object": "x", "entry": {}})
    assert not is_envelope([1])
    assert parse_timestamp("1749416383") == datetime.fromtimestamp(1749416383, tz=UTC)
    assert parse_timestamp(1749416383000) == datetime.fromtimestamp(1749416383, tz=UTC)
    assert parse_timestamp("soon") is None and parse_timestamp(None) is None
    assert parse_timestamp("1e400") is None
