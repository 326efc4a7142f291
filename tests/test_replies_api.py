"""The new routes over HTTP: review inbox (filters, cursor pages, resolve actions), auto-response
settings and rules, the messages and conversations API with its CSV export, and bad input on
each (another workspace's ids → 404, invalid actions → 422, never a 500)."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from app.ai.custom_intents.models import IntentExample
from app.contacts.models import Contact
from app.core.db import utcnow
from app.messaging.models import Message, MessageEvent
from tests.engine_support import make_campaign
from tests.support.replies import answers, customer, make_shop, reply

PHONE = "+14155550123"


@pytest.fixture
def shop(db, workspace):
    return make_shop(db, workspace.id)


@pytest.fixture
def item(db, shop, client, auth):
    """An open review item (meeting requests always need a person)."""
    customer(db, shop, PHONE)
    reply(db, shop, PHONE, "Can we schedule a call tomorrow at 10?")
    body = client.get("/api/v1/inbox", headers=auth).json()
    assert body["total"] == 1
    return body["items"][0]


def test_inbox_lists_open_items_with_filters_and_cursor_pages(db, shop, client, auth):
    for i in range(5):
        phone = f"+1415555{i + 200:04d}"
        customer(db, shop, phone)
        reply(db, shop, phone, "Can we schedule a call tomorrow at 10?")
    first = client.get("/api/v1/inbox", params={"limit": 2}, headers=auth).json()
    assert first["total"] == 5 and len(first["items"]) == 2 and first["next_cursor"]
    seen = [i["id"] for i in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get("/api/v1/inbox", params={"limit": 2, "cursor": cursor}, headers=auth)
        assert page.status_code == 200
        seen += [i["id"] for i in page.json()["items"]]
        cursor = page.json()["next_cursor"]
    assert len(seen) == len(set(seen)) == 5 and seen == sorted(seen, reverse=True)
    one = first["items"][0]
    assert one["reason"] == "meeting_request" and one["in_service_window"] is True
    assert one["body"] == "Can we schedule a call tomorrow at 10?"
    by_intent = client.get("/api/v1/inbox", params={"intent": "pricing"}, headers=auth).json()
    assert by_intent["total"] == 0
    handled = client.get("/api/v1/inbox", params={"state": "handled"}, headers=auth).json()
    assert handled["total"] == 0
    client.post(f"/api/v1/inbox/{seen[0]}/resolve", json={"action": "mark_handled"}, headers=auth)
    totals = {
        state: client.get(
            "/api/v1/inbox", params={"state": state, "limit": 1}, headers=auth
        ).json()["total"]
        for state in ("open", "handled", "all")
    }
    assert totals == {"open": 4, "handled": 1, "all": 5}


def test_resolve_with_a_reply_queues_it_for_the_engine(db, shop, client, auth, item):
    r = client.post(
        f"/api/v1/inbox/{item['id']}/resolve",
        json={"action": "reply", "text": "Sure {first_name}, 10 works!"},
        headers=auth,
    )
    assert r.status_code == 200, r.text
    done = r.json()
    assert (done["state"], done["resolution"]) == ("handled", "replied")
    queued = db.get(Message, done["reply_message_id"])
    assert (queued.origin, queued.status, queued.body) == (
        "inbox_reply",
        "queued",
        "Sure Ada, 10 works!",
    )
    again = client.post(
        f"/api/v1/inbox/{item['id']}/resolve", json={"action": "mark_handled"}, headers=auth
    )
    assert again.status_code == 409
    assert client.get("/api/v1/inbox", headers=auth).json()["total"] == 0


def test_reply_outside_the_window_is_refused(db, shop, client, auth, item):
    contact = db.get(Contact, item["contact_id"])
    contact.last_inbound_at = utcnow().replace(year=2020)
    db.commit()
    r = client.post(
        f"/api/v1/inbox/{item['id']}/resolve", json={"action": "reply", "text": "Hi"}, headers=auth
    )
    assert r.status_code == 409 and r.json()["code"] == "outside_service_window"
    assert answers(db, item["contact_id"], "inbox_reply") == []


def test_correcting_the_intent_makes_a_training_example(db, shop, client, auth, item):
    r = client.post(
        f"/api/v1/inbox/{item['id']}/resolve",
        json={"action": "correct_intent", "intent": "interested", "note": "wants a demo"},
        headers=auth,
    )
    assert r.status_code == 200 and r.json()["resolution"] == "corrected"
    message = db.get(Message, item["message_id"])
    assert message.intent == "interested"
    assert message.classification["corrected_from"] == "meeting_request"
    examples = db.scalars(select(IntentExample)).all()
    assert [(e.text, e.intent) for e in examples] == [
        ("Can we schedule a call tomorrow at 10?", "interested")
    ]


def test_opt_out_action_opts_the_contact_out(db, shop, client, auth, item):
    r = client.post(f"/api/v1/inbox/{item['id']}/resolve", json={"action": "opt_out"}, headers=auth)
    assert r.status_code == 200
    contact = db.get(Contact, item["contact_id"])
    assert contact.opted_out_at is not None and contact.opt_out_source == "inbox"


@pytest.mark.parametrize(
    "body",
    [
        {"action": "delete_everything"},
        {"action": "reply"},
        {"action": "reply", "text": ""},
        {"action": "correct_intent", "intent": "Not An Intent!"},
        {"action": "mark_handled", "surprise": 1},
        {"text": "no action"},
        [],
        {"action": "reply", "text": "x\u0000y"},
    ],
)
def test_invalid_resolve_actions_are_422(client, auth, item, body):
    r = client.post(f"/api/v1/inbox/{item['id']}/resolve", json=body, headers=auth)
    assert r.status_code == 422, r.text
    assert client.get(f"/api/v1/inbox/{item['id']}", headers=auth).json()["state"] == "open"


def test_another_workspaces_items_and_messages_are_404(db, client, item, other_workspace):
    other = other_workspace.headers
    assert client.get(f"/api/v1/inbox/{item['id']}", headers=other).status_code == 404
    r = client.post(
        f"/api/v1/inbox/{item['id']}/resolve", json={"action": "mark_handled"}, headers=other
    )
    assert r.status_code == 404
    assert client.get("/api/v1/inbox", headers=other).json()["total"] == 0
    for path in (
        f"/api/v1/messages/{item['message_id']}",
        f"/api/v1/contacts/{item['contact_id']}/messages",
    ):
        assert client.get(path, headers=other).status_code == 404, path


@pytest.mark.parametrize(
    "params",
    [
        {"state": "bogus"},
        {"cursor": "not-a-cursor"},
        {"cursor": "djE6LTU"},  # "v1:-5"
        {"limit": 0},
        {"limit": 100000},
        {"campaign_id": 0},
        {"campaign_id": 2**63},
        {"intent": "DROP TABLE"},
        {"reason": "whatever"},
    ],
)
def test_bad_inbox_queries_are_422(client, auth, params):
    r = client.get("/api/v1/inbox", params=params, headers=auth)
    assert r.status_code == 422, r.text


def test_auto_response_settings_and_rules(client, auth, shop):
    got = client.get("/api/v1/auto-responses", headers=auth).json()
    assert got["settings"]["auto_respond"] is True
    assert [r["intent"] for r in got["rules"]] == ["pricing"]
    r = client.put("/api/v1/auto-responses/rules/auto_reply", json={"response": None}, headers=auth)
    assert r.status_code == 200 and r.json()["response"] is None
    r = client.patch(
        "/api/v1/auto-responses/settings",
        json={"confidence_threshold": 80, "optout_confirmation": "Bye!"},
        headers=auth,
    )
    assert r.status_code == 200
    assert (r.json()["confidence_threshold"], r.json()["cooldown_hours"]) == (80, 24)
    assert client.delete("/api/v1/auto-responses/rules/pricing", headers=auth).status_code == 204
    assert client.delete("/api/v1/auto-responses/rules/pricing", headers=auth).status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("put", "/api/v1/auto-responses/rules/Bad-Intent", {"response": "x"}),
        ("put", "/api/v1/auto-responses/rules/opt_out", {"response": "We will miss you"}),
        ("put", "/api/v1/auto-responses/rules/auto_reply", {"response": "Thanks bot"}),
        ("put", "/api/v1/auto-responses/rules/pricing", {"response": ""}),
        ("put", "/api/v1/auto-responses/rules/pricing", {"text": "wrong field"}),
        ("put", "/api/v1/auto-responses/rules/pricing", {"response": "x" * 5000}),
        ("put", "/api/v1/auto-responses/rules/pricing", {"response": "a\u0000b"}),
        ("put", "/api/v1/auto-responses/rules/pricing", {"response": "x", "enabled": "yes!"}),
        ("put", "/api/v1/auto-responses/rules/pricing", ["response"]),
        ("put", f"/api/v1/auto-responses/rules/{'a' * 40}", {"response": "x"}),
        ("patch", "/api/v1/auto-responses/settings", {"confidence_threshold": 101}),
        ("patch", "/api/v1/auto-responses/settings", {"confidence_threshold": None}),
        ("patch", "/api/v1/auto-responses/settings", {"cooldown_hours": -1}),
        ("patch", "/api/v1/auto-responses/settings", {"auto_respond": "maybe"}),
        ("patch", "/api/v1/auto-responses/settings", {"unknown": True}),
    ],
)
def test_bad_auto_response_input_is_422(client, auth, method, path, body):
    r = getattr(client, method)(path, json=body, headers=auth)
    assert r.status_code == 422, r.text


def test_malformed_rule_body_is_422_and_foreign_rules_stay_apart(client, auth, other_workspace):
    headers = {**auth, "Content-Type": "application/json"}
    url = "/api/v1/auto-responses/rules/pricing"
    r = client.put(url, content=b'{"response": ', headers=headers)
    assert r.status_code == 422 and r.json()["code"] == "malformed_json"
    assert client.put(url, json={"response": "Ours"}, headers=auth).status_code == 200
    theirs = client.get("/api/v1/auto-responses", headers=other_workspace.headers).json()
    assert theirs["rules"] == [] and theirs["settings"]["auto_respond"] is False
    assert client.delete(url, headers=other_workspace.headers).status_code == 404


def test_contact_conversation_both_directions_newest_first(db, shop, client, auth):
    contact = customer(db, shop, PHONE)
    reply(db, shop, PHONE, "how much is it?")  # in, and our auto answer out
    reply(db, shop, PHONE, "Thanks!")
    r = client.get(f"/api/v1/contacts/{contact.id}/messages", headers=auth)
    assert r.status_code == 200
    items = r.json()["items"]
    assert [i["direction"] for i in items] == ["inbound", "outbound", "inbound"]
    assert items[1]["origin"] == "auto_response" and items[2]["intent"] == "pricing"
    page = client.get(
        f"/api/v1/contacts/{contact.id}/messages", params={"limit": 1}, headers=auth
    ).json()
    rest = client.get(
        f"/api/v1/contacts/{contact.id}/messages",
        params={"limit": 5, "cursor": page["next_cursor"]},
        headers=auth,
    ).json()
    assert [i["id"] for i in page["items"] + rest["items"]] == [i["id"] for i in items]
    assert rest["next_cursor"] is None
    only_in = client.get(
        f"/api/v1/contacts/{contact.id}/messages", params={"direction": "inbound"}, headers=auth
    ).json()
    assert {i["direction"] for i in only_in["items"]} == {"inbound"}


def test_message_with_its_timeline(db, shop, client, auth):
    customer(db, shop, PHONE)
    stored = reply(db, shop, PHONE, "how much is it?")
    r = client.get(f"/api/v1/messages/{stored.id}", headers=auth)
    assert r.status_code == 200
    body = r.json()
    assert body["intent"] == "pricing" and body["classification"]["intent"] == "pricing"
    assert [e["event"] for e in body["events"]] == ["received"]
    assert body["rewritten"] is False


def test_campaign_messages_per_recipient_with_reply_and_csv(db, workspace, shop, client, auth):
    a = customer(db, shop, PHONE, last_inbound_minutes_ago=1)
    b = customer(db, shop, "+14155550124", last_inbound_minutes_ago=1)
    cid = make_campaign(db, workspace.id, shop.sender_id, [a.id, b.id])
    rows = db.scalars(select(Message).where(Message.campaign_id == cid)).all()
    for row in rows:  # as if sent
        row.status, row.wamid, row.sent_at, row.body = "sent", f"wamid.C{row.id}", utcnow(), "Hi!"
        db.add(MessageEvent(message_id=row.id, event="sent", data={}))
    db.commit()
    reply(db, shop, PHONE, "how much is it?")  # links to the campaign message
    r = client.get(f"/api/v1/campaigns/{cid}/messages", headers=auth)
    assert r.status_code == 200
    items = {i["contact_id"]: i for i in r.json()["items"]}
    assert set(items) == {a.id, b.id}
    assert items[a.id]["reply"]["intent"] == "pricing" and items[b.id]["reply"] is None
    assert items[a.id]["contact_phone"] == PHONE and items[a.id]["status"] == "sent"
    sent = client.get(
        f"/api/v1/campaigns/{cid}/messages", params={"status": "failed"}, headers=auth
    ).json()
    assert sent["items"] == []
    export = client.get(f"/api/v1/campaigns/{cid}/messages/export", headers=auth)
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(export.text)))
    assert len(table) == 2
    by_phone = {row["contact_phone"]: row for row in table}
    assert by_phone[PHONE]["reply_intent"] == "pricing" and by_phone[PHONE]["status"] == "sent"


def test_campaign_messages_bad_input(db, workspace, shop, client, auth, other_workspace):
    a = customer(db, shop, PHONE)
    cid = make_campaign(db, workspace.id, shop.sender_id, [a.id], start=False)
    other = other_workspace.headers
    assert client.get("/api/v1/inbox", params={"campaign_id": cid}, headers=auth).status_code == 200
    r = client.get("/api/v1/inbox", params={"campaign_id": cid}, headers=other)
    assert r.status_code == 404
    assert client.get(f"/api/v1/campaigns/{cid}/messages", headers=other).status_code == 404
    r = client.get(f"/api/v1/campaigns/{cid}/messages/export", headers=other)
    assert r.status_code == 404
    for params in ({"status": "received"}, {"status": "x"}, {"cursor": "%%%"}, {"limit": 0}):
        r = client.get(f"/api/v1/campaigns/{cid}/messages", params=params, headers=auth)
        assert r.status_code == 422, (params, r.text)
    for path in (
        "/api/v1/campaigns/0/messages",
        f"/api/v1/campaigns/{2**63}/messages",
        "/api/v1/messages/0",
        "/api/v1/messages/abc",
        "/api/v1/contacts/0/messages",
        "/api/v1/inbox/0",
    ):
        assert client.get(path, headers=auth).status_code == 422, path
    assert client.get("/api/v1/messages/999999999", headers=auth).status_code == 404
    assert client.get("/api/v1/inbox", headers={}).status_code == 401
