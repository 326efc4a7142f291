"""Issue 8, defects 6 and 7 and the contract: an unexpected error leaves the keep-alive
connection usable (real uvicorn), wrong methods get 405 with the full `Allow`, the template
sync 502 does not leak client internals, and the OpenAPI document declares the errors each
route answers with, in the one error shape."""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from app.core.config import settings
from tests.fakes.graph_api import graph_api  # noqa: F401  (fixture)
from tests.support.factories import make_sender


@pytest.fixture
def live_server() -> Iterator[int]:
    """The real app (same middleware and handlers) under uvicorn, plus one route that fails."""
    from app.main import create_app

    app = create_app()

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("unexpected")

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "uvicorn did not start"
    yield port
    server.should_exit = True
    thread.join(10)


def test_a_500_leaves_the_keep_alive_connection_usable(live_server):
    conn = http.client.HTTPConnection("127.0.0.1", live_server, timeout=5)
    conn.request("GET", "/boom")
    first = conn.getresponse()
    body = first.read()
    assert first.status == 500
    assert b'"code":"internal_error"' in body.replace(b" ", b"")
    assert (first.getheader("connection") or "").lower() != "close"
    sock = conn.sock
    for _ in range(3):  # the same socket serves the following requests
        conn.request("GET", "/healthz")
        again = conn.getresponse()
        assert (again.status, again.read()) == (200, b'{"status":"ok"}')
        assert conn.sock is sock
    conn.close()


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("OPTIONS", "/api/v1/contacts", "GET, POST"),
        ("PUT", "/api/v1/contacts", "GET, POST"),
        ("PUT", "/api/v1/contacts/1", "DELETE, GET, PATCH"),
        ("OPTIONS", "/api/v1/phone-numbers/1", "DELETE, GET, PATCH"),
        ("DELETE", "/api/v1/webhooks/whatsapp", "GET, POST"),
        ("GET", "/api/v1/campaigns/1/start", "POST"),
    ],
)
def test_wrong_method_is_405_with_every_allowed_method(client, auth, method, path, allow):
    r = client.request(method, path, headers=auth)
    assert r.status_code == 405, r.text
    assert r.headers["allow"] == allow
    assert r.json() == {
        "detail": "Method Not Allowed",
        "code": "method_not_allowed",
        "errors": [],
    }


def test_template_sync_502_does_not_leak_the_client_error(client, auth, db, workspace, graph_api):  # noqa: F811
    sender = make_sender(db, workspace.id, "100000000000031", waba_id="555000111")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.WHATSAPP_API_BASE_URL = f"http://127.0.0.1:{port}"  # restored by graph_api
    r = client.post("/api/v1/templates/sync", json={"phone_number_id": sender.id}, headers=auth)
    assert r.status_code == 502, r.text
    assert r.json()["code"] == "whatsapp_api_error"
    for leak in (str(port), "127.0.0.1", "Errno", "Connect", "aiohttp"):
        assert leak not in r.text
    # Meta's own error code (numeric) still reaches the caller.
    settings.WHATSAPP_API_BASE_URL = graph_api.url
    graph_api.configure(default_token="other-token")
    r = client.post("/api/v1/templates/sync", json={"phone_number_id": sender.id}, headers=auth)
    assert r.status_code == 422 and r.json()["errors"][0]["graph_code"] == 190


# --- the document tells the truth ------------------------------------------------------------


def test_openapi_declares_error_responses_in_our_shape(client):
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert schemas["ErrorResponse"]["required"] == ["detail", "code", "errors"]
    for path, item in spec["paths"].items():
        for method, op in item.items():
            responses = op["responses"]
            for status, response in responses.items():
                if int(status) >= 400:
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/ErrorResponse"), (method, path, status)
            if op.get("security"):
                assert "401" in responses, (method, path)
            if "{" in path or "requestBody" in op:
                assert "422" in responses and ("404" in responses or "{" not in path)
            if "requestBody" in op:
                assert "413" in responses, (method, path)
    assert "502" in spec["paths"]["/api/v1/templates/sync"]["post"]["responses"]
    assert "502" in spec["paths"]["/api/v1/phone-numbers"]["post"]["responses"]


def _nullable(schema: dict) -> bool:
    return any(option.get("type") == "null" for option in schema.get("anyOf", []))


@pytest.mark.parametrize(
    "name", ["SenderUpdate", "TemplateUpdate", "ContactUpdate", "SenderCreate", "ContactCreate"]
)
def test_fields_documented_nullable_accept_null(client, auth, db, workspace, name):
    """Every nullable field of these bodies takes an explicit null; the others say they are
    not nullable (a null there is refused with a 422 naming the field)."""
    from tests.support.factories import make_contact, make_template

    schema = client.get("/openapi.json").json()["components"]["schemas"][name]
    sender = make_sender(db, workspace.id, "100000000000032", provider="sandbox")
    contact = make_contact(db, workspace.id, "+14155550160")
    template = make_template(db, workspace.id)
    urls = {
        "SenderUpdate": ("PATCH", f"/api/v1/phone-numbers/{sender.id}", {}),
        "TemplateUpdate": ("PATCH", f"/api/v1/templates/{template.id}", {}),
        "ContactUpdate": ("PATCH", f"/api/v1/contacts/{contact.id}", {}),
        "SenderCreate": (
            "POST",
            "/api/v1/phone-numbers",
            {"name": "S", "phone_number_id": "777001", "provider": "sandbox"},
        ),
        "ContactCreate": ("POST", "/api/v1/contacts", {"phone": "+14155550161"}),
    }
    method, url, base = urls[name]
    for field, prop in schema["properties"].items():
        body = {**base, field: None}
        r = client.request(method, url, json=body, headers=auth)
        if _nullable(prop):
            assert r.status_code < 300, (name, field, r.text)
            if method == "POST":  # undo, so the next create is not a duplicate
                path = url.rsplit("/", 1)[-1]
                assert client.delete(f"/api/v1/{path}/{r.json()['id']}", headers=auth).is_success
        else:
            assert r.status_code == 422, (name, field, r.text)
            assert field in [e["field"] for e in r.json()["errors"]], (name, field, r.text)
