"""A fake Meta Graph API (WhatsApp Cloud API) on 127.0.0.1 for tests and benchmarks.

It speaks the documented wire format: `POST /{version}/{phone_number_id}/messages` (text,
media, template and mark-read bodies; media and template rules in `graph_rules`),
`POST /{version}/{phone_number_id}/media` (multipart upload, answers `{"id"}`),
`GET /{version}/{waba_id}/message_templates` with cursor paging,
`GET /{version}/{phone_number_id}?fields=…` (the phone number node: id, display_phone_number,
verified_name, quality_rating),
Bearer tokens per id, and Graph error bodies (`{"error": {"message", "type", "code",
"error_data": {"details"}, "fbtrace_id"}}`). Bad requests get code 100 (HTTP 400), bad tokens
code 190 (HTTP 401). Built on aiohttp.web so it never caps a benchmark.

In-process (a background thread; tests in this process):

    from tests.fakes.graph_api import graph_api_fixture  # noqa: F401  (fixture "graph_api")

    def test_x(graph_api):              # settings.WHATSAPP_API_BASE_URL already points here
        graph_api.script(to="15550001111", code=131026)        # that recipient always fails
        graph_api.script(code=130429, retry_after=30, times=2) # the next 2 sends fail
        graph_api.script(kind="slow", delay_ms=5000)           # answers after 5 s
        graph_api.script(kind="drop")                          # drops mid-answer
        graph_api.script(kind="malformed", http_status=502)    # non-JSON body
        ...
        graph_api.requests()   # recorded sends: to, type, body, callback_data, wamid, outcome
        graph_api.stats()      # counts, by_code, duplicates by biz_opaque_callback_data

    with FakeGraphAPI(latency_ms=20) as fake: ...             # without pytest

Separate process (Celery workers and benchmarks in other processes):

    python -m tests.fakes.graph_api --port 8765 --latency-ms 20   # prints "READY <port>"
    with spawn_graph_api(latency_ms=20) as fake: ...  # same control methods, over HTTP
    # workers: WHATSAPP_PROVIDER=cloud_api WHATSAPP_API_BASE_URL=<fake.url>

Every handle talks to the server through its HTTP control endpoints, so tests in any process
see the same state: `GET /_fake/requests[?since=<seq>]`, `POST /_fake/script` (one rule or
`{"rules": [...]}`), `POST /_fake/reset`, `GET /_fake/stats`, `POST /_fake/config`
(`latency_ms`, `tokens`, `default_token`), `POST /_fake/templates` (`waba_id`, `templates`),
`POST /_fake/phone_numbers` (`id` plus `display_phone_number`, `verified_name`,
`quality_rating`, `exists`, or `code` + `http_status` to fail that lookup).
Unless configured otherwise every id accepts the token `test-access-token` (the factories');
`tokens` maps an id to its token or a list of tokens. A phone-number lookup with a token that
is valid elsewhere but not for that number gets Meta's code 100 (subcode 33, HTTP 400: "does not
exist, cannot be loaded due to missing permissions"); an unknown token gets code 190 (HTTP 401).
Every numeric id exists unless configured `exists: false`.

Script rule fields: `kind` = error | malformed | slow | drop; `to` (only that recipient);
`times` (default: 1 without `to`, unlimited with `to`); error: `code`, `http_status`,
`retry_after`, `message`; malformed: `http_status` (default 502), `body`; slow: `delay_ms`;
drop: `partial` (default true: headers and part of the body, then the connection closes).
"slow" and "drop" count as accepted: the message went out, only the answer was lost.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import re
import secrets
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from aiohttp import web

from tests.fakes import graph_rules

DEFAULT_TOKEN = "test-access-token"
_VERSION = re.compile(r"^v\d+\.\d+$")
_DIGITS = re.compile(r"^\d{5,20}$")
_TYPES = frozenset(("text", "template", "image", "audio", "video", "document", "sticker"))
_TYPES |= {"interactive", "location", "contacts", "reaction"}
_COUNTS = ("requests", "accepted", "errors", "malformed", "rejected", "mark_read", "uploads")
# HTTP status Meta answers with for each code (its error-code reference); default 400.
_HTTP_FOR_CODE = {
    **dict.fromkeys((0, 190), 401),
    **dict.fromkeys((10, 368, 130497, 131031, 131005), 403),
    **dict.fromkeys((3, 131000), 500),
    **dict.fromkeys((2, 131016, 131057, 133004), 503),
}
_TITLES = {
    130429: "Rate limit hit",
    131026: "Message undeliverable",
    131047: "Re-engagement message",
    131048: "Spam rate limit hit",
    131056: "(Business Account, Consumer Account) pair rate limit hit",
    368: "Temporarily blocked for policies violations",
    131049: "This message was not delivered to maintain healthy ecosystem engagement.",
    131050: "Unable to deliver the message. This recipient has chosen to stop receiving "
    "marketing messages on WhatsApp from your business.",
    131000: "Something went wrong",
    100: "Invalid parameter",
    190: "Invalid OAuth access token",
}


def graph_error(
    code: int, message: str | None = None, details: str | None = None, subcode: int | None = None
) -> bytes:
    title = message or _TITLES.get(code, "Error")
    if subcode is not None:  # Graph's own shape: no error_data, a subcode (e.g. 100/33)
        error: dict[str, Any] = {
            "message": title,
            "type": "GraphMethodException",
            "code": code,
            "error_subcode": subcode,
            "fbtrace_id": "A" + secrets.token_hex(8),
        }
        return orjson.dumps({"error": error})
    return orjson.dumps(
        {
            "error": {
                "message": f"(#{code}) {title}",
                "type": "OAuthException",
                "code": code,
                "error_data": {"messaging_product": "whatsapp", "details": details or title},
                "fbtrace_id": "A" + secrets.token_hex(8),
            }
        }
    )


@dataclass
class Rule:
    kind: str = "error"
    to: str | None = None
    times: int | None = 1
    code: int = 131000
    subcode: int | None = None
    http_status: int | None = None
    retry_after: str | None = None
    message: str | None = None
    body: str | None = None
    delay_ms: int = 60_000
    partial: bool = True

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> Rule:
        if raw.get("kind", "error") not in ("error", "malformed", "slow", "drop"):
            raise ValueError(f"unknown kind {raw.get('kind')!r}")
        to = str(raw["to"]).lstrip("+") if raw.get("to") else None
        times = raw.get("times", None if to else 1)
        fields = {
            k: raw[k]
            for k in (
                "kind",
                "code",
                "subcode",
                "http_status",
                "message",
                "body",
                "delay_ms",
                "partial",
            )
            if raw.get(k) is not None
        }
        ra = raw.get("retry_after")
        return cls(to=to, times=times, retry_after=None if ra is None else str(ra), **fields)


class GraphState:
    """All mutable state; lives on the server's event loop thread only."""

    def __init__(self, *, latency_ms: float, default_token: str | None, tokens: dict) -> None:
        self.startup = (latency_ms, default_token, dict(tokens))
        self.prefix = secrets.token_hex(4).upper()
        self.reset()

    def reset(self) -> None:
        latency_ms, self.default_token, tokens = self.startup
        self.latency = latency_ms / 1000
        self.tokens: dict[str, str] = dict(tokens)
        self.rules: list[Rule] = []
        self.records: list[dict[str, Any]] = []
        self.templates: dict[str, list[dict[str, Any]]] = {}
        self.media: dict[str, set[str]] = {}  # phone_number_id → uploaded media ids
        self.uploads: list[dict[str, Any]] = []
        self.rejections: list[dict[str, Any]] = []  # requests refused by graph_rules
        self.numbers: dict[str, dict[str, Any]] = {}
        self.counts: Counter[str] = Counter()
        self.by_code: Counter[int] = Counter()
        self.accepted_cb: Counter[str] = Counter()
        self.in_flight = self.in_flight_max = 0

    def stats(self) -> dict[str, Any]:
        dups = {cb: n for cb, n in self.accepted_cb.items() if n > 1}
        return {
            **{k: self.counts.get(k, 0) for k in (*_COUNTS, "template_requests", "number_lookups")},
            "by_code": {str(k): v for k, v in self.by_code.items()},
            "duplicates": dups,
            "duplicate_count": sum(n - 1 for n in dups.values()),
            "in_flight_max": self.in_flight_max,
            "pending_rules": len(self.rules),
        }

    def token_ok(self, node: str, header: str | None) -> bool:
        expected = self.tokens.get(node, self.default_token)
        allowed = expected if isinstance(expected, list) else [expected]
        return any(t and header == f"Bearer {t}" for t in allowed)

    def token_known(self, header: str | None) -> bool:
        """A token that is valid for some id (so a refusal is about permission, not the token)."""
        known = [self.default_token]
        for value in self.tokens.values():
            known += value if isinstance(value, list) else [value]
        return any(t and header == f"Bearer {t}" for t in known)

    def take_rule(self, to: str) -> Rule | None:
        for rule in [r for r in self.rules if r.to == to] + [r for r in self.rules if not r.to]:
            if rule.times is not None:
                rule.times -= 1
                if rule.times <= 0:
                    self.rules.remove(rule)
            return rule
        return None


STATE = web.AppKey("state", GraphState)


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        body=orjson.dumps(data), status=status, headers=headers, content_type="application/json"
    )


def _bad(code: int, details: str, status: int | None = None) -> web.Response:
    body = graph_error(code, details=details)
    return web.Response(
        body=body, status=status or _HTTP_FOR_CODE.get(code, 400), content_type="application/json"
    )


def _validate(payload: Any) -> str | None:
    """Why a /messages body breaks the documented shape, or None."""
    if not isinstance(payload, dict) or payload.get("messaging_product") != "whatsapp":
        return "messaging_product must be 'whatsapp'"
    if payload.get("status") == "read":
        return None if isinstance(payload.get("message_id"), str) else "message_id is required"
    if payload.get("recipient_type", "individual") != "individual":
        return "recipient_type must be 'individual'"
    if not isinstance(payload.get("to"), str) or not _DIGITS.match(payload["to"]):
        return "to must be the recipient's number, digits only"
    kind = payload.get("type", "text")
    if kind not in _TYPES or not isinstance(payload.get(kind), dict):
        return f"type {kind!r} needs a {kind!r} object"
    cb = payload.get("biz_opaque_callback_data")
    if cb is not None and (not isinstance(cb, str) or len(cb) > 512):
        return "biz_opaque_callback_data must be a string of at most 512 characters"
    if kind == "text":
        text = payload["text"]
        if not isinstance(text.get("body"), str) or not 0 < len(text["body"]) <= 4096:
            return "text.body must be 1..4096 characters"
        if not isinstance(text.get("preview_url", False), bool):
            return "text.preview_url must be a boolean"
    if kind == "template":
        tpl = payload["template"]
        lang = tpl.get("language")
        if not isinstance(tpl.get("name"), str) or not tpl["name"]:
            return "template.name is required"
        if not isinstance(lang, dict) or not isinstance(lang.get("code"), str):
            return "template.language.code is required"
        if not isinstance(tpl.get("components", []), list):
            return "template.components must be a list"
    return None


def _rules_problem(st: GraphState, node: str, payload: dict[str, Any]) -> tuple[int, str] | None:
    """Meta's media and template rules (tests/fakes/graph_rules.py) for a well-formed body."""
    kind, uploaded = payload.get("type", "text"), st.media.get(node, set())
    if kind in graph_rules.MEDIA_TYPES:
        return graph_rules.media_problem(kind, payload[kind], uploaded, kind)
    if kind != "template":
        return None
    tpl = payload["template"]
    problem = graph_rules.components_problem(tpl.get("components", []), uploaded)
    if problem or not st.templates:
        return problem  # without set_templates the fake checks the shape only
    definition = graph_rules.find_template(st.templates, tpl["name"], tpl["language"]["code"])
    if definition is None:
        return 132001, f"template name {tpl['name']} does not exist in {tpl['language']['code']}"
    return graph_rules.template_problem(definition, tpl)


async def _messages(request: web.Request) -> web.StreamResponse:
    st: GraphState = request.app[STATE]
    node, version = request.match_info["node"], request.match_info["version"]
    st.counts["requests"] += 1
    st.in_flight += 1
    st.in_flight_max = max(st.in_flight, st.in_flight_max)
    try:
        if st.latency:
            await asyncio.sleep(st.latency)
        raw = await request.read()
        if not _VERSION.match(version):
            return _bad(100, f"Unknown API version {version}")
        if not st.token_ok(node, request.headers.get("Authorization")):
            st.counts["rejected"] += 1
            return _bad(190, "Invalid OAuth access token - Cannot parse access token")
        try:
            payload = orjson.loads(raw)
        except orjson.JSONDecodeError:
            payload = None
        problem = _validate(payload)
        if problem:
            st.counts["rejected"] += 1
            return _bad(100, problem)
        coded = _rules_problem(st, node, payload)
        if coded:
            st.counts["rejected"] += 1
            st.by_code[coded[0]] += 1
            st.rejections.append({"to": payload.get("to"), "code": coded[0], "details": coded[1]})
            return _bad(*coded)
        if payload.get("status") == "read":
            st.counts["mark_read"] += 1
            return _json({"success": True})
        return await _answer_send(request, st, node, payload)
    finally:
        st.in_flight -= 1


async def _answer_send(
    request: web.Request, st: GraphState, node: str, payload: dict[str, Any]
) -> web.StreamResponse:
    to, kind = payload["to"], payload.get("type", "text")
    rule = st.take_rule(to)
    record: dict[str, Any] = {
        "seq": len(st.records) + 1,
        "at": time.time(),
        "phone_number_id": node,
        "to": to,
        "type": kind,
        "body": payload["text"]["body"] if kind == "text" else None,
        "template": payload.get("template"),
        "media": payload.get(kind) if kind in graph_rules.MEDIA_TYPES else None,
        "callback_data": payload.get("biz_opaque_callback_data"),
        "wamid": None,
        "outcome": "accepted",
        "code": None,
    }
    st.records.append(record)
    if rule and rule.kind == "error":
        record.update(outcome="error", code=rule.code)
        st.counts["errors"] += 1
        st.by_code[rule.code] += 1
        headers = {"Retry-After": rule.retry_after} if rule.retry_after else None
        status = rule.http_status or _HTTP_FOR_CODE.get(rule.code, 400)
        body = graph_error(rule.code, rule.message, subcode=rule.subcode)
        return web.Response(
            body=body, status=status, headers=headers, content_type="application/json"
        )
    if rule and rule.kind == "malformed":
        status = rule.http_status or 502
        record.update(outcome="malformed", code=status)
        st.counts["malformed"] += 1
        if 200 <= status < 300 and record["callback_data"]:  # a 2xx: Meta took the message
            st.accepted_cb[record["callback_data"]] += 1
        text = rule.body if rule.body is not None else "<html><body>Bad Gateway</body></html>"
        return web.Response(text=text, status=status, content_type="text/html")
    wamid = f"wamid.HBgL{st.prefix}{record['seq']:012d}"
    record["wamid"] = wamid
    st.counts["accepted"] += 1
    if record["callback_data"]:
        st.accepted_cb[record["callback_data"]] += 1
    answer = {
        "messaging_product": "whatsapp",
        "contacts": [{"input": to, "wa_id": to}],
        "messages": [{"id": wamid}],
    }
    if rule and rule.kind == "slow":
        record["outcome"] = "slow"
        await asyncio.sleep(rule.delay_ms / 1000)
    if rule and rule.kind == "drop":
        record["outcome"] = "drop"
        return await _drop(request, orjson.dumps(answer), partial=rule.partial)
    return _json(answer)


async def _drop(request: web.Request, body: bytes, *, partial: bool) -> web.StreamResponse:
    """Close the connection without a complete answer (after the message was taken)."""
    transport = request.transport
    if partial:
        resp = web.StreamResponse(status=200, headers={"Content-Type": "application/json"})
        resp.content_length = len(body)
        await resp.prepare(request)
        await resp.write(body[: len(body) // 3])
    if transport is not None:
        transport.abort()
    raise asyncio.CancelledError  # aiohttp treats it as a lost client; nothing more is written


_UPLOAD_TYPES = frozenset(
    {"image/jpeg", "image/png", "video/mp4", "video/3gpp", "application/pdf", "text/plain"}
    | {"audio/aac", "audio/mpeg", "audio/ogg", "audio/mp4", "image/webp", "application/msword"}
    | {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
)


async def _upload(request: web.Request) -> web.Response:
    """`POST /{phone_number_id}/media`: multipart `messaging_product`, `file`, `type`."""
    st: GraphState = request.app[STATE]
    node = request.match_info["node"]
    st.counts["requests"] += 1
    if not st.token_ok(node, request.headers.get("Authorization")):
        st.counts["rejected"] += 1
        return _bad(190, "Invalid OAuth access token - Cannot parse access token")
    if not request.content_type.startswith("multipart/form-data"):
        return _bad(100, "media upload must be multipart/form-data")
    form = await request.post()
    file = form.get("file")
    if form.get("messaging_product") != "whatsapp":
        return _bad(100, "messaging_product must be 'whatsapp'")
    if not isinstance(file, web.FileField):
        return _bad(100, "file is required")
    mime = file.content_type or str(form.get("type") or "")
    data = file.file.read()
    if mime not in _UPLOAD_TYPES or not data:
        return _bad(131053, f"Media upload error: unsupported or empty file ({mime})")
    media_id = str(10**15 + len(st.uploads) + 1)
    st.media.setdefault(node, set()).add(media_id)
    st.uploads.append(
        {"phone_number_id": node, "id": media_id, "mime_type": mime, "size": len(data)}
        | {"filename": file.filename, "type": form.get("type")}
    )
    st.counts["uploads"] += 1
    return _json({"id": media_id})


async def _templates(request: web.Request) -> web.Response:
    st: GraphState = request.app[STATE]
    node = request.match_info["node"]
    st.counts["template_requests"] += 1
    if st.latency:
        await asyncio.sleep(st.latency)
    if not st.token_ok(node, request.headers.get("Authorization")):
        return _bad(190, "Invalid OAuth access token - Cannot parse access token")
    try:
        limit = min(int(request.query.get("limit", "25")), 1000)
        after = request.query.get("after")
        start = int(base64.urlsafe_b64decode(after).decode()) if after else 0
    except ValueError:
        return _bad(100, "Invalid limit or after cursor")
    items = st.templates.get(node, [])
    fields = [f for f in request.query.get("fields", "").split(",") if f]
    page = [
        {k: v for k, v in t.items() if not fields or k in fields or k == "id"}
        for t in items[start : start + limit]
    ]

    def cursor(i: int) -> str:
        return base64.urlsafe_b64encode(str(i).encode()).decode()

    paging: dict[str, Any] = {"cursors": {"before": cursor(start), "after": cursor(start + limit)}}
    if start + limit < len(items):
        paging["next"] = str(request.url.update_query(after=cursor(start + limit)))
    return _json({"data": page, "paging": paging})


_NO_OBJECT = (
    "Unsupported get request. Object with ID '{}' does not exist, cannot be loaded due to "
    "missing permissions, or does not support this operation."
)


async def _phone_number(request: web.Request) -> web.Response:
    """`GET /{version}/{phone_number_id}`: the phone number node, if the token may read it."""
    st: GraphState = request.app[STATE]
    node, version = request.match_info["node"], request.match_info["version"]
    st.counts["number_lookups"] += 1
    if st.latency:
        await asyncio.sleep(st.latency)
    if not _VERSION.match(version):
        return _bad(100, f"Unknown API version {version}")
    entry = st.numbers.get(node, {})
    header = request.headers.get("Authorization")
    if entry.get("code") is not None:
        return _bad(int(entry["code"]), "scripted failure", entry.get("http_status"))
    if not st.token_known(header):
        return _bad(190, "Invalid OAuth access token - Cannot parse access token")
    if not node.isdigit() or not entry.get("exists", True) or not st.token_ok(node, header):
        body = orjson.loads(graph_error(100, _NO_OBJECT.format(node)))
        body["error"]["error_subcode"] = 33
        return _json(body, status=400)
    number = {
        "id": node,
        "display_phone_number": entry.get("display_phone_number", f"+{node[-11:]}"),
        "verified_name": entry.get("verified_name", "Test Business"),
        "quality_rating": entry.get("quality_rating", "GREEN"),
    }
    fields = [f for f in request.query.get("fields", "").split(",") if f]
    return _json({k: v for k, v in number.items() if not fields or k in fields or k == "id"})


async def _control(request: web.Request) -> web.Response:
    st: GraphState = request.app[STATE]
    action = request.match_info["action"]
    if request.method == "GET" and action == "requests":
        since = int(request.query.get("since", "0"))
        return _json(st.records[since:])
    if request.method == "GET" and action == "stats":
        return _json(st.stats())
    if request.method == "GET" and action in ("uploads", "rejections"):
        return _json(getattr(st, action))
    if request.method != "POST":
        raise web.HTTPMethodNotAllowed(request.method, ["POST"])
    try:
        data = orjson.loads(await request.read() or b"{}")
        if action == "reset":
            st.reset()
        elif action == "script":
            st.rules.extend(Rule.parse(r) for r in data.get("rules", [data]))
        elif action == "config":
            if "latency_ms" in data:
                st.latency = float(data["latency_ms"]) / 1000
            st.tokens.update(data.get("tokens") or {})
            if "default_token" in data:
                st.default_token = data["default_token"]
        elif action == "templates":
            st.templates[str(data["waba_id"])] = list(data["templates"])
        elif action == "phone_numbers":
            st.numbers[str(data["id"])] = {k: v for k, v in data.items() if k != "id"}
        else:
            raise web.HTTPNotFound()
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        return _json({"error": str(exc)}, status=400)
    return _json({"ok": True})


def make_app(
    *,
    latency_ms: float = 0,
    default_token: str | None = DEFAULT_TOKEN,
    tokens: dict[str, str] | None = None,
) -> web.Application:
    app = web.Application(client_max_size=20 * 1024 * 1024)  # uploads up to 16 MB
    app[STATE] = GraphState(latency_ms=latency_ms, default_token=default_token, tokens=tokens or {})
    app.router.add_route("*", "/_fake/{action}", _control)
    app.router.add_post("/{version}/{node}/messages", _messages)
    app.router.add_post("/{version}/{node}/media", _upload)
    app.router.add_get("/{version}/{node}/message_templates", _templates)
    app.router.add_get("/{version}/{node}", _phone_number)
    return app


class GraphControl:
    """Test-side handle: the control endpoints as methods (works across processes)."""

    url: str

    def _call(self, method: str, action: str, body: Any = None, **params: Any) -> Any:
        with httpx.Client(timeout=10) as client:
            resp = client.request(method, f"{self.url}/_fake/{action}", json=body, params=params)
        resp.raise_for_status()
        return resp.json()

    def script(self, **rule: Any) -> None:
        self._call("POST", "script", rule)

    def script_rules(self, rules: list[dict[str, Any]]) -> None:
        self._call("POST", "script", {"rules": rules})

    def reset(self) -> None:
        self._call("POST", "reset", {})

    def configure(self, **config: Any) -> None:
        self._call("POST", "config", config)

    def set_templates(self, waba_id: str, templates: list[dict[str, Any]]) -> None:
        self._call("POST", "templates", {"waba_id": waba_id, "templates": templates})

    def set_phone_number(self, phone_number_id: str, **fields: Any) -> None:
        """Describe (or with `exists=False` remove, or with `code`/`http_status` fail) the
        answer of `GET /{phone_number_id}`."""
        self._call("POST", "phone_numbers", {"id": phone_number_id, **fields})

    def requests(self, since: int = 0) -> list[dict[str, Any]]:
        return self._call("GET", "requests", since=since)

    def stats(self) -> dict[str, Any]:
        return self._call("GET", "stats")

    def uploads(self) -> list[dict[str, Any]]:
        return self._call("GET", "uploads")

    def rejections(self) -> list[dict[str, Any]]:
        """Sends refused by Meta's media/template rules: to, code, details."""
        return self._call("GET", "rejections")


class FakeGraphAPI(GraphControl):
    """The fake running on its own event loop in a daemon thread of this process."""

    def __init__(self, *, port: int = 0, **app_options: Any) -> None:
        self._port = port
        self._app_options = app_options
        self._loop = asyncio.new_event_loop()
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    def start(self) -> FakeGraphAPI:
        ready = threading.Event()

        async def boot() -> None:
            self._runner = web.AppRunner(
                make_app(**self._app_options),
                access_log=None,
                handler_cancellation=True,
                shutdown_timeout=0.5,
            )
            await self._runner.setup()
            await web.TCPSite(self._runner, "127.0.0.1", self._port).start()
            self._port = self._runner.addresses[0][1]

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(boot())
            self._loop.call_soon(ready.set)
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="fake-graph-api", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("fake Graph API did not start")
        self.url = f"http://127.0.0.1:{self._port}"
        return self

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> FakeGraphAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class GraphApiProcess(GraphControl):
    def __init__(self, url: str, process: subprocess.Popen) -> None:
        self.url, self.process = url, process


@contextlib.contextmanager
def spawn_graph_api(*, port: int = 0, latency_ms: float = 0) -> Iterator[GraphApiProcess]:
    """Run the fake as a separate process (its own CPU) for the duration of the block."""
    root = Path(__file__).resolve().parents[2]
    cmd = [
        sys.executable,
        "-m",
        "tests.fakes.graph_api",
        "--port",
        str(port),
        "--latency-ms",
        str(latency_ms),
    ]
    proc = subprocess.Popen(cmd, cwd=root, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        if not line.startswith("READY "):
            raise RuntimeError(f"fake Graph API process failed to start: {line!r}")
        yield GraphApiProcess(f"http://127.0.0.1:{int(line.split()[1])}", proc)
    finally:
        proc.terminate()
        proc.wait(10)


_shared: FakeGraphAPI | None = None


@pytest.fixture(name="graph_api")
def graph_api_fixture(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGraphAPI]:
    """The in-process fake (one per test session), reset, with settings pointing at it."""
    global _shared
    if _shared is None:
        _shared = FakeGraphAPI().start()
    _shared.reset()
    from app.core.config import settings

    monkeypatch.setattr(settings, "WHATSAPP_API_BASE_URL", _shared.url)
    yield _shared
    _shared.reset()


graph_api = graph_api_fixture  # `from tests.fakes.graph_api import graph_api` also works


def main() -> None:
    parser = argparse.ArgumentParser(description="Fake Meta Graph API (WhatsApp Cloud API)")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency-ms", type=float, default=0)
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="token every id accepts")
    args = parser.parse_args()

    async def serve() -> None:
        app = make_app(latency_ms=args.latency_ms, default_token=args.token or None)
        runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", args.port, backlog=1024).start()
        print(f"READY {runner.addresses[0][1]}", flush=True)
        await asyncio.Event().wait()

    try:  # uvloop (installed with uvicorn[standard]) roughly doubles what one core answers
        import uvloop

        runner: Any = uvloop.run
    except ImportError:
        runner = asyncio.run
    with contextlib.suppress(KeyboardInterrupt):
        runner(serve())


if __name__ == "__main__":
    main()
