"""Contacts REST API and the service functions other domains call (real PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.contacts import service
from app.contacts.models import Contact
from app.core.errors import NotFound, ValidationFailed

URL = "/api/v1/contacts"


def _create(client, auth, **body):
    body.setdefault("phone", "+1 415-555-0100")
    r = client.post(URL, json=body, headers=auth)
    assert r.status_code == 201, r.text
    return r.json()


# --- create / read / update / delete ---------------------------------------------------------


def test_crud_round_trip(client, auth):
    created = _create(
        client,
        auth,
        phone="(415) 555-0100",
        name="Ann Lee",
        email="ann@example.com",
        tags=["vip", " vip ", "beta"],
        attributes={"city": "San Francisco", "plan": "pro"},
    )
    assert created["phone"] == "+14155550100"
    assert created["tags"] == ["vip", "beta"]
    assert created["timezone"] == "America/Los_Angeles"  # derived from the number
    assert created["country"] == "US"
    assert created["opted_in"] is False and created["opted_in_at"] is None

    got = client.get(f"{URL}/{created['id']}", headers=auth).json()
    assert got == created

    r = client.patch(
        f"{URL}/{created['id']}",
        json={"name": "Ann B. Lee", "tags": ["gold"], "timezone": "Europe/Paris"},
        headers=auth,
    )
    assert r.status_code == 200, r.text
    patched = r.json()
    assert (patched["name"], patched["tags"], patched["timezone"]) == (
        "Ann B. Lee",
        ["gold"],
        "Europe/Paris",
    )
    assert patched["email"] == "ann@example.com"  # untouched fields stay

    assert client.delete(f"{URL}/{created['id']}", headers=auth).status_code == 204
    assert client.get(f"{URL}/{created['id']}", headers=auth).status_code == 404
    assert client.delete(f"{URL}/{created['id']}", headers=auth).status_code == 404


@pytest.mark.parametrize(
    ("raw", "expected", "zone"),
    [
        ("+1 415-555-0100", "+14155550100", "America/Los_Angeles"),
        ("(415) 555-0100", "+14155550100", "America/Los_Angeles"),
        ("00 44 20 7946 0958", "+442079460958", "Europe/London"),
        ("+44 20 7946 0958", "+442079460958", "Europe/London"),
    ],
)
def test_phone_is_stored_as_e164_with_derived_timezone(client, auth, raw, expected, zone):
    created = _create(client, auth, phone=raw)
    assert created["phone"] == expected
    assert created["timezone"] == zone


@pytest.mark.parametrize("raw", ["12345", "call me maybe", "+1 415 555"])
def test_invalid_phone_is_422_naming_the_value(client, auth, raw):
    r = client.post(URL, json={"phone": raw}, headers=auth)
    assert r.status_code == 422
    body = r.json()
    assert body["errors"][0]["field"] == "phone"
    assert raw in body["detail"]


def test_explicit_timezone_is_validated_and_kept(client, auth):
    created = _create(client, auth, timezone="Asia/Tokyo")
    assert created["timezone"] == "Asia/Tokyo"
    r = client.post(URL, json={"phone": "+12125550100", "timezone": "Mars/Olympus"}, headers=auth)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "timezone"


def test_invalid_fields_are_422_naming_the_field(client, auth):
    cases = [
        ({"phone": "+12125550100", "email": "nope"}, "email"),
        ({"phone": "+12125550100", "tags": "vip"}, "tags"),
        ({"phone": "+12125550100", "unknown": 1}, "unknown"),
        ({"name": "no phone"}, "phone"),
        ({"phone": "+12125550100", "name": "x" * 201}, "name"),
    ]
    for body, field in cases:
        r = client.post(URL, json=body, headers=auth)
        assert r.status_code == 422, body
        assert field in {e["field"] for e in r.json()["errors"]}, (body, r.json())


def test_duplicate_phone_is_409_in_any_format(client, auth):
    first = _create(client, auth, phone="+1 415-555-0100")
    r = client.post(URL, json={"phone": "(415) 555-0100"}, headers=auth)
    assert r.status_code == 409
    assert str(first["id"]) in r.json()["detail"]
    other = _create(client, auth, phone="+12125550100")
    r = client.patch(f"{URL}/{other['id']}", json={"phone": "415-555-0100"}, headers=auth)
    assert r.status_code == 409


def test_same_phone_allowed_in_another_workspace(client, auth, other_workspace):
    _create(client, auth)
    _create(client, other_workspace.headers)


def test_patch_phone_rederives_timezone(client, auth):
    created = _create(client, auth, phone="+14155550100")
    r = client.patch(f"{URL}/{created['id']}", json={"phone": "+44 20 7946 0958"}, headers=auth)
    assert r.status_code == 200
    assert (r.json()["phone"], r.json()["timezone"], r.json()["country"]) == (
        "+442079460958",
        "Europe/London",
        "GB",
    )
    r = client.patch(f"{URL}/{created['id']}", json={"phone": None}, headers=auth)
    assert r.status_code == 422


# --- consent ---------------------------------------------------------------------------------


def test_consent_is_explicit(client, auth):
    created = _create(client, auth, opted_in=True, opt_in_source="website_form")
    assert created["opted_in"] is True
    assert created["opt_in_source"] == "website_form"
    assert created["opted_in_at"] is not None
    # A source without consent is refused rather than silently opting in.
    r = client.post(URL, json={"phone": "+12125550100", "opt_in_source": "form"}, headers=auth)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "opted_in"


def test_opt_in_then_out_then_in_again(client, auth):
    cid = _create(client, auth)["id"]
    r = client.post(f"{URL}/{cid}/opt-in", json={"source": "keyword_JOIN"}, headers=auth)
    assert r.status_code == 200
    assert r.json()["opted_in"] is True and r.json()["opt_in_source"] == "keyword_JOIN"

    r = client.post(f"{URL}/{cid}/opt-out", headers=auth)  # body optional
    assert r.status_code == 200
    out = r.json()
    assert out["opted_in"] is False and out["opted_out_at"] and out["opt_out_source"] == "api"

    again = client.post(f"{URL}/{cid}/opt-out", json={"source": "STOP"}, headers=auth).json()
    assert again["opted_out_at"] == out["opted_out_at"]  # idempotent: first opt-out kept

    r = client.post(f"{URL}/{cid}/opt-in", json={"source": "support_call"}, headers=auth)
    assert r.json()["opted_in"] is True
    assert r.json()["opted_out_at"] is None and r.json()["opt_out_source"] is None


def test_opt_in_needs_a_source(client, auth):
    cid = _create(client, auth)["id"]
    r = client.post(f"{URL}/{cid}/opt-in", json={}, headers=auth)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "source"
    r = client.post(f"{URL}/{cid}/opt-in", json={"source": "  "}, headers=auth)
    assert r.status_code == 422


# --- list: filters and pagination ------------------------------------------------------------


@pytest.fixture
def roster(client, auth):
    people = [
        ("+14155550100", "Ann Lee", "ann@example.com", ["vip", "beta"], True),
        ("+14155550101", "Bob Stone", "bob@corp.io", ["beta"], False),
        ("+442079460958", "Cleo 100%", None, ["vip"], True),
        ("+4930901820", "dan_x", "DAN@example.com", [], False),
    ]
    ids = {}
    for phone, name, email, tags, consent in people:
        body = {"phone": phone, "name": name, "tags": tags, "opted_in": consent}
        if email:
            body["email"] = email
        ids[name] = _create(client, auth, **body)["id"]
    return ids


def _names(client, auth, query=""):
    body = client.get(f"{URL}{query}", headers=auth).json()
    return {c["name"] for c in body["items"]}, body["total"]


def test_filters(client, auth, roster):
    assert _names(client, auth, "?tag=vip") == ({"Ann Lee", "Cleo 100%"}, 2)
    assert _names(client, auth, "?tag=beta&tag=vip") == ({"Ann Lee"}, 1)
    assert _names(client, auth, "?tag=nobody") == (set(), 0)
    assert _names(client, auth, "?opted_in=true") == ({"Ann Lee", "Cleo 100%"}, 2)
    assert _names(client, auth, "?opted_in=false") == ({"Bob Stone", "dan_x"}, 2)
    assert _names(client, auth, "?search=ANN") == ({"Ann Lee"}, 1)
    assert _names(client, auth, "?search=example.com") == ({"Ann Lee", "dan_x"}, 2)
    assert _names(client, auth, "?search=%2B4420") == ({"Cleo 100%"}, 1)  # "+4420"
    assert _names(client, auth, "?search=(415) 555-0101") == ({"Bob Stone"}, 1)
    # LIKE wildcards in the search are literal characters.
    assert _names(client, auth, "?search=100%25") == ({"Cleo 100%"}, 1)
    assert _names(client, auth, "?search=_") == ({"dan_x"}, 1)
    assert _names(client, auth, "?tag=vip&opted_in=true&search=cleo") == ({"Cleo 100%"}, 1)


def test_opted_out_contact_is_not_opted_in(client, auth, roster):
    client.post(f"{URL}/{roster['Ann Lee']}/opt-out", json={"source": "STOP"}, headers=auth)
    assert _names(client, auth, "?opted_in=true") == ({"Cleo 100%"}, 1)
    assert "Ann Lee" in _names(client, auth, "?opted_in=false")[0]


def test_pagination(client, auth, roster):
    seen = []
    for offset in (0, 2, 4):
        body = client.get(f"{URL}?limit=2&offset={offset}", headers=auth).json()
        assert (body["total"], body["limit"], body["offset"]) == (4, 2, offset)
        seen += [c["id"] for c in body["items"]]
    assert len(seen) == 4 and set(seen) == set(roster.values())
    assert seen == sorted(seen, reverse=True)  # newest first, stable


@pytest.mark.parametrize(
    "query", ["?limit=0", "?limit=501", "?offset=-1", "?opted_in=maybe", "?limit=abc"]
)
def test_bad_list_params_are_422(client, auth, query):
    r = client.get(f"{URL}{query}", headers=auth)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] in {"limit", "offset", "opted_in"}


# --- isolation, auth, malformed input --------------------------------------------------------


def test_other_workspace_contact_is_404_everywhere(client, auth, other_workspace):
    foreign = _create(client, other_workspace.headers, name="Secret", tags=["vip"])
    fid = foreign["id"]
    calls = [
        client.get(f"{URL}/{fid}", headers=auth),
        client.patch(f"{URL}/{fid}", json={"name": "pwned"}, headers=auth),
        client.delete(f"{URL}/{fid}", headers=auth),
        client.post(f"{URL}/{fid}/opt-in", json={"source": "x"}, headers=auth),
        client.post(f"{URL}/{fid}/opt-out", json={"source": "x"}, headers=auth),
    ]
    assert [r.status_code for r in calls] == [404] * 5
    assert all(r.json()["code"] == "not_found" for r in calls)
    # Nothing changed on the foreign row.
    still = client.get(f"{URL}/{fid}", headers=other_workspace.headers).json()
    assert still == foreign

    mine = _create(client, auth, phone="+12125550100", tags=["vip"])
    for query in ("", "?tag=vip", "?search=Secret", "?opted_in=false"):
        body = client.get(f"{URL}{query}", headers=auth).json()
        assert fid not in [c["id"] for c in body["items"]]
        assert body["total"] == (0 if "Secret" in query else 1)
    assert mine["id"] in [c["id"] for c in client.get(URL, headers=auth).json()["items"]]


def test_unknown_id_is_404(client, auth, db, workspace):
    assert client.get(f"{URL}/999999", headers=auth).status_code == 404
    assert client.get(f"{URL}/not-a-number", headers=auth).status_code == 422
    for path in ("/99999999999999999999", "/0", "/-1", "/99999999999999999999/opt-out"):
        r = (
            client.post(f"{URL}{path}", headers=auth)
            if "opt" in path
            else client.get(f"{URL}{path}", headers=auth)
        )
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "contact_id", path
    r = client.get(f"{URL}?offset=99999999999999999999", headers=auth)
    assert r.status_code == 422
    with pytest.raises(NotFound):
        service.get_contact(db=db, workspace_id=workspace.id, contact_id=2**70)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", ""),
        ("post", ""),
        ("get", "/1"),
        ("patch", "/1"),
        ("delete", "/1"),
        ("post", "/1/opt-in"),
        ("post", "/1/opt-out"),
        ("post", "/import"),
        ("get", "/export"),
    ],
)
def test_missing_auth_is_401(client, method, path):
    r = client.request(method, f"{URL}{path}")
    assert r.status_code == 401
    assert r.json()["code"] == "unauthorized"


def test_malformed_json_is_422(client, auth):
    headers = {**auth, "Content-Type": "application/json"}
    r = client.post(URL, content='{"phone": "+14155550100",', headers=headers)
    assert r.status_code == 422 and r.json()["code"] == "malformed_json"
    cid = _create(client, auth)["id"]
    r = client.patch(f"{URL}/{cid}", content="{nope", headers=headers)
    assert r.status_code == 422 and r.json()["code"] == "malformed_json"
    r = client.post(f"{URL}/{cid}/opt-in", content="[", headers=headers)
    assert r.status_code == 422


# --- service functions used by other domains -------------------------------------------------


def test_get_contact_is_scoped(db, workspace, other_workspace, client):
    cid = _create(client, workspace.headers)["id"]
    assert service.get_contact(db=db, workspace_id=workspace.id, contact_id=cid).id == cid
    with pytest.raises(NotFound):
        service.get_contact(db=db, workspace_id=other_workspace.id, contact_id=cid)


def test_get_or_create_by_phone_accepts_wa_id(db, workspace):
    created = service.get_or_create_by_phone(
        db=db, workspace_id=workspace.id, phone="14155550100", name="Ann"
    )
    db.commit()
    assert created.phone == "+14155550100"
    assert created.opted_in_at is None and not created.can_receive_campaigns
    assert created.timezone == "America/Los_Angeles" and created.name == "Ann"

    again = service.get_or_create_by_phone(
        db=db, workspace_id=workspace.id, phone="+1 415-555-0100"
    )
    assert again.id == created.id
    assert db.query(Contact).filter_by(workspace_id=workspace.id).count() == 1


def test_get_or_create_fills_missing_name_only(db, workspace):
    first = service.get_or_create_by_phone(db=db, workspace_id=workspace.id, phone="442079460958")
    assert first.name is None
    named = service.get_or_create_by_phone(
        db=db, workspace_id=workspace.id, phone="442079460958", name="Cleo"
    )
    renamed = service.get_or_create_by_phone(
        db=db, workspace_id=workspace.id, phone="442079460958", name="Other"
    )
    assert named.id == first.id and renamed.name == "Cleo"


def test_get_or_create_rejects_garbage(db, workspace):
    with pytest.raises(ValidationFailed):
        service.get_or_create_by_phone(db=db, workspace_id=workspace.id, phone="hello")


def test_service_opt_in_out_with_explicit_time(db, workspace):
    contact = service.get_or_create_by_phone(db=db, workspace_id=workspace.id, phone="14155550100")
    at = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    service.opt_in(db=db, contact=contact, source="import", at=at)
    db.commit()
    db.refresh(contact)
    assert contact.opted_in_at == at and contact.can_receive_campaigns
    service.opt_out(db=db, contact=contact, source="STOP", at=at)
    db.commit()
    db.refresh(contact)
    assert contact.opted_out_at == at and contact.opt_out_source == "STOP"
    assert not contact.can_receive_campaigns


def test_nul_characters_are_422_not_500(client, auth):
    """PostgreSQL cannot store U+0000; such input is refused with the field named."""
    cases = [
        (URL, {"phone": "+14155550100", "name": "a\u0000b"}, "name"),
        (URL, {"phone": "+14155550100", "attributes": {"k": ["x\u0000"]}}, "attributes"),
        (URL, {"phone": "+14155550100", "tags": ["a\u0000"]}, "tags"),
    ]
    for url, body, field in cases:
        r = client.post(url, json=body, headers=auth)
        assert r.status_code == 422, body
        assert r.json()["errors"][0]["field"] == field
    cid = _create(client, auth)["id"]
    r = client.post(f"{URL}/{cid}/opt-in", json={"source": "web\u0000"}, headers=auth)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "source"
    for query, field in (("?search=a%00b", "search"), ("?tag=a%00b", "tag")):
        for path in ("", "/export"):
            r = client.get(f"{URL}{path}{query}", headers=auth)
            assert r.status_code == 422, (path, query)
            assert r.json()["errors"][0]["field"] == field
