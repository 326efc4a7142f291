"""Sender numbers over REST: CRUD, secrets at rest, workspace isolation, quota status."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from app.core.db import utcnow
from app.core.security import decrypt_secret
from app.senders.models import SenderNumber
from tests.fakes.graph_api import graph_api  # noqa: F401  (fixture)

BASE = "/api/v1/phone-numbers"
TOKEN = "EAAG-super-secret-token-123"


@pytest.fixture(autouse=True)
def _meta_knows_the_numbers(graph_api):  # noqa: F811
    """cloud_api numbers are verified at Meta on registration: the loopback Graph API lets
    this file's tokens read its numbers."""
    tokens = [TOKEN, "rotated-token", "new-secret-x"]
    graph_api.configure(tokens={"106540352242922": tokens, "777": tokens})


def _create(client, headers, **overrides):
    body = {
        "name": "Main line",
        "phone_number_id": "106540352242922",
        "display_phone": "+1 415 555 0123",
        "waba_id": "102290129340398",
        "provider": "cloud_api",
        "access_token": TOKEN,
        **overrides,
    }
    return client.post(BASE, json=body, headers=headers)


def _assert_no_secret(response, *secrets: str) -> None:
    text = response.text
    for secret in secrets:
        assert secret not in text
    assert "access_token" not in json.dumps(response.json()).replace("has_access_token", "")


def test_create_get_list_update_delete(client, auth, db):
    r = _create(client, auth)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["display_phone"] == "+14155550123"
    assert created["has_access_token"] is True
    assert created["provider"] == "cloud_api"
    assert created["status"] == "active"
    assert created["warmup_started_on"] == utcnow().date().isoformat()
    assert created["messaging_tier"] == "TIER_250"
    sid = created["id"]

    assert client.get(f"{BASE}/{sid}", headers=auth).json()["name"] == "Main line"
    assert [s["id"] for s in client.get(BASE, headers=auth).json()] == [sid]

    r = client.patch(
        f"{BASE}/{sid}",
        json={"name": "Renamed", "max_per_hour": 10, "messaging_tier": "tier_2k"},
        headers=auth,
    )
    assert r.status_code == 200, r.text
    assert (r.json()["name"], r.json()["max_per_hour"], r.json()["messaging_tier"]) == (
        "Renamed",
        10,
        "TIER_2K",
    )
    assert r.json()["display_phone"] == "+14155550123"  # untouched fields stay

    assert client.delete(f"{BASE}/{sid}", headers=auth).status_code == 204
    assert client.get(f"{BASE}/{sid}", headers=auth).status_code == 404
    assert db.get(SenderNumber, sid) is None


def test_defaults(client, auth):
    r = client.post(BASE, json={"name": "Sandbox", "phone_number_id": "42"}, headers=auth)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["provider"] == "sandbox"  # settings.WHATSAPP_PROVIDER in the tests
    assert body["has_access_token"] is False
    assert body["display_phone"] is None
    assert body["quality_rating"] == "UNKNOWN"


def test_explicit_null_warmup_means_no_warmup(client, auth):
    r = _create(client, auth, warmup_started_on=None, messaging_tier="TIER_UNLIMITED")
    assert r.status_code == 201
    status = client.get(f"{BASE}/{r.json()['id']}/status", headers=auth).json()
    assert status["warmup_day"] is None and status["warmup_cap"] is None


def test_token_encrypted_at_rest_and_rotatable(client, auth, db):
    sid = _create(client, auth).json()["id"]
    stored = db.get(SenderNumber, sid)
    assert stored.access_token_encrypted and stored.access_token_encrypted != TOKEN
    assert TOKEN not in stored.access_token_encrypted
    assert decrypt_secret(stored.access_token_encrypted) == TOKEN

    from app.senders.service import credentials_for

    creds = credentials_for(stored)
    assert (creds.phone_number_id, creds.access_token, creds.waba_id) == (
        "106540352242922",
        TOKEN,
        "102290129340398",
    )

    r = client.patch(f"{BASE}/{sid}", json={"access_token": "rotated-token"}, headers=auth)
    assert r.status_code == 200 and r.json()["has_access_token"] is True
    db.expire_all()
    assert credentials_for(db.get(SenderNumber, sid)).access_token == "rotated-token"

    r = client.patch(f"{BASE}/{sid}", json={"access_token": None}, headers=auth)
    assert r.json()["has_access_token"] is False
    db.expire_all()
    assert credentials_for(db.get(SenderNumber, sid)).access_token is None


def test_token_never_in_any_response(client, auth, db):
    r = _create(client, auth)
    sid = r.json()["id"]
    encrypted = db.get(SenderNumber, sid).access_token_encrypted
    responses = [
        r,
        client.get(BASE, headers=auth),
        client.get(f"{BASE}/{sid}", headers=auth),
        client.patch(f"{BASE}/{sid}", json={"name": "x"}, headers=auth),
        client.post(f"{BASE}/{sid}/pause", headers=auth),
        client.post(f"{BASE}/{sid}/resume", headers=auth),
        client.get(f"{BASE}/{sid}/status", headers=auth),
        _create(client, auth),  # 409 duplicate still must not echo the token
        _create(client, auth, phone_number_id="999", display_phone="12"),  # 422
    ]
    for response in responses:
        assert response.status_code < 500
        _assert_no_secret(response, TOKEN, encrypted)
    rotated = client.patch(f"{BASE}/{sid}", json={"access_token": "new-secret-x"}, headers=auth)
    _assert_no_secret(rotated, "new-secret-x")


def test_duplicate_phone_number_id_is_409_even_across_workspaces(client, auth, other_workspace):
    assert _create(client, auth).status_code == 201
    r = _create(client, auth, name="Again")
    assert r.status_code == 409
    assert r.json()["errors"][0]["field"] == "phone_number_id"
    assert _create(client, other_workspace.headers).status_code == 409

    second = _create(client, auth, phone_number_id="777").json()["id"]
    r = client.patch(f"{BASE}/{second}", json={"phone_number_id": "106540352242922"}, headers=auth)
    assert r.status_code == 409
    # Re-sending one's own id is not a conflict.
    r = client.patch(f"{BASE}/{second}", json={"phone_number_id": "777"}, headers=auth)
    assert r.status_code == 200


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("display_phone", "12"),
        ("display_phone", "not a phone"),
        ("display_phone", "+1 555 000"),
        ("provider", "twilio"),
        ("max_per_hour", 0),
        ("max_per_day", -5),
        ("max_per_day", "many"),
        ("messaging_tier", "TIER_3K"),
        ("quality_rating", "PURPLE"),
        ("phone_number_id", ""),
        ("phone_number_id", "has spaces in it"),
        ("name", ""),
        ("warmup_started_on", "yesterday"),
        ("unexpected", 1),
    ],
)
def test_invalid_create_is_422_naming_the_field(client, auth, field, value):
    r = _create(client, auth, **{field: value})
    assert r.status_code == 422, r.text
    assert field in [e["field"] for e in r.json()["errors"]]


def test_invalid_patch_is_422(client, auth):
    sid = _create(client, auth).json()["id"]
    for body, field in [
        ({"display_phone": "123"}, "display_phone"),
        ({"name": None}, "name"),
        ({"provider": None}, "provider"),
        ({"max_per_hour": 0}, "max_per_hour"),
        ({"messaging_tier": "huge"}, "messaging_tier"),
    ]:
        r = client.patch(f"{BASE}/{sid}", json=body, headers=auth)
        assert r.status_code == 422, (body, r.text)
        assert field in [e["field"] for e in r.json()["errors"]]


def test_display_phone_national_format_uses_default_region(client, auth):
    r = _create(client, auth, display_phone="(415) 555-0199")
    assert r.status_code == 201
    assert r.json()["display_phone"] == "+14155550199"


def test_pause_and_resume(client, auth):
    sid = _create(client, auth).json()["id"]
    r = client.post(f"{BASE}/{sid}/pause", json={"reason": "quality dropped"}, headers=auth)
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["status_reason"]) == ("paused", "quality dropped")
    assert r.json()["status_changed_at"]
    listed = client.get(BASE, params={"status": "paused"}, headers=auth).json()
    assert [s["id"] for s in listed] == [sid]
    assert client.get(BASE, params={"status": "active"}, headers=auth).json() == []

    r = client.post(f"{BASE}/{sid}/resume", headers=auth)
    assert (r.json()["status"], r.json()["status_reason"]) == ("active", None)

    r = client.post(f"{BASE}/{sid}/pause", headers=auth)  # no body: default reason
    assert r.json()["status"] == "paused" and r.json()["status_reason"]


def test_delete_refused_while_campaigns_use_it(client, auth, db, workspace):
    from app.campaigns.models import Campaign

    sid = _create(client, auth).json()["id"]
    db.add(Campaign(workspace_id=workspace.id, sender_id=sid, name="Launch"))
    db.commit()
    r = client.delete(f"{BASE}/{sid}", headers=auth)
    assert r.status_code == 409
    assert client.get(f"{BASE}/{sid}", headers=auth).status_code == 200


def test_other_workspace_gets_404_on_every_route(client, auth, other_workspace, db):
    sid = _create(client, auth).json()["id"]
    foreign = other_workspace.headers
    calls = [
        client.get(f"{BASE}/{sid}", headers=foreign),
        client.patch(f"{BASE}/{sid}", json={"name": "hijack"}, headers=foreign),
        client.delete(f"{BASE}/{sid}", headers=foreign),
        client.post(f"{BASE}/{sid}/pause", headers=foreign),
        client.post(f"{BASE}/{sid}/resume", headers=foreign),
        client.get(f"{BASE}/{sid}/status", headers=foreign),
        client.post("/api/v1/templates/sync", json={"phone_number_id": sid}, headers=foreign),
    ]
    for r in calls:
        assert r.status_code == 404, r.text
        assert r.json()["code"] == "not_found"
    assert client.get(BASE, headers=foreign).json() == []
    db.expire_all()
    stored = db.get(SenderNumber, sid)
    assert (stored.name, stored.status) == ("Main line", "active")


def test_unknown_id_is_404(client, auth):
    assert client.get(f"{BASE}/999999", headers=auth).status_code == 404
    assert client.get(f"{BASE}/999999/status", headers=auth).status_code == 404
    assert client.get(f"{BASE}/not-a-number", headers=auth).status_code == 422


def test_missing_auth_and_malformed_json(client, auth):
    assert client.get(BASE).status_code == 401
    assert client.post(BASE, json={"name": "x", "phone_number_id": "1"}).status_code == 401
    r = client.post(BASE, content="{not json", headers={**auth, "Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["code"] == "malformed_json"
    sid = _create(client, auth).json()["id"]
    r = client.patch(
        f"{BASE}/{sid}", content="[1,", headers={**auth, "Content-Type": "application/json"}
    )
    assert r.status_code == 422
    r = client.post(
        f"{BASE}/{sid}/pause", content="{oops", headers={**auth, "Content-Type": "application/json"}
    )
    assert r.status_code == 422


# --- quota status from real message rows ------------------------------------------------


def _sent(db, *, workspace_id, contact_id, sender_id, at):
    from app.messaging.models import Message

    db.add(
        Message(
            workspace_id=workspace_id,
            contact_id=contact_id,
            sender_id=sender_id,
            direction="outbound",
            body="hello",
            status="delivered",
            sent_at=at,
        )
    )


def test_status_counts_real_messages_and_warmup(client, auth, db, workspace):
    from tests.support.factories import make_contact

    started = utcnow().date() - timedelta(days=4)  # day 5 → warm-up cap 100
    r = _create(
        client,
        auth,
        warmup_started_on=started.isoformat(),
        max_per_hour=30,
        messaging_tier="TIER_2K",
    )
    sid = r.json()["id"]
    contact = make_contact(db, workspace.id, "+14155550142")
    now = utcnow()
    stamps = [
        now - timedelta(minutes=1),
        now - timedelta(minutes=20),
        now - timedelta(minutes=50),
        now - timedelta(hours=2),
        now - timedelta(hours=5),
        now - timedelta(days=1, minutes=5),  # more than 24 h ago: never counted
        now - timedelta(days=2),
    ]
    for at in stamps:
        _sent(db, workspace_id=workspace.id, contact_id=contact.id, sender_id=sid, at=at)
    db.commit()

    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    expected_hour = sum(1 for at in stamps if at >= now - timedelta(hours=1))
    expected_today = sum(1 for at in stamps if at >= day_start)
    expected_24h = sum(1 for at in stamps if at >= now - timedelta(hours=24))
    assert (expected_hour, expected_24h) == (3, 5)

    r = client.get(f"{BASE}/{sid}/status", headers=auth)
    assert r.status_code == 200, r.text
    status = r.json()
    assert status["warmup_day"] == 5
    assert status["warmup_cap"] == 100
    assert status["tier_cap"] == 2000
    assert status["daily_cap"] == 100
    assert status["hourly_cap"] == 30
    assert status["sent_last_hour"] == expected_hour
    assert status["sent_last_24h"] == expected_24h
    assert status["sent_today"] == expected_today  # information: the caps slide
    assert status["remaining_this_hour"] == min(30 - expected_hour, 100 - expected_24h)
    assert status["remaining_24h"] == 100 - expected_24h
    assert status["sendable_now"] == 30 - expected_hour  # TIER_2K: one recipient so far
    assert status["next_room_at"] is None
    assert (status["status"], status["messaging_tier"]) == ("active", "TIER_2K")


def test_status_after_warmup_and_when_exhausted(client, auth, db, workspace):
    from tests.support.factories import make_contact

    started = utcnow().date() - timedelta(days=20)
    sid = _create(
        client, auth, warmup_started_on=started.isoformat(), max_per_hour=2, max_per_day=3
    ).json()["id"]
    contact = make_contact(db, workspace.id, "+14155550143")
    now = utcnow()
    for minutes in (1, 2, 3, 4):
        _sent(
            db,
            workspace_id=workspace.id,
            contact_id=contact.id,
            sender_id=sid,
            at=now - timedelta(minutes=minutes),
        )
    db.commit()
    status = client.get(f"{BASE}/{sid}/status", headers=auth).json()
    assert (status["warmup_day"], status["warmup_cap"]) == (None, None)
    assert (status["hourly_cap"], status["daily_cap"]) == (2, 3)
    assert (status["sent_last_hour"], status["remaining_this_hour"]) == (4, 0)
    assert (status["remaining_24h"], status["sendable_now"]) == (0, 0)
    assert status["next_room_at"] is not None


def test_oversized_body_is_413(client, auth):
    big = "x" * (2 * 1024 * 1024)
    r = client.post(
        BASE,
        content=f'{{"name": "{big}", "phone_number_id": "1"}}',
        headers={**auth, "Content-Type": "application/json"},
    )
    assert r.status_code == 413


def test_overlong_fields_are_422(client, auth):
    r = _create(client, auth, name="n" * 201, access_token="t" * 5000)
    assert r.status_code == 422
    assert {"name", "access_token"} <= {e["field"] for e in r.json()["errors"]}
