"""Celery tasks for webhook processing (status updates and inbound messages).

The request path stores the raw event, commits, then `dispatch()`es here. An event is applied
once: processing starts by claiming it with a conditional UPDATE of processed_at in the same
transaction, so a redelivered or duplicated task, or a second sweep, finds nothing to do. The
batched sweep (`messaging.process_pending_webhooks`) applies up to 500 events per transaction,
their statuses set-based (`app.inbound.statuses`); it also picks up events whose enqueue was
lost (broker down): the database, not the broker, is the source of truth.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import Row, bindparam, select, update
from sqlalchemy.orm import Session

from app.core import metrics
from app.core.config import settings
from app.core.db import session_scope, utcnow
from app.inbound import ingest
from app.inbound.models import WebhookEvent
from app.inbound.service import ReceiveResult, receive_webhook, sign
from app.replies.processing import hand_off
from app.replies.tasks import rescore_soon
from app.workers.celery_app import celery_app
from app.workers.queues import Queue

log = logging.getLogger(__name__)

TASK_FOR_KIND = {
    "statuses": "update_message_status",
    "messages": "process_incoming_message",
    "mixed": "process_incoming_message",  # the task applies everything in the event
    "account": "process_incoming_message",  # template status/quality, number quality
}
MAX_ATTEMPTS = 5
SWEEP_BATCH = 500


# --- processing stored events (the flows the tasks run) --------------------------------

_EVENTS = WebhookEvent.__table__
_CLAIMED = (_EVENTS.c.id, _EVENTS.c.payload, _EVENTS.c.attempts, _EVENTS.c.received_at)


def _claim_pending(
    db: Session, *, limit: int, max_attempts: int, older_than: datetime | None
) -> list[Row]:
    """Claim up to `limit` unprocessed events, oldest first, by setting processed_at in this
    transaction. PostgreSQL: the rows are picked FOR UPDATE SKIP LOCKED, so concurrent sweeps
    share the backlog instead of queueing behind each other or taking the same event. SQLite:
    the claim is the transaction's first write, so it holds the database's write lock and a
    second sweep waits, then sees the events processed."""
    pick = (
        select(_EVENTS.c.id)
        .where(_EVENTS.c.processed_at.is_(None), _EVENTS.c.attempts < max_attempts)
        .order_by(_EVENTS.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if older_than is not None:
        pick = pick.where(_EVENTS.c.received_at <= older_than)
    # A CTE, not `id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)`: PostgreSQL may re-run such
    # a subquery per row, and each re-run skips the rows this very UPDATE just changed and
    # picks the next ones — claiming far more than `n`. A locking CTE runs once.
    picked = pick.cte("picked")
    return _claim(db, _EVENTS.c.id.in_(select(picked.c.id)))


def _claim(db: Session, which: Any) -> list[Row]:
    stmt = (
        update(_EVENTS)
        .where(which, _EVENTS.c.processed_at.is_(None))  # conditional: claimed once
        .values(processed_at=utcnow())
        .returning(*_CLAIMED)
    )
    rows = sorted(db.execute(stmt).all(), key=lambda r: r.id)
    metrics.observe_webhook_lag(rows)
    return rows


def _finish(db: Session, claimed: list[Row], results: dict[int, Any]) -> None:
    """Record each claimed event's outcome: a report → processed (its record-level errors
    kept); an exception → back to unprocessed with the error, retried by a later sweep up to
    MAX_ATTEMPTS."""
    clean = [e.id for e in claimed if _is_clean(results.get(e.id))]
    if clean:
        db.execute(
            update(_EVENTS)
            .where(_EVENTS.c.id.in_(clean))
            .values(attempts=_EVENTS.c.attempts + 1, processing_error=None)
        )
    others = [e for e in claimed if not _is_clean(results.get(e.id))]
    if not others:
        return
    rows = []
    for event in others:
        result = results.get(event.id)
        if isinstance(result, ingest.IngestReport):
            done, error = utcnow(), "; ".join(result.errors)[:4000]
        else:
            done, error = None, f"{type(result).__name__}: {result}"[:4000]
        rows.append({"b_id": event.id, "b_done": done, "b_error": error})
    db.execute(
        update(_EVENTS)
        .where(_EVENTS.c.id == bindparam("b_id"))
        .values(
            processed_at=bindparam("b_done"),
            attempts=_EVENTS.c.attempts + 1,
            processing_error=bindparam("b_error"),
        ),
        rows,
    )


def _is_clean(result: Any) -> bool:
    return isinstance(result, ingest.IngestReport) and not result.errors


def process_webhook_event(*, db: Session, event_id: int) -> ingest.IngestReport | None:
    """Process one stored event once. Returns None when it is missing or already processed.

    The claim is a conditional UPDATE of processed_at: two workers handed the same id run one
    after the other (row lock) and the second claims nothing.
    """
    claimed = _claim(db, _EVENTS.c.id == event_id)
    if not claimed:
        return None
    report = ingest.ingest_payload(db=db, payload=claimed[0].payload, webhook_event_id=event_id)
    _finish(db, claimed, {event_id: report})
    return report


def process_pending_events(
    *,
    db: Session,
    limit: int,
    max_attempts: int,
    older_than: datetime | None = None,
    reports_out: list[ingest.IngestReport] | None = None,
) -> int:
    """Process up to `limit` unprocessed events, oldest first, in ONE transaction (the caller
    commits once per batch): their statuses set-based (`app.inbound.statuses`), their inbound
    messages one by one. If the batch as a whole raises, it is redone event by event, each in a
    savepoint: an event that raises is counted as an attempt, the rest still apply."""
    claimed = _claim_pending(db, limit=limit, max_attempts=max_attempts, older_than=older_than)
    if not claimed:
        return 0
    senders: dict[str, ingest.SenderRef] = {}
    results: dict[int, Any] = {}
    try:
        with db.begin_nested():
            reports = ingest.ingest_events(
                db=db, events=[(e.id, e.payload) for e in claimed], senders=senders
            )
        results = {e.id: r for e, r in zip(claimed, reports, strict=True)}
    except Exception:
        log.exception("webhook batch of %d failed; redoing it event by event", len(claimed))
        for event in claimed:
            try:
                with db.begin_nested():
                    results[event.id] = ingest.ingest_payload(
                        db=db, payload=event.payload, webhook_event_id=event.id, senders=senders
                    )
            except Exception as exc:
                log.exception("webhook event %s failed", event.id)
                results[event.id] = exc
    _finish(db, claimed, results)
    if reports_out is not None:
        reports_out.extend(r for r in results.values() if isinstance(r, ingest.IngestReport))
    return len(claimed)


# --- hand-off ------------------------------------------------------------------------------

SWEEP_TASK = "messaging.process_pending_webhooks"
SWEEP_TIME_BUDGET_SECONDS = 20.0

_kick_lock = threading.Lock()
_last_kick = -1e9


def dispatch(result: ReceiveResult) -> None:
    """Hand a stored event to the workers. Call only AFTER its insert is committed.

    per_event: one seed task per delivery (`update_message_status` / `process_incoming_message`).
    batched (default): at most one sweep task per WEBHOOK_BATCH_WINDOW_SECONDS per process,
    due one window later; it processes every stored event in batches. Skipping a kick is safe:
    the skipped event was committed before the pending sweep's due time, and the sweep reads
    the table after that time, so it sees the event.
    """
    if not result.needs_processing:
        return
    if settings.WEBHOOK_PROCESSING == "per_event":
        task = TASK_FOR_KIND[result.kind]
        celery_app.send_task(task, args=[result.event_id], queue=Queue.MESSAGES.value)
        return
    kick_sweep()


def kick_sweep() -> None:
    global _last_kick
    window = max(settings.WEBHOOK_BATCH_WINDOW_SECONDS, 0.0)
    now = time.monotonic()
    with _kick_lock:
        if now - _last_kick < window:
            return
        _last_kick = now
    celery_app.send_task(
        SWEEP_TASK,
        kwargs={"older_than_seconds": 0},
        countdown=window + 0.05 if window else None,
        queue=Queue.MESSAGES.value,
    )


def _run(webhook_event_id: int) -> dict | None:
    try:
        with session_scope() as db:
            report = process_webhook_event(db=db, event_id=webhook_event_id)
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
    if report is None:
        return None
    _after_commit([report])
    return report.__dict__


def _after_commit(reports: list[ingest.IngestReport]) -> None:
    """The stored replies are durable now: classify and act on them here, in the worker
    that ingested them (app.replies.processing)."""
    ids = [i for r in reports for i in r.stored_ids]
    reads = [p for r in reports for p in r.read_contacts]
    if ids or reads:
        hand_off(message_ids=ids, read_contacts=reads, rescore_later=rescore_soon)


@celery_app.task(name="update_message_status")
def update_message_status(webhook_event_id: int) -> dict | None:
    """Apply the statuses (sent/delivered/read/failed) of one stored webhook event."""
    return _run(webhook_event_id)


@celery_app.task(name="process_incoming_message")
def process_incoming_message(webhook_event_id: int) -> dict | None:
    """Store and act on the inbound messages (and any statuses) of one stored webhook event."""
    return _run(webhook_event_id)


@celery_app.task(name=SWEEP_TASK)
def process_pending_webhooks(older_than_seconds: float = 30, limit: int = SWEEP_BATCH) -> int:
    """Process stored, unprocessed events in batches (one transaction per batch) until none is
    left. Run by the batched dispatch and, as a reconciler for lost enqueues, by beat."""
    started, done = time.monotonic(), 0
    while True:
        cutoff = utcnow() - timedelta(seconds=older_than_seconds) if older_than_seconds else None
        reports: list[ingest.IngestReport] = []
        with session_scope() as db:
            n = process_pending_events(
                db=db,
                limit=limit,
                max_attempts=MAX_ATTEMPTS,
                older_than=cutoff,
                reports_out=reports,
            )
        _after_commit(reports)
        done += n
        if n < limit:
            return done
        if time.monotonic() - started > SWEEP_TIME_BUDGET_SECONDS:
            kick_sweep()  # leave the rest to a fresh task; don't hog the worker
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


def sandbox_sink(events: list[tuple[float, dict[str, Any]]]) -> None:
    """The sandbox's webhooks: through the real ingestion path now (delay 0), or each step
    later from a worker with its countdown."""
    if settings.SANDBOX_STATUS_DELAY_SECONDS <= 0:
        emit_signed_payloads([payload for _, payload in events])
        return
    for delay, payload in events:
        emit_events.apply_async(args=[[payload]], countdown=delay, queue=Queue.MESSAGES.value)
