"""Issue 8, defect 9: number squatting. A cloud_api sender is registered only when its access
token can read that phone number through the Graph API (the loopback fake speaks Meta's
`GET /{phone_number_id}`); an id registered elsewhere is answered without naming the holder."""

from __future__ import annotations

import socket

import pytest

from app.core.config import settings
from app.senders.models import SenderNumber
from tests.fakes.graph_api import graph_api  # noqa: F401  (fixture)
from tests.support.factories import make_workspace

BASE = "/api/v1/phone-numbers"
PNID = "106540352242922"
TOKEN = "EAAG-owner-token"


def _cloud(client, headers, **overrides):
    body = {
        "name": "Main",
        "phone_number_id": PNID,
        "provider": "cloud_api",
        "access_token": TOKEN,
        **overrides,
    }
    return client.post(BASE, json=body, headers=headers)


@pytest.fixture
def meta(graph_api):  # noqa: F811
    """Meta knows PNID, readable with TOKEN only; another business has its own token."""
    graph_api.configure(
        default_token=None, tokens={PNID: TOKEN, "200000000000002": "EAAG-squatter-token"}
    )
    return graph_api


def test_cloud_api_number_is_verified_with_its_token(client, auth, meta, db):
    r = _cloud(client, auth)
    assert r.status_code == 201, r.text
    assert meta.stats()["number_lookups"] == 1
    assert db.query(SenderNumber).count() == 1


def test_cloud_api_without_a_token_is_refused(client, auth, meta, db):
    r = _cloud(client, auth, access_token=None)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "access_token"
    assert meta.stats()["number_lookups"] == 0
    assert db.query(SenderNumber).count() == 0


def test_a_token_that_cannot_read_the_number_is_refused(client, auth, meta, db):
    # A real token of another business: Graph answers 100 ("missing permissions").
    r = _cloud(client, auth, access_token="EAAG-squatter-token")
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "phone_number_id"
    assert r.json()["errors"][0]["graph_code"] == 100
    # A made-up token: Graph answers 190.
    r = _cloud(client, auth, access_token="made-up")
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "access_token"
    assert "made-up" not in r.text
    # A number Meta does not know.
    meta.set_phone_number(PNID, exists=False)
    assert _cloud(client, auth).status_code == 422
    assert db.query(SenderNumber).count() == 0


def test_squatter_learns_nothing_and_owner_is_told_without_names(client, db, meta, workspace):
    squatter = make_workspace(db, "Squatter")
    owner_sender = _cloud(client, workspace.headers)
    assert owner_sender.status_code == 201
    # The squatter cannot prove the number: a plain 422, exactly as for an unregistered id.
    r = _cloud(client, squatter.headers, access_token="EAAG-squatter-token")
    assert r.status_code == 422
    other = "106540352242999"  # registered nowhere
    unregistered = _cloud(
        client, squatter.headers, phone_number_id=other, access_token="EAAG-squatter-token"
    )
    assert r.json() == {
        **unregistered.json(),
        "detail": unregistered.json()["detail"].replace(other, PNID),
        "errors": [
            {**e, "message": e["message"].replace(other, PNID)}
            for e in unregistered.json()["errors"]
        ],
    }
    # Someone who can prove it (say, a second workspace of the same business) gets 409, and
    # the answer names neither the workspace nor its sender.
    r = _cloud(client, squatter.headers)
    assert r.status_code == 409, r.text
    body = r.text
    assert "another workspace" in r.json()["detail"]
    assert "Acme" not in body and f"sender {owner_sender.json()['id']}" not in body
    # Within one's own workspace the duplicate is named, to help.
    r = _cloud(client, workspace.headers, name="Again")
    assert r.status_code == 409 and "this workspace" in r.json()["detail"]
    assert db.query(SenderNumber).count() == 1


def test_patch_to_another_number_or_token_is_verified(client, auth, meta, db):
    sid = _cloud(client, auth).json()["id"]
    r = client.patch(f"{BASE}/{sid}", json={"phone_number_id": "200000000000002"}, headers=auth)
    assert r.status_code == 422, r.text  # TOKEN cannot read that number
    r = client.patch(f"{BASE}/{sid}", json={"access_token": "rotated-bad"}, headers=auth)
    assert r.status_code == 422
    db.expire_all()
    assert db.get(SenderNumber, sid).phone_number_id == PNID
    # Changing other fields calls nobody.
    before = meta.stats()["number_lookups"]
    assert client.patch(f"{BASE}/{sid}", json={"name": "x"}, headers=auth).status_code == 200
    assert meta.stats()["number_lookups"] == before
    # A sandbox sender turned cloud_api must prove the number too.
    sandbox = client.post(
        BASE,
        json={"name": "S", "phone_number_id": "300000000000003", "provider": "sandbox"},
        headers=auth,
    ).json()["id"]
    r = client.patch(f"{BASE}/{sandbox}", json={"provider": "cloud_api"}, headers=auth)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "access_token"


def test_sandbox_senders_need_no_token(client, auth, meta):
    r = client.post(
        BASE, json={"name": "S", "phone_number_id": "42", "provider": "sandbox"}, headers=auth
    )
    assert r.status_code == 201
    assert meta.stats()["number_lookups"] == 0


def test_graph_outage_is_a_stable_502(client, auth, meta, monkeypatch, db):
    meta.set_phone_number(PNID, code=2, http_status=503)
    r = _cloud(client, auth)
    assert r.status_code == 502, r.text
    assert r.json()["code"] == "whatsapp_api_error"
    # Nothing listens on this port: the client's exception text must not reach the caller.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setattr(settings, "WHATSAPP_API_BASE_URL", f"http://127.0.0.1:{port}")
    r = _cloud(client, auth)
    assert r.status_code == 502
    assert str(port) not in r.text and "127.0.0.1" not in r.text and "Errno" not in r.text
    assert db.query(SenderNumber).count() == 0
