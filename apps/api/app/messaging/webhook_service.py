"""The one ingestion path for WhatsApp webhooks: verify, store once, hand off.

Both the HTTP route and the sandbox simulator call `receive_webhook`, so a simulated delivery
exercises exactly the code a real Meta delivery does. The request path is deliberately small —
HMAC check, JSON parse, one INSERT … ON CONFLICT DO NOTHING — and everything else (matching
messages, contacts, opt-outs) happens later in a worker (`app.messaging.ingest`).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.core.config import settings
from app.core.db import utcnow
from app.core.errors import AppError
from app.messaging.models import WebhookEvent
from app.messaging.webhook_parser import classify, first_phone_number_id, is_envelope
from app.senders.models import SenderNumber

SIGNATURE_HEADER = "X-Hub-Signature-256"
PROCESSABLE_KINDS = frozenset({"statuses", "messages", "mixed"})


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


def dialect_insert(db: Session) -> Any:
    """`insert()` of the session's dialect: the one that has `on_conflict_do_nothing`."""
    return postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert


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


def receive_webhook(
    *, db: Session, raw_body: bytes, signature: str | None, provider: str = "cloud_api"
) -> ReceiveResult:
    """Verify and store one delivery exactly once. The caller commits, then `dispatch()`es.

    Raises InvalidSignature (401) or MalformedWebhook (400) before anything is written.
    """
    if not verify_signature(raw_body, signature):
        raise InvalidSignature("Missing or invalid X-Hub-Signature-256")
    payload = parse_body(raw_body)
    kind = classify(payload)
    now = utcnow()
    workspace = (
        select(SenderNumber.workspace_id)
        .where(SenderNumber.phone_number_id == first_phone_number_id(payload))
        .scalar_subquery()
    )
    stmt = (
        dialect_insert(db)(WebhookEvent)
        .values(
            workspace_id=workspace,
            provider=provider,
            dedupe_key=dedupe_key(raw_body),
            kind=kind,
            payload=payload,
            received_at=now,
            # Nothing to process (e.g. a template-status change): stored, marked done.
            processed_at=None if kind in PROCESSABLE_KINDS else now,
            attempts=0,
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(WebhookEvent.id, WebhookEvent.workspace_id)
    )
    row = db.execute(stmt).first()
    if row is not None:
        return ReceiveResult(row.id, True, kind, row.workspace_id, kind in PROCESSABLE_KINDS)
    existing = db.execute(
        select(WebhookEvent.id, WebhookEvent.workspace_id, WebhookEvent.processed_at).where(
            WebhookEvent.dedupe_key == dedupe_key(raw_body)
        )
    ).one()
    # A retry of a stored but not yet processed delivery re-enqueues (tasks are idempotent).
    needs = existing.processed_at is None and kind in PROCESSABLE_KINDS
    return ReceiveResult(existing.id, False, kind, existing.workspace_id, needs)
