"""The one ingestion path for WhatsApp webhooks: verify, store once, hand off.

Both the HTTP route and the sandbox simulator call `receive_webhook`, so a simulated delivery
exercises exactly the code a real Meta delivery does. The request path is deliberately small —
HMAC check, JSON parse, one INSERT … ON CONFLICT DO NOTHING — and everything else (matching
messages, contacts, opt-outs) happens later in a worker (`app.inbound.ingest`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import Text, bindparam, cast, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from app.core.config import settings
from app.core.db import utcnow
from app.core.errors import AppError
from app.inbound.models import WebhookEvent
from app.inbound.parser import classify, first_phone_number_id, is_envelope
from app.senders.models import SenderNumber

SIGNATURE_HEADER = "X-Hub-Signature-256"
PROCESSABLE_KINDS = frozenset({"statuses", "messages", "mixed", "account"})


class InvalidSignature(AppError):
    status_code = 401
    code = "invalid_signature"


class MalformedWebhook(AppError):
    status_code = 400
    code = "malformed_webhook"


@dataclass(frozen=True)
class ReceiveResult:
    """What happened to one delivery. `created` is False for a retry of a stored delivery."""

    event_id: int
    created: bool
    kind: str
    workspace_id: int | None
    needs_processing: bool


def sign(raw_body: bytes, secret: str | None = None) -> str:
    """The `X-Hub-Signature-256` value Meta sends for `raw_body` (also used by the sandbox)."""
    key = (secret if secret is not None else settings.WHATSAPP_APP_SECRET).encode()
    return "sha256=" + hmac.new(key, raw_body, hashlib.sha256).hexdigest()


def verify_signature(raw_body: bytes, signature: str | None) -> bool:
    """Constant-time check of `sha256=<hex>` against HMAC-SHA256(raw body, app secret)."""
    if not signature or not settings.WHATSAPP_APP_SECRET:
        return False
    return hmac.compare_digest(sign(raw_body).encode(), signature.strip().lower().encode())


def dedupe_key(raw_body: bytes) -> str:
    """Meta retries a delivery with the identical body: its hash identifies the delivery."""
    return hashlib.sha256(raw_body).hexdigest()


def parse_body(raw_body: bytes) -> dict[str, Any]:
    try:
        payload = orjson.loads(raw_body)
    except orjson.JSONDecodeError as exc:
        raise MalformedWebhook("Malformed JSON body") from exc
    if not is_envelope(payload):
        raise MalformedWebhook("Not a WhatsApp webhook: expected an object with object and entry")
    return payload


# A `\u0000` escape: preceded by an even number of backslashes (`\\u0000` is the text "\u0000").
_NUL_ESCAPE = re.compile(rb"(?<!\\)((?:\\\\)*)\\u0000")
# An exponent past what PostgreSQL's numeric holds (1e-99999 parses, as 0.0, but jsonb refuses).
_HUGE_EXPONENT = re.compile(rb"[eE][+-]?\d{5,}")


def storable_json(raw_body: bytes, payload: Any = None) -> str:
    r"""The body as text for the jsonb column; a body that passed the signature check must be
    storable (a 5xx makes Meta retry it forever). jsonb cannot hold NUL: a `\u0000` escape is
    stored as U+FFFD, while the literal text `\\u0000` stays as it is. A number jsonb cannot
    hold is stored as the float the body parses to (the body is re-encoded)."""
    if payload is not None and _HUGE_EXPONENT.search(raw_body):
        raw_body = orjson.dumps(payload)
    if b"\\u0000" in raw_body:
        raw_body = _NUL_ESCAPE.sub(rb"\1\\ufffd", raw_body)
    return raw_body.decode()


def routing_id(payload: dict[str, Any]) -> str | None:
    """The phone_number_id the delivery is routed by. An id PostgreSQL text cannot hold (NUL)
    matches no sender, so it routes nowhere instead of failing the INSERT (a 503)."""
    pnid = first_phone_number_id(payload)
    return None if pnid is None or "\x00" in pnid else pnid


@dataclass(frozen=True)
class Delivery:
    """A verified, parsed delivery, ready to store."""

    key: str
    kind: str
    payload: dict[str, Any]
    phone_number_id: str | None
    raw_json: str  # stored as is: no re-serialisation on the hot path


def prepare(raw_body: bytes, signature: str | None) -> Delivery:
    """Verify and parse one delivery (CPU only, no I/O).

    Raises InvalidSignature (401) or MalformedWebhook (400): nothing is stored for those.
    """
    if not verify_signature(raw_body, signature):
        raise InvalidSignature("Missing or invalid X-Hub-Signature-256")
    payload = parse_body(raw_body)
    return Delivery(
        key=dedupe_key(raw_body),
        kind=classify(payload),
        payload=payload,
        phone_number_id=routing_id(payload),
        raw_json=storable_json(raw_body, payload),
    )


@lru_cache
def _insert_statement(dialect: str) -> Any:
    """INSERT … ON CONFLICT (dedupe_key) DO NOTHING RETURNING, workspace resolved in SQL."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(WebhookEvent)
        .values(
            workspace_id=select(SenderNumber.workspace_id)
            .where(SenderNumber.phone_number_id == bindparam("pnid"))
            .scalar_subquery(),
            payload=cast(bindparam("raw_json", type_=Text), JSONB)
            if dialect == "postgresql"
            else bindparam("raw_json", type_=Text),
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(WebhookEvent.id, WebhookEvent.dedupe_key, WebhookEvent.workspace_id)
    )


def _insert_rows(deliveries: list[Delivery], provider: str) -> list[dict[str, Any]]:
    now = utcnow()
    return [
        {
            "pnid": d.phone_number_id,
            "provider": provider,
            "dedupe_key": d.key,
            "kind": d.kind,
            "raw_json": d.raw_json,
            "received_at": now,
            # Nothing to process (a field we do not act on): stored, marked done.
            "processed_at": None if d.kind in PROCESSABLE_KINDS else now,
            "attempts": 0,
        }
        for d in deliveries
    ]


def _existing_statement(keys: set[str]) -> Any:
    return select(
        WebhookEvent.id,
        WebhookEvent.dedupe_key,
        WebhookEvent.workspace_id,
        WebhookEvent.processed_at,
    ).where(WebhookEvent.dedupe_key.in_(keys))


def _results(
    deliveries: list[Delivery], inserted: dict[str, Any], existing: dict[str, Any]
) -> list[ReceiveResult]:
    results, seen = [], set()
    for d in deliveries:
        processable = d.kind in PROCESSABLE_KINDS
        new = inserted.get(d.key)
        if new is not None and d.key not in seen:
            results.append(ReceiveResult(new.id, True, d.kind, new.workspace_id, processable))
        else:
            row = new or existing[d.key]
            # A retry of a stored, not yet processed delivery re-enqueues (tasks are idempotent).
            pending = processable and (new is not None or row.processed_at is None)
            results.append(ReceiveResult(row.id, False, d.kind, row.workspace_id, pending))
        seen.add(d.key)
    return results


def store_deliveries(
    *, db: Session, deliveries: list[Delivery], provider: str = "cloud_api"
) -> list[ReceiveResult]:
    """Store each delivery once: ONE multi-row INSERT … ON CONFLICT (dedupe_key) DO NOTHING
    (executemany → SQLAlchemy "insertmanyvalues"; the workspace is resolved in the statement).

    A retry of a stored delivery (or a twin within the batch) inserts nothing and gets the
    existing row. The caller commits, then `dispatch()`es each result.
    """
    if not deliveries:
        return []
    conn = db.connection()  # Core: no ORM bookkeeping on the hot path
    stmt = _insert_statement(conn.dialect.name)
    inserted = {r.dedupe_key: r for r in conn.execute(stmt, _insert_rows(deliveries, provider))}
    missing = {d.key for d in deliveries} - inserted.keys()
    existing = (
        {r.dedupe_key: r for r in conn.execute(_existing_statement(missing))} if missing else {}
    )
    return _results(deliveries, inserted, existing)


def receive_webhook(
    *, db: Session, raw_body: bytes, signature: str | None, provider: str = "cloud_api"
) -> ReceiveResult:
    """Verify and store one delivery exactly once. The caller commits, then `dispatch()`es.

    Raises InvalidSignature (401) or MalformedWebhook (400) before anything is written.
    """
    delivery = prepare(raw_body, signature)
    return store_deliveries(db=db, deliveries=[delivery], provider=provider)[0]
