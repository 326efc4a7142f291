"""Celery tasks for webhook processing (status updates and inbound messages).

The request path stores the raw event, commits, then `dispatch()`es its id here. Tasks take
the webhook_event id, reload it and process it once (`ingest.process_webhook_event` locks the
row and checks processed_at), so a redelivered or duplicated task is harmless. A sweep
(`messaging.process_pending_webhooks`) picks up events whose enqueue was lost (broker down):
the database, not the broker, is the source of truth.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import orjson
from sqlalchemy import select, update

from app.core.db import session_scope, utcnow
from app.messaging import ingest
from app.messaging.models import WebhookEvent
from app.messaging.webhook_service import ReceiveResult, receive_webhook, sign
from app.workers.celery_app import celery_app
from app.workers.queues import Queue

log = logging.getLogger(__name__)

TASK_FOR_KIND = {
    "statuses": "update_message_status",
    "messages": "process_incoming_message",
    "mixed": "process_incoming_message",  # the task applies everything in the event
}
MAX_ATTEMPTS = 5
SWEEP_BATCH = 500


def dispatch(result: ReceiveResult) -> None:
    """Enqueue processing of a stored event. Call only AFTER the insert is committed."""
    if not result.needs_processing:
        return
    task = TASK_FOR_KIND[result.kind]
    celery_app.send_task(task, args=[result.event_id], queue=Queue.MESSAGES.value)


def _run(webhook_event_id: int) -> dict | None:
    try:
        with session_scope() as db:
            report = ingest.process_webhook_event(db=db, event_id=webhook_event_id)
    except Exception as exc:
        # Keep the error on the row (the sweep retries it later); never lose the event.
        with session_scope() as db:
            db.execute(
                update(WebhookEvent)
                .where(WebhookEvent.id == webhook_event_id)
                .values(
                    attempts=WebhookEvent.attempts + 1,
                    processing_error=f"{type(exc).__name__}: {exc}"[:4000],
                )
            )
        raise
    return None if report is None else report.__dict__


@celery_app.task(name="update_message_status")
def update_message_status(webhook_event_id: int) -> dict | None:
    """Apply the statuses (sent/delivered/read/failed) of one stored webhook event."""
    return _run(webhook_event_id)


@celery_app.task(name="process_incoming_message")
def process_incoming_message(webhook_event_id: int) -> dict | None:
    """Store and act on the inbound messages (and any statuses) of one stored webhook event."""
    return _run(webhook_event_id)


def pending_event_ids(*, db, limit: int, older_than_seconds: float = 0) -> list[int]:
    """Unprocessed events (oldest first), skipping those given up on after MAX_ATTEMPTS."""
    cutoff = utcnow() - timedelta(seconds=older_than_seconds)
    rows = db.execute(
        select(WebhookEvent.id)
        .where(
            WebhookEvent.processed_at.is_(None),
            WebhookEvent.attempts < MAX_ATTEMPTS,
            WebhookEvent.received_at <= cutoff,
        )
        .order_by(WebhookEvent.id)
        .limit(limit)
    )
    return list(rows.scalars())


@celery_app.task(name="messaging.process_pending_webhooks")
def process_pending_webhooks(older_than_seconds: float = 30, limit: int = SWEEP_BATCH) -> int:
    """Reconciler: process events whose task never ran (lost enqueue, crashed worker)."""
    with session_scope() as db:
        ids = pending_event_ids(db=db, limit=limit, older_than_seconds=older_than_seconds)
    done = 0
    for event_id in ids:
        try:
            _run(event_id)
            done += 1
        except Exception:
            log.exception("webhook event %s failed in sweep", event_id)
    return done


def emit_signed_payloads(payloads: list[dict[str, Any]], *, provider: str = "sandbox") -> list[int]:
    """Feed webhook payloads through the real ingestion path, signed with the app secret
    exactly as Meta signs them: receive_webhook → commit → dispatch. Returns event ids."""
    ids = []
    for payload in payloads:
        raw = orjson.dumps(payload)
        with session_scope() as db:
            result = receive_webhook(db=db, raw_body=raw, signature=sign(raw), provider=provider)
        dispatch(result)  # after the commit of session_scope
        ids.append(result.event_id)
    return ids


@celery_app.task(name="sandbox.emit_events")
def emit_events(payloads: list[dict[str, Any]]) -> list[int]:
    """The sandbox's simulated Meta: deliver its webhooks later, from a worker, so "later"
    survives the process that sent the message."""
    return emit_signed_payloads(payloads, provider="sandbox")
