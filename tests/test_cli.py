"""The `agent` command line, run in-process against the test PostgreSQL database.

Every key the CLI prints is proven by authenticating through the real API with it.
"""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from app.cli import cli

KEY = re.compile(r"^API key: (swa_[A-Za-z0-9_-]{20,})$", re.M)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def invoke(runner: CliRunner, *args: str, code: int = 0):
    result = runner.invoke(cli, list(args))
    assert result.exit_code == code, result.output
    return result


def printed_key(output: str) -> str:
    found = KEY.findall(output)
    assert len(found) == 1, output
    return found[0]


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_workspace_create_prints_a_working_key_once(runner, client):
    result = invoke(runner, "workspace", "create", "  Acme Retail  ")
    key = printed_key(result.output)
    assert "shown only once" in result.output

    r = client.get("/api/v1/workspace", headers=bearer(key))
    assert r.status_code == 200
    assert r.json()["name"] == "Acme Retail"
    ws_id = r.json()["id"]
    assert f"Created workspace {ws_id}" in result.output

    listed = invoke(runner, "workspace", "list").output
    assert "Acme Retail" in listed and key not in listed


def test_workspace_create_rejects_blank_name(runner, db):
    from app.workspaces.service import list_workspaces

    result = invoke(runner, "workspace", "create", "   ", code=2)
    assert "cannot be empty" in result.output
    assert list_workspaces(db=db) == []


def test_keys_create_list_show_prefix_only(runner, client):
    first = printed_key(invoke(runner, "workspace", "create", "Globex").output)
    ws_id = client.get("/api/v1/workspace", headers=bearer(first)).json()["id"]

    created = invoke(runner, "keys", "create", str(ws_id), "--name", "ci-bot").output
    second = printed_key(created)
    assert second != first
    assert client.get("/api/v1/workspace", headers=bearer(second)).json()["id"] == ws_id

    listing = invoke(runner, "keys", "list", str(ws_id)).output
    assert "ci-bot" in listing and "default" in listing
    for secret in (first, second):
        assert secret not in listing
        assert secret[:12] in listing  # the prefix identifies the key


def test_keys_for_unknown_workspace_fail_cleanly(runner):
    assert "does not exist" in invoke(runner, "keys", "create", "999", code=1).output
    assert "does not exist" in invoke(runner, "keys", "list", "999", code=1).output
    assert "does not exist" in invoke(runner, "keys", "revoke", "999", code=1).output


def test_keys_revoke_makes_the_key_fail(runner, client, db, workspace):
    from app.core.security import hash_api_key
    from app.workspaces.models import ApiKey

    key = printed_key(invoke(runner, "keys", "create", str(workspace.id)).output)
    assert client.get("/api/v1/workspace", headers=bearer(key)).status_code == 200

    key_id = db.query(ApiKey).filter_by(key_hash=hash_api_key(key)).one().id
    result = invoke(runner, "keys", "revoke", str(key_id))
    assert f"Revoked API key {key_id}" in result.output

    r = client.get("/api/v1/workspace", headers=bearer(key))
    assert r.status_code == 401
    # The workspace's other key is untouched; revoking again keeps the first revocation time.
    assert client.get("/api/v1/workspace", headers=workspace.headers).status_code == 200
    revoked_at = db.get(ApiKey, key_id).revoked_at
    assert revoked_at is not None
    invoke(runner, "keys", "revoke", str(key_id))
    db.expire_all()
    assert db.get(ApiKey, key_id).revoked_at == revoked_at


def test_demo_is_idempotent(runner, client, db, tmp_path):
    from app.contacts.models import Contact
    from app.demo import DEMO_CONTACTS, DEMO_SENDER_ID
    from app.senders.models import SenderNumber
    from app.workspaces.models import ApiKey, Workspace

    key_file = tmp_path / "demo-key"
    first = invoke(runner, "demo", "--key-file", str(key_file)).output
    second = invoke(runner, "demo", "--key-file", str(key_file)).output
    key = printed_key(first)
    assert printed_key(second) == key  # the saved key is reused, not reissued
    assert key_file.read_text().strip() == key
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert "/docs" in first

    assert db.query(Workspace).filter_by(name="Demo").count() == 1
    assert db.query(SenderNumber).filter_by(phone_number_id=DEMO_SENDER_ID).count() == 1
    assert db.query(Contact).count() == len(DEMO_CONTACTS)
    assert db.query(ApiKey).count() == 1

    r = client.get("/api/v1/contacts", headers=bearer(key))
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == len(DEMO_CONTACTS)
    assert all(c["opted_in"] for c in body["items"])
    assert {c["phone"] for c in body["items"]} == {phone for phone, _ in DEMO_CONTACTS}


def test_demo_issues_a_new_key_when_the_saved_one_is_gone(runner, client, db, tmp_path):
    from app.workspaces.models import Workspace

    key_file = tmp_path / "demo-key"
    old = printed_key(invoke(runner, "demo", "--key-file", str(key_file)).output)
    key_file.write_text("swa_not-a-real-key\n")
    new = printed_key(invoke(runner, "demo", "--key-file", str(key_file)).output)
    assert new != old and key_file.read_text().strip() == new
    assert client.get("/api/v1/workspace", headers=bearer(new)).status_code == 200
    assert db.query(Workspace).filter_by(name="Demo").count() == 1


def test_migrate_is_idempotent(runner):
    result = invoke(runner, "migrate")
    assert "latest revision" in result.output
    assert "postgresql" in result.output


def test_run_refuses_a_process_with_settings_already_loaded(runner):
    # `agent run` picks its embedded settings before importing the app; in this process the
    # test settings are loaded, so it must refuse rather than serve the wrong database.
    result = invoke(runner, "run", "--port", "1", code=1)
    assert "fresh process" in result.output
