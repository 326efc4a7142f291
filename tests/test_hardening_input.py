"""Issue 8, defects 1, 4 and 7: input that used to be stored and then broke every read, or
got a misleading answer, is refused up front with a 4xx that names the field."""

from __future__ import annotations

import pytest

from app.contacts.models import Contact
from app.contacts.schemas import MAX_ATTRIBUTES
from app.core.schemas import MAX_JSON_DEPTH
from app.templates.models import Template
from tests.support.factories import make_contact, make_sender

JSON = {"Content-Type": "application/json"}


def nested(depth: int) -> dict:
    value: dict = {"leaf": 1}
    for _ in range(depth - 1):
        value = {"k": value}
    return value


@pytest.fixture
def sender(db, workspace):
    return make_sender(db, workspace.id, "100000000000021", provider="sandbox")


def _campaign(client, auth, db, workspace_id: int, sender_id: int, phone: str, **extra):
    """POST a minimal valid broadcast to one new contact, plus `extra` fields."""
    contact = make_contact(db, workspace_id, phone, name="Ann")
    body = {
        "name": "Hardening",
        "message_template": "Hi {name}",
        "contact_ids": [contact.id],
        "phone_number_id": sender_id,
        **extra,
    }
    return client.post("/api/v1/campaigns", json=body, headers=auth)


def _reads_still_work(client, auth) -> None:
    for path in ("/api/v1/contacts", "/api/v1/campaigns", "/api/v1/templates"):
        r = client.get(path, headers=auth)
        assert r.status_code == 200, (path, r.text)


# --- defect 1: one deeply nested value poisoned the workspace ---------------------------------


def test_deep_contact_attributes_are_refused_and_nothing_is_stored(client, auth, db, workspace):
    r = client.post(
        "/api/v1/contacts",
        json={"phone": "+14155550190", "attributes": {"deep": nested(300)}},
        headers=auth,
    )
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "attributes"
    assert "levels deep" in r.json()["errors"][0]["message"]
    assert db.query(Contact).count() == 0
    contact = make_contact(db, workspace.id, "+14155550191")
    r = client.patch(
        f"/api/v1/contacts/{contact.id}", json={"attributes": nested(300)}, headers=auth
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "attributes"
    _reads_still_work(client, auth)
    assert client.get(f"/api/v1/contacts/{contact.id}", headers=auth).status_code == 200


def test_deep_campaign_metadata_and_template_components_are_refused(
    client, auth, db, workspace, sender
):
    r = _campaign(
        client, auth, db, workspace.id, sender.id, "+14155550192", metadata={"x": nested(300)}
    )
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "metadata"
    r = client.post(
        "/api/v1/templates",
        json={
            "name": "deep",
            "category": "MARKETING",
            "body": "Hi",
            "components": [nested(300)],
        },
        headers=auth,
    )
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "components"
    assert db.query(Template).count() == 0
    _reads_still_work(client, auth)


def test_nesting_up_to_the_bound_is_stored_and_reads_back(client, auth):
    attributes = {"deep": nested(MAX_JSON_DEPTH - 1)}
    r = client.post(
        "/api/v1/contacts", json={"phone": "+14155550193", "attributes": attributes}, headers=auth
    )
    assert r.status_code == 201, r.text
    assert client.get(f"/api/v1/contacts/{r.json()['id']}", headers=auth).json()["attributes"] == (
        attributes
    )
    over = {"deep": nested(MAX_JSON_DEPTH)}
    r = client.post(
        "/api/v1/contacts", json={"phone": "+14155550194", "attributes": over}, headers=auth
    )
    assert r.status_code == 422


def test_json_nested_past_the_parser_limit_is_malformed_json(client, auth):
    body = b'{"phone": "+14155550195", "attributes": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    r = client.post("/api/v1/contacts", content=body, headers={**auth, **JSON})
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "malformed_json"
    _reads_still_work(client, auth)


def test_non_finite_numbers_are_refused_naming_the_field(client, auth, db):
    body = b'{"phone": "+14155550196", "attributes": {"score": NaN}}'
    r = client.post("/api/v1/contacts", content=body, headers={**auth, **JSON})
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "attributes"
    assert db.query(Contact).count() == 0


# --- defect 4: unbounded attributes ----------------------------------------------------------


def test_attribute_count_and_size_are_bounded(client, auth, db):
    too_many = {f"a{i}": i for i in range(MAX_ATTRIBUTES + 1)}
    r = client.post(
        "/api/v1/contacts", json={"phone": "+14155550197", "attributes": too_many}, headers=auth
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "attributes"
    assert f"at most {MAX_ATTRIBUTES}" in r.json()["errors"][0]["message"]
    r = client.post(
        "/api/v1/contacts",
        json={"phone": "+14155550197", "attributes": {f"a{i}": i for i in range(50_000)}},
        headers=auth,
    )
    assert r.status_code == 422
    huge = {"bio": "x" * 20_000}
    r = client.post(
        "/api/v1/contacts", json={"phone": "+14155550197", "attributes": huge}, headers=auth
    )
    assert r.status_code == 422 and "bytes" in r.json()["errors"][0]["message"]
    assert db.query(Contact).count() == 0
    just_enough = {f"a{i}": i for i in range(MAX_ATTRIBUTES)}
    r = client.post(
        "/api/v1/contacts", json={"phone": "+14155550197", "attributes": just_enough}, headers=auth
    )
    assert r.status_code == 201, r.text


# --- defect 7: details that misled -------------------------------------------------------------


def test_oversized_chunked_body_is_413(client, auth):
    def chunks():
        yield b'{"phone": "'
        for _ in range(2048):
            yield b"x" * 1024
        yield b'"}'

    r = client.post("/api/v1/contacts", content=chunks(), headers={**auth, **JSON})
    assert r.status_code == 413, r.text
    assert r.json()["code"] == "payload_too_large"


def test_non_utf8_body_is_malformed_json_like_bad_syntax(client, auth):
    bad_bytes = client.post(
        "/api/v1/contacts", content=b'{"phone": "\xff"}', headers={**auth, **JSON}
    )
    bad_syntax = client.post("/api/v1/contacts", content=b'{"phone": ', headers={**auth, **JSON})
    assert (bad_bytes.status_code, bad_bytes.json()["code"]) == (422, "malformed_json")
    assert (bad_syntax.status_code, bad_syntax.json()["code"]) == (422, "malformed_json")


@pytest.mark.parametrize("value", [0, 1_700_000_000, 1.5])
def test_numbers_are_not_dates(client, auth, value):
    r = client.post(
        "/api/v1/phone-numbers",
        json={"name": "S", "phone_number_id": "4242", "warmup_started_on": value},
        headers=auth,
    )
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "warmup_started_on"


def test_numbers_are_not_date_times(client, auth, db, workspace, sender):
    r = _campaign(client, auth, db, workspace.id, sender.id, "+14155550198", scheduled_at=0)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "scheduled_at"
