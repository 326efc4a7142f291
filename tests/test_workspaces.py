from __future__ import annotations


def test_missing_key_is_401(client):
    r = client.get("/api/v1/workspace")
    assert r.status_code == 401
    assert r.json()["code"] == "unauthorized"


def test_invalid_key_is_401(client, workspace):
    r = client.get("/api/v1/workspace", headers={"Authorization": "Bearer swa_nope"})
    assert r.status_code == 401


def test_wrong_scheme_is_401(client, workspace):
    r = client.get("/api/v1/workspace", headers={"Authorization": f"Basic {workspace.api_key}"})
    assert r.status_code == 401


def test_key_sees_its_workspace(client, workspace):
    r = client.get("/api/v1/workspace", headers=workspace.headers)
    assert r.status_code == 200
    assert r.json()["id"] == workspace.id


def test_create_list_and_revoke_key(client, workspace):
    r = client.post("/api/v1/workspace/api-keys", json={"name": "ci"}, headers=workspace.headers)
    assert r.status_code == 201
    created = r.json()
    secret = created["api_key"]
    assert secret.startswith("swa_") and created["prefix"] == secret[:12]

    listed = client.get("/api/v1/workspace/api-keys", headers=workspace.headers).json()
    assert {k["name"] for k in listed} == {"default", "ci"}
    assert all("api_key" not in k and "key_hash" not in k for k in listed)

    new_headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/workspace", headers=new_headers).status_code == 200
    r = client.post(f"/api/v1/workspace/api-keys/{created['id']}/revoke", headers=workspace.headers)
    assert r.status_code == 200 and r.json()["revoked_at"]
    assert client.get("/api/v1/workspace", headers=new_headers).status_code == 401


def test_cannot_revoke_other_workspace_key(client, workspace, other_workspace, db):
    from app.workspaces.service import list_keys

    foreign = list_keys(db=db, workspace_id=other_workspace.id)[0]
    r = client.post(f"/api/v1/workspace/api-keys/{foreign.id}/revoke", headers=workspace.headers)
    assert r.status_code == 404
    assert client.get("/api/v1/workspace", headers=other_workspace.headers).status_code == 200


def test_keys_are_stored_hashed(db, workspace):
    from app.workspaces.models import ApiKey

    stored = db.query(ApiKey).filter_by(workspace_id=workspace.id).one()
    assert workspace.api_key not in (stored.key_hash, stored.prefix)
    assert len(stored.key_hash) == 64


def test_oversized_body_is_413(client, workspace):
    big = "x" * (2 * 1024 * 1024)
    r = client.post(
        "/api/v1/workspace/api-keys", content=f'{{"name": "{big}"}}', headers=workspace.headers
    )
    assert r.status_code == 413
    assert r.json()["code"] == "payload_too_large"


def test_malformed_json_is_422(client, workspace):
    r = client.post(
        "/api/v1/workspace/api-keys",
        content="{not json",
        headers={**workspace.headers, "Content-Type": "application/json"},
    )
    assert r.status_code == 422


def test_health(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json()["checks"] == {"database": "ok", "redis": "ok"}
