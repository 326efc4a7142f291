"""Issue 8, defect 8: API keys have roles. admin does everything; send cannot manage API keys
or sender numbers; read can only GET. Keys from before roles are admin."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from app.cli import cli
from app.workspaces import service as workspaces
from app.workspaces.models import ApiKey
from tests.support.factories import make_sender
from tests.test_cli import bearer, printed_key

KEYS = "/api/v1/workspace/api-keys"
SENDERS = "/api/v1/phone-numbers"
SANDBOX_SENDER = {"name": "Line", "phone_number_id": "424242", "provider": "sandbox"}


def _key(db, workspace_id: int, role: str) -> dict[str, str]:
    issued = workspaces.issue_key(db=db, workspace_id=workspace_id, name=role, role=role)
    db.commit()
    return bearer(issued.secret)


@pytest.fixture
def keys(db, workspace):
    """One key per role, plus the workspace's first key (admin)."""
    return {
        "admin": workspace.headers,
        "send": _key(db, workspace.id, "send"),
        "read": _key(db, workspace.id, "read"),
    }


def test_keys_written_without_a_role_are_admin(client, db, workspace):
    """A key row as it was before roles existed (no role column value) works as admin."""
    from app.core.db import utcnow
    from app.core.security import generate_api_key, hash_api_key, key_prefix

    secret = generate_api_key()
    db.execute(
        text(
            "INSERT INTO api_keys (workspace_id, name, prefix, key_hash, created_at) "
            "VALUES (:ws, 'legacy', :prefix, :hash, :now)"
        ),
        {
            "ws": workspace.id,
            "prefix": key_prefix(secret),
            "hash": hash_api_key(secret),
            "now": utcnow(),
        },
    )
    db.commit()
    legacy = bearer(secret)
    r = client.get(KEYS, headers=legacy)
    assert r.status_code == 200, r.text
    assert {k["name"]: k["role"] for k in r.json()} == {"default": "admin", "legacy": "admin"}
    assert client.post(SENDERS, json=SANDBOX_SENDER, headers=legacy).status_code == 201
    assert client.post(KEYS, json={"name": "more"}, headers=legacy).status_code == 201


@pytest.mark.parametrize("role", ["send", "read"])
def test_non_admin_key_cannot_manage_keys(client, db, workspace, keys, role):
    headers = keys[role]
    admin_key = db.query(ApiKey).filter_by(name="default").one()
    calls = [
        client.get(KEYS, headers=headers),
        client.post(KEYS, json={"name": "escalate", "role": "admin"}, headers=headers),
        client.post(f"{KEYS}/{admin_key.id}/revoke", headers=headers),
    ]
    for r in calls:
        assert r.status_code == 403, r.text
        assert r.json()["code"] == "forbidden"
    db.expire_all()
    assert db.get(ApiKey, admin_key.id).revoked_at is None
    assert db.query(ApiKey).count() == 3  # nothing was minted
    assert client.get("/api/v1/workspace", headers=workspace.headers).status_code == 200


@pytest.mark.parametrize("role", ["send", "read"])
def test_non_admin_key_cannot_manage_sender_numbers(client, db, workspace, keys, role):
    headers = keys[role]
    sender = make_sender(db, workspace.id, "100000000000009", provider="sandbox")
    sid = sender.id
    calls = [
        client.post(SENDERS, json=SANDBOX_SENDER, headers=headers),
        client.patch(f"{SENDERS}/{sid}", json={"name": "hijack"}, headers=headers),
        client.post(f"{SENDERS}/{sid}/pause", headers=headers),
        client.post(f"{SENDERS}/{sid}/resume", headers=headers),
        client.delete(f"{SENDERS}/{sid}", headers=headers),
    ]
    for r in calls:
        assert r.status_code == 403, r.text
        assert r.json()["code"] == "forbidden"
    # Reading sender numbers is allowed (campaigns name one).
    assert client.get(SENDERS, headers=headers).status_code == 200
    assert client.get(f"{SENDERS}/{sid}", headers=headers).status_code == 200
    assert client.get(f"{SENDERS}/{sid}/status", headers=headers).status_code == 200
    db.expire_all()
    stored = db.get(type(sender), sid)
    assert (stored.name, stored.status) == (sender.name, "active")


def test_send_key_works_with_contacts_and_campaigns(client, db, workspace, keys):
    sender = make_sender(db, workspace.id, "100000000000010", provider="sandbox")
    r = client.post(
        "/api/v1/contacts",
        json={"phone": "+14155550177", "name": "Ann", "opted_in": True},
        headers=keys["send"],
    )
    assert r.status_code == 201, r.text
    r = client.post(
        "/api/v1/campaigns",
        json={
            "name": "Hi",
            "message_template": "Hi {name}",
            "contact_ids": [r.json()["id"]],
            "phone_number_id": sender.id,
        },
        headers=keys["send"],
    )
    assert r.status_code == 201, r.text


def test_read_key_only_reads(client, db, workspace, keys):
    r = client.post("/api/v1/contacts", json={"phone": "+14155550178"}, headers=keys["read"])
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert client.get("/api/v1/contacts", headers=keys["read"]).json()["total"] == 0
    assert client.get("/api/v1/campaigns", headers=keys["read"]).status_code == 200


def test_admin_key_mints_keys_of_each_role(client, workspace):
    for role in ("send", "read", "admin"):
        r = client.post(KEYS, json={"name": role, "role": role}, headers=workspace.headers)
        assert r.status_code == 201, r.text
        assert r.json()["role"] == role
    r = client.post(KEYS, json={"name": "x", "role": "root"}, headers=workspace.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "role"
    assert client.post(KEYS, json={"name": "plain"}, headers=workspace.headers).json()["role"] == (
        "admin"
    )


def test_openapi_marks_admin_routes(client):
    spec = client.get("/openapi.json").json()
    admin = {
        (method, path)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if op.get("x-required-role") == "admin"
    }
    assert ("post", KEYS) in admin and ("delete", SENDERS + "/{sender_id}") in admin
    assert ("get", SENDERS) not in admin and ("post", "/api/v1/contacts") not in admin
    for method, path in admin:
        assert "403" in spec["paths"][path][method]["responses"]


def test_cli_keys_create_with_role(client, workspace):
    runner = CliRunner()
    result = runner.invoke(cli, ["keys", "create", str(workspace.id), "--role", "send"])
    assert result.exit_code == 0, result.output
    key = printed_key(result.output)
    assert "role send" in result.output
    assert client.get("/api/v1/contacts", headers=bearer(key)).status_code == 200
    assert client.get(KEYS, headers=bearer(key)).status_code == 403

    listing = runner.invoke(cli, ["keys", "list", str(workspace.id)]).output
    assert "send" in listing and "admin" in listing

    bad = runner.invoke(cli, ["keys", "create", str(workspace.id), "--role", "owner"])
    assert bad.exit_code == 2 and "unknown role" in bad.output
