"""Bad input never gets a 500 (SPEC §2.8): a sweep over EVERY route of the OpenAPI schema.

For each route with a JSON body a valid-looking body is built (`BODIES`; a route missing from
the table fails `test_every_route_is_covered`), then sent broken in every way we know: malformed
JSON, an array instead of an object, a NUL in every string (and in a key of every object), 2**70
in every integer, a wrong type for every field, out-of-range date-times, and huge / negative /
non-numeric path ids. Every answer must be a 4xx, and a 422 must name the field. The unbroken
body is sent too and must be accepted: so each refusal is due to the broken value. GET and
DELETE routes get bad path ids and a bad value for every query parameter. The multipart import
and the signed webhook get their own cases.
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson
import pytest
from pydantic import BaseModel

from app.core.db import utcnow
from app.inbound.service import sign
from app.main import app as fastapi_app
from tests.support.factories import make_contact, make_sender, make_template
from tests.test_ingest import inbound_payload

HUGE = 2**70
NUL = "\u0000"
SPEC = fastapi_app.openapi()
OPERATIONS = sorted(
    (method.upper(), path)
    for path, item in SPEC["paths"].items()
    for method in item
    if method in ("get", "post", "put", "patch", "delete")
)


@dataclass
class World:
    ids: dict[str, int]  # path parameter name → an existing id
    contact_id: int
    sender_id: int
    template_id: int
    headers: dict[str, str]


@pytest.fixture
def world(client, db, workspace, redis_client) -> World:
    from app.workspaces import service as workspaces

    contact = make_contact(db, workspace.id, "+14155550101", name="Ann")
    sender = make_sender(db, workspace.id, "100000000000001", provider="sandbox", access_token=None)
    template = make_template(db, workspace.id)  # APPROVED, two parameters
    spare_key = workspaces.issue_key(db=db, workspace_id=workspace.id, name="spare").api_key
    db.commit()
    r = client.post(
        "/api/v1/campaigns",
        json={
            "name": "Existing",
            "message_template": "Hi {name}",
            "contact_ids": [contact.id],
            "phone_number_id": sender.id,
        },
        headers=workspace.headers,
    )
    assert r.status_code == 201, r.text
    media = client.post(
        "/api/v1/media",
        data={"phone_number_id": str(sender.id)},
        files={"file": ("a.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "image/png")},
        headers=workspace.headers,
    )
    assert media.status_code == 201, media.text
    message, item = _review_item(db, workspace.id, contact.id, sender.id)
    ids = {
        "media_id": media.json()["id"],
        "contact_id": contact.id,
        "sender_id": sender.id,
        "template_id": template.id,
        "campaign_id": r.json()["id"],
        "key_id": spare_key.id,
        "message_id": message,
        "item_id": item,
        "intent": "pricing",
        "report_date": "2026-06-10",  # a date path parameter (no report: 404)
    }
    return World(ids, contact.id, sender.id, template.id, workspace.headers)


def _review_item(db, workspace_id: int, contact_id: int, sender_id: int) -> tuple[int, int]:
    """An inbound reply waiting in the review inbox: (message id, review item id)."""
    from app.messaging.models import Message
    from app.replies.models import ReviewItem

    message = Message(
        workspace_id=workspace_id,
        contact_id=contact_id,
        sender_id=sender_id,
        direction="inbound",
        type="text",
        body="Can we talk tomorrow?",
        status="received",
        received_at=utcnow(),
        intent="meeting_request",
        needs_review=True,
    )
    db.add(message)
    db.flush()
    item = ReviewItem(
        workspace_id=workspace_id,
        message_id=message.id,
        contact_id=contact_id,
        reason="meeting_request",
        intent="meeting_request",
    )
    db.add(item)
    db.commit()
    return message.id, item.id


# --- valid-looking bodies (n makes unique values, so creating twice is no conflict) -----------

Body = Callable[[World, int], dict[str, Any]]


def _future() -> str:
    return (utcnow() + timedelta(days=2)).isoformat()


def _contact(w: World, n: int) -> dict[str, Any]:
    return {
        "phone": f"+1415555{2000 + n:04d}",
        "name": "Zed Doe",
        "email": "zed@example.com",
        "tags": ["vip", "beta"],
        "attributes": {"city": "Rome", "nested": {"list": ["a", "b"]}},
        "timezone": "Europe/Rome",
    }


def _sender(w: World, n: int) -> dict[str, Any]:
    return {
        "name": "Line",
        "phone_number_id": f"55500{n}",
        "display_phone": "+1 415 555 0123",
        "waba_id": "102290129340398",
        "provider": "sandbox",
        "access_token": "token-xyz",
        "warmup_started_on": "2025-01-01",
        "max_per_hour": 10,
        "max_per_day": 100,
        "quality_rating": "GREEN",
        "messaging_tier": "TIER_1K",
    }


def _template(w: World, n: int) -> dict[str, Any]:
    return {
        "category": "MARKETING",
        "body": "Hi {{1}}!",
        "status": "PENDING",
        "components": [{"type": "BODY", "text": "Hi {{1}}!"}],
    }


def _broadcast(w: World, n: int) -> dict[str, Any]:
    return {
        "name": "Launch",
        "type": "broadcast",
        "message_template": "Hi {name}, meet {product_name}!",
        "contact_ids": [w.contact_id],
        "phone_number_id": w.sender_id,
        "metadata": {"product_name": "SuperApp", "tone": "friendly"},
        "scheduled_at": _future(),
        "ai_rewrite": False,
    }


def _template_broadcast(w: World, n: int) -> dict[str, Any]:
    return {
        "name": "Orders",
        "contact_ids": [w.contact_id],
        "phone_number_id": w.sender_id,
        "template_name": "order_update",
        "language": "en_US",
        "template_params": ["{name}", "A-1"],
    }


def _drip(w: World, n: int) -> dict[str, Any]:
    return {
        "name": "Onboarding",
        "type": "drip",
        "contact_ids": [w.contact_id],
        "phone_number_id": w.sender_id,
        "metadata": {
            "stop_on_reply": True,
            "sequence": [
                {"delay_hours": 0, "message": "Welcome {name}!"},
                {"delay_hours": 24, "template_id": w.template_id, "template_params": ["x", "y"]},
            ],
        },
    }


BODIES: dict[tuple[str, str], list[Body]] = {
    ("POST", "/api/v1/workspace/api-keys"): [lambda w, n: {"name": "ci key"}],
    ("PATCH", "/api/v1/workspace"): [lambda w, n: {"name": "Acme", "timezone": "Asia/Kolkata"}],
    ("POST", "/api/v1/analytics/daily-reports"): [lambda w, n: {"date": "2026-06-10"}],
    ("POST", "/api/v1/contacts"): [
        lambda w, n: {**_contact(w, n), "opted_in": True, "opt_in_source": "web_form"}
    ],
    ("PATCH", "/api/v1/contacts/{contact_id}"): [_contact],
    ("POST", "/api/v1/contacts/{contact_id}/opt-in"): [lambda w, n: {"source": "web_form"}],
    ("POST", "/api/v1/contacts/{contact_id}/opt-out"): [lambda w, n: {"source": "api"}],
    ("POST", "/api/v1/phone-numbers"): [_sender],
    ("PATCH", "/api/v1/phone-numbers/{sender_id}"): [_sender],
    ("POST", "/api/v1/phone-numbers/{sender_id}/pause"): [lambda w, n: {"reason": "quality"}],
    ("POST", "/api/v1/phone-numbers/{sender_id}/resume"): [lambda w, n: {"reason": "ok now"}],
    ("POST", "/api/v1/templates"): [
        lambda w, n: {**_template(w, n), "name": f"promo_{n}", "language": "en_US"}
    ],
    ("PATCH", "/api/v1/templates/{template_id}"): [_template],
    ("POST", "/api/v1/templates/sync"): [lambda w, n: {"phone_number_id": w.sender_id}],
    ("POST", "/api/v1/campaigns"): [_broadcast, _template_broadcast, _drip],
    ("POST", "/api/v1/ai/rewrite"): [
        lambda w, n: {
            "message": "BUY NOW!!! 20% off at https://shop.example.com/sale",
            "contact_name": "Ann",
            "tone": "friendly",
            "variants": 2,
            "seed": 1,
        }
    ],
    ("POST", "/api/v1/ai/classify"): [
        lambda w, n: {"reply_text": "How much is it?", "original_message": "Our new range"}
    ],
    ("POST", "/api/v1/ai/ban-risk"): [
        lambda w, n: {"message": "FREE!!! CLICK NOW!!!"},
        lambda w, n: {"phone_number_id": w.sender_id, "hours": 24},
    ],
    ("POST", "/api/v1/ai/score-lead"): [lambda w, n: {"contact_id": w.contact_id}],
    ("POST", "/api/v1/ai/intents/examples"): [
        lambda w, n: {"examples": [{"text": f"refund for order {n}?", "intent": "refund"}]}
    ],
    ("PATCH", "/api/v1/auto-responses/settings"): [
        lambda w, n: {
            "auto_respond": True,
            "confidence_threshold": 60,
            "cooldown_hours": 12,
            "optout_confirmation": "You are unsubscribed.",
        }
    ],
    # One maker: the control resolves the item, and a second resolution is a 409.
    ("POST", "/api/v1/inbox/{item_id}/resolve"): [
        lambda w, n: {"action": "mark_handled", "note": "called back"}
    ],
}
# The control answer of a valid body when it is not a 2xx: the sender has no WABA to sync.
CONTROL = {("POST", "/api/v1/templates/sync"): (422, "waba_id")}
SPECIAL = {
    ("POST", "/api/v1/contacts/import"),  # multipart: test_import_upload_bad_input
    ("POST", "/api/v1/media"),  # multipart: test_media_upload_bad_input
    ("POST", "/api/v1/webhooks/whatsapp"),  # signed: test_webhook_bad_input
    # The path names an intent, not an id: tests/test_replies_api.py sweeps its bad input.
    ("PUT", "/api/v1/auto-responses/rules/{intent}"),
}


# --- helpers -----------------------------------------------------------------------------------


def _leaves(value: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """(path, value) of every scalar, list and object."""
    if isinstance(value, dict):
        yield path, value
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        yield path, value
        for i, item in enumerate(value):
            yield from _leaves(item, (*path, i))
    else:
        yield path, value


def _set(body: dict, path: tuple, value: Any) -> dict:
    out = copy.deepcopy(body)
    target = out
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return out


def _mutations(body: dict) -> Iterator[tuple[str, tuple, Any]]:
    """(what, path, new value) for every value that must be refused."""
    for path, value in _leaves(body):
        if isinstance(value, dict) and path:
            yield "NUL in a key", (*path, f"k{NUL}ey"), "v"
        if isinstance(value, str):
            yield "NUL", path, value[:1] + NUL + value[1:]
            if "T" in value and re.match(r"^\d{4}-\d\d-\d\d", value):
                for bad in ("9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00", "soon"):
                    yield "date-time", path, bad
            elif re.match(r"^\d{4}-\d\d-\d\d$", value):
                for bad in ("2025-02-30", "10000-01-01", "soon"):
                    yield "date", path, bad
        elif isinstance(value, int) and not isinstance(value, bool):
            yield "huge int", path, HUGE
        if path and all(isinstance(p, int) for p in path[1:]):  # a field or a list element
            yield "wrong type", path, ["a", "list"] if isinstance(value, dict) else {"an": "obj"}


def _url(path: str, ids: dict[str, int], **override: Any) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        assert name in ids or name in override, f"no id for path parameter {name}"
        return str(override.get(name, ids.get(name)))

    return re.sub(r"\{(\w+)\}", value, path)


def _path_params(path: str) -> list[str]:
    return re.findall(r"\{(\w+)\}", path)


def _check(problems: list[str], label: str, r, field: str | None, *, expect_4xx=True) -> None:
    """4xx (never 5xx), and a 422 names `field` (or a field below it)."""
    if r.status_code >= 500 or (expect_4xx and not 400 <= r.status_code < 500):
        problems.append(f"{label}: {r.status_code} {r.text[:300]}")
        return
    if r.status_code == 422 and field is not None:
        fields = [e.get("field") or "" for e in r.json().get("errors", [])]
        if not any(f == field or f.startswith(f"{field}.") for f in fields):
            problems.append(f"{label}: 422 does not name {field!r}: {r.text[:300]}")


BAD_IDS = (HUGE, -(2**70), 0, -1, "abc", "1.5")


def _bad_path_ids(client, world, method, path, problems, json=None) -> None:
    for name in _path_params(path):
        for bad in BAD_IDS:
            url = _url(path, world.ids, **{name: bad})
            r = client.request(method, url, json=json, headers=world.headers)
            _check(problems, f"{method} {url}", r, name)


# --- the sweep -----------------------------------------------------------------------------------


def test_every_route_is_covered():
    """A new POST/PATCH/PUT route must get a body in BODIES (or a special test): none is
    skipped silently."""
    assert len(OPERATIONS) > 30
    for method, path in OPERATIONS:
        body = SPEC["paths"][path][method.lower()].get("requestBody")
        if body is not None:
            assert (method, path) in BODIES or (method, path) in SPECIAL, (method, path)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_route_refuses_bad_input(client, world, method, path):
    problems: list[str] = []
    key = (method, path)
    if key in SPECIAL:
        return  # covered below, by their own tests (asserted in test_every_route_is_covered)
    if key in BODIES:
        _sweep_body(client, world, method, path, problems)
    else:
        _bad_path_ids(client, world, method, path, problems)
        _bad_query(client, world, method, path, problems)
        r = client.request(method, _url(path, world.ids), headers=world.headers)
        if r.status_code >= 500:
            problems.append(f"control {method} {path}: {r.status_code} {r.text[:300]}")
    assert not problems, "\n".join(problems)


def _sweep_body(client, world, method, path, problems) -> None:
    counter = itertools.count(1)
    url = _url(path, world.ids)
    headers = {**world.headers, "Content-Type": "application/json"}
    required = SPEC["paths"][path][method.lower()]["requestBody"].get("required", False)
    for raw in (b'{"name": ', b"[1, 2]", b'"text"', b"null", b"\xff\xfe"):
        r = client.request(method, url, content=raw, headers=headers)
        # `null` for an optional body is no body: accepted.
        _check(
            problems,
            f"{method} {path} body {raw!r}",
            r,
            None,
            expect_4xx=required or raw != b"null",
        )
        if raw == b'{"name": ' and r.status_code == 422 and r.json()["code"] != "malformed_json":
            problems.append(f"{method} {path}: malformed JSON not reported as such: {r.text}")
    for make in BODIES[(method, path)]:
        template = make(world, 0)
        for what, where, bad in _mutations(template):
            body = _set(make(world, next(counter)), where, bad)
            r = client.request(method, url, json=body, headers=world.headers)
            label = f"{method} {path} {what} at {'.'.join(map(str, where))}"
            _check(problems, label, r, str(where[0]))
        _bad_path_ids(client, world, method, path, problems, json=make(world, next(counter)))
        r = client.request(method, url, json=make(world, next(counter)), headers=world.headers)
        status, field = CONTROL.get((method, path), (None, None))
        if status is not None:
            _check(problems, f"control {method} {path}", r, field)
        elif not 200 <= r.status_code < 300:
            problems.append(f"control {method} {path} refused: {r.status_code} {r.text[:300]}")


def _bad_query(client, world, method, path, problems) -> None:
    """A wrong value for every query parameter the route declares."""
    url = _url(path, world.ids)
    for param in SPEC["paths"][path][method.lower()].get("parameters", []):
        if param["in"] != "query":
            continue
        name = param["name"]
        for bad in _bad_values(param["schema"]):
            r = client.request(method, url, params={name: bad}, headers=world.headers)
            _check(problems, f"{method} {path}?{name}={bad!r}", r, name)


def _bad_values(schema: dict) -> list[Any]:
    types = {s.get("type") for s in schema.get("anyOf", [schema])} - {"null"}
    if "$ref" in str(schema) or any("enum" in s for s in schema.get("anyOf", [schema])):
        return ["no-such-value", f"a{NUL}b"]
    if types & {"integer", "number"}:
        return ["abc", str(HUGE), str(-HUGE), "1e309"]
    if "boolean" in types:
        return ["maybe", f"t{NUL}"]
    return [f"a{NUL}b"]  # strings and arrays of strings


# --- routes that need their own setup ---------------------------------------------------------


def test_import_upload_bad_input(client, world):
    url, problems = "/api/v1/contacts/import", []
    csv = b"phone,name\n+14155550111,Ann\n"
    cases = [
        ("JSON instead of multipart", {"json": {"file": "x"}}, "file"),
        ("no file", {"files": {"other": ("a.csv", csv, "text/csv")}}, "file"),
        ("long region", {"files": {"file": ("a.csv", csv)}, "params": {"default_region": "ZZZ"}}),
    ]
    for label, kwargs, *field in cases:
        r = client.post(url, headers=world.headers, **kwargs)
        _check(problems, label, r, field[0] if field else "default_region")
    # Bad content inside a well-formed upload is reported per row (200) or refused — never a 500.
    for content in (
        b"phone\n+1415\x00555\n",
        b"\xff\xfe\x00garbage",
        b"",
        f"phone\n{HUGE}\n".encode(),
    ):
        r = client.post(url, headers=world.headers, files={"file": ("a.csv", content)})
        _check(problems, f"upload {content[:12]!r}", r, "file", expect_4xx=False)
    r = client.post(
        url, headers=world.headers, params={"default_region": f"G{NUL}"}, files={"file": ("a", csv)}
    )
    _check(problems, "NUL region", r, "default_region")
    assert not problems, "\n".join(problems)


def test_media_upload_bad_input(client, world):
    url, problems = "/api/v1/media", []
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    sender = {"phone_number_id": str(world.sender_id)}
    cases = [
        ("JSON instead of multipart", {"json": {"file": "x"}}, "file"),
        ("no file", {"data": sender}, "file"),
        ("no sender", {"files": {"file": ("a.png", png, "image/png")}}, "phone_number_id"),
        ("gif", {"data": sender, "files": {"file": ("a.gif", b"GIF89a", "image/gif")}}, "file"),
        (
            "not a png",
            {"data": sender, "files": {"file": ("a.png", b"<html>", "image/png")}},
            "file",
        ),
        ("empty", {"data": sender, "files": {"file": ("a.png", b"", "image/png")}}, "file"),
        ("no name", {"data": sender, "files": {"file": ("", png, "image/png")}}, "file"),
    ]
    for bad in BAD_IDS:
        files = {"file": ("a.png", png, "image/png")}
        cases.append(
            (
                f"sender {bad}",
                {"data": {"phone_number_id": str(bad)}, "files": files},
                "phone_number_id",
            )
        )
    for label, kwargs, field in cases:
        _check(problems, label, client.post(url, headers=world.headers, **kwargs), field)
    r = client.post(
        url,
        headers=world.headers,
        data={"phone_number_id": "987654"},
        files={"file": ("a.png", png, "image/png")},
    )
    _check(problems, "unknown sender", r, None)
    assert r.status_code == 404, r.text
    assert not problems, "\n".join(problems)


def test_webhook_bad_input(client, world):
    url, problems = "/api/v1/webhooks/whatsapp", []

    def post(raw: bytes, signature: str | None = "sign"):
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers["X-Hub-Signature-256"] = sign(raw) if signature == "sign" else signature
        return client.post(url, content=raw, headers=headers)

    good = orjson.dumps(inbound_payload())
    for label, r, status in [
        ("unsigned", post(good, None), 401),
        ("bad signature", post(good, "sha256=00"), 401),
        ("malformed JSON", post(b'{"object": '), 400),
        ("array", post(b"[1, 2]"), 400),
        ("no entry", post(b'{"object": "whatsapp_business_account"}'), 400),
        ("not UTF-8", post(b"\xff\xfe"), 400),
    ]:
        if r.status_code != status:
            problems.append(f"{label}: {r.status_code} {r.text[:200]}")
    # Signed but odd content is stored (Meta must not retry forever) — never a 500.
    for label, payload in [
        ("NUL text", inbound_payload(text={"body": f"a{NUL}b"})),
        ("huge timestamp", inbound_payload(timestamp=str(HUGE))),
        ("wrong type", inbound_payload(text=[1, 2])),
    ]:
        r = post(orjson.dumps(payload))
        _check(problems, label, r, None, expect_4xx=False)
    for name in ("hub.mode", "hub.verify_token", "hub.challenge"):
        r = client.get(url, params={name: f"a{NUL}b"})
        _check(problems, f"verify {name}", r, name)
    assert not problems, "\n".join(problems)


def test_database_data_error_is_a_422_safety_net():
    """Should a value slip past the schemas, the database's refusal is a 422, not a 500."""
    from fastapi import FastAPI
    from fastapi.testclient import TestClient
    from sqlalchemy import text

    from app.core.db import get_engine
    from app.core.errors import install_error_handlers

    probe = FastAPI()
    install_error_handlers(probe)

    @probe.get("/out-of-range")
    def out_of_range() -> None:  # sqlalchemy.exc.DataError (NumericValueOutOfRange)
        with get_engine().connect() as conn:
            conn.execute(text("SELECT CAST(:v AS integer)"), {"v": HUGE})

    @probe.get("/nul")
    def nul() -> None:  # psycopg.DataError raised by the driver itself, unwrapped
        with get_engine().raw_connection() as raw:
            raw.driver_connection.execute("SELECT %s::text", [f"a{NUL}b"])

    with TestClient(probe, raise_server_exceptions=False) as probe_client:
        for path in ("/out-of-range", "/nul"):
            r = probe_client.get(path)
            assert r.status_code == 422, (path, r.text)
            assert r.json()["code"] == "invalid_data"


def test_every_request_body_is_a_request_model():
    """The NUL rule lives in one base class: every JSON body model of every route uses it."""
    from fastapi.routing import APIRoute

    from app.core.schemas import RequestModel

    def api_routes(routes) -> Iterator[APIRoute]:
        for route in routes:
            if isinstance(route, APIRoute):
                yield route
            elif hasattr(route, "original_router"):  # an included router (FastAPI >= 0.16x)
                yield from api_routes(route.original_router.routes)

    checked = 0
    for route in api_routes(fastapi_app.routes):
        if route.body_field is None:
            continue
        annotation = route.body_field.field_info.annotation
        models = [a for a in getattr(annotation, "__args__", (annotation,)) if a is not type(None)]
        for model in models:
            if isinstance(model, type) and issubclass(model, BaseModel):
                if model.__module__.startswith("fastapi"):  # multipart form, built by FastAPI
                    assert route.path in ("/contacts/import", "/media"), route.path
                    continue
                assert issubclass(model, RequestModel), (route.path, model)
                checked += 1
    assert checked >= 12
