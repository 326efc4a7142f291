"""Operational metrics (Prometheus, prometheus-client). Defined here once; the engine, the
webhook path and the AI providers increment them with one line each. `/metrics` serves them
(`router` below): with METRICS_TOKEN set it wants `Authorization: Bearer <token>`, without it
only loopback clients get an answer. Queue depths are read at scrape time.

Workers are separate processes: set PROMETHEUS_MULTIPROC_DIR (the same empty directory for the
API and the workers of one host) and `/metrics` adds every process up (prometheus-client's
multiprocess mode). See docs/operations.md#metrics.
"""

from __future__ import annotations

import os
from typing import Any

from app.core.config import settings

if settings.PROMETHEUS_MULTIPROC_DIR:  # prometheus-client reads it when it is imported
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", settings.PROMETHEUS_MULTIPROC_DIR)

from prometheus_client import (
    Counter,
    Histogram,
)

SENDS = Counter(
    "swa_sends_total",
    "Outbound messages by outcome of the send (sent, failed, skipped, cancelled, deferred, "
    "unknown) and Cloud API error code ('' when none)",
    ["outcome", "error_code"],
)
DISPATCH_SECONDS = Histogram(
    "swa_dispatch_batch_seconds",
    "Time of one claimed batch from the policy check to its results being written",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60),
)
THROTTLE_DEFERRALS = Counter(
    "swa_throttle_deferrals_total",
    "Messages put back to wait, by reason (cap_full: the number's windows are full; rate_cap, "
    "quiet_hours, pacing_unavailable, …)",
    ["reason"],
)
WEBHOOK_DELIVERIES = Counter(
    "swa_webhook_deliveries_total",
    "Webhook POSTs by result (stored, duplicate, bad_signature, invalid)",
    ["result"],
)
WEBHOOK_LAG = Histogram(
    "swa_webhook_lag_seconds",
    "From a webhook delivery being stored to it being processed",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 15, 60, 300, 900),
)
AI_SECONDS = Histogram(
    "swa_ai_request_seconds",
    "AI provider calls by provider and operation (rewrite, classify, …)",
    ["provider", "operation"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
)
AI_FALLBACKS = Counter(
    "swa_ai_fallbacks_total",
    "AI calls answered by the local fallback because the configured provider failed",
    ["provider", "reason"],
)


def record_deferrals(reason: str, n: int = 1) -> None:
    THROTTLE_DEFERRALS.labels(reason).inc(n)


def record_ai_fallback(provider: str, reason: str) -> None:
    """A configured provider gave no usable answer: the feature answers from `local`."""
    AI_FALLBACKS.labels(provider, reason).inc()


def record_outcome(outcome: str, error_code: str | int | None = None, n: int = 1) -> None:
    SENDS.labels(outcome, "" if error_code is None else str(error_code)).inc(n)


def observe_batch(recorder: Any, seconds: float) -> None:
    """One dispatched batch (an `app.outbound.results.Recorder`): outcomes, deferrals, time."""
    DISPATCH_SECONDS.observe(seconds)
    if recorder.sent_rows:
        record_outcome("sent", n=len(recorder.sent_rows))
    for row in recorder.finished:
        record_outcome(str(row["b_status"]), row.get("b_code"))
    for row in recorder.requeued:
        record_outcome("deferred", row.get("b_code"))
    for event in recorder.events:
        if event["event"] == "deferred":
            record_deferrals(str(event["data"].get("reason") or "unknown"))


def count_deliveries(results: list[Any]) -> None:
    """Webhook deliveries just stored (`ReceiveResult`s): new ones and Meta's retries."""
    for r in results:
        WEBHOOK_DELIVERIES.labels("stored" if r.created else "duplicate").inc()


def observe_webhook_lag(rows: list[Any]) -> None:
    """Claimed webhook events (rows with `received_at`): how long each waited."""
    from app.core.db import utcnow

    now = utcnow()
    for r in rows:
        at = getattr(r, "received_at", None)
        if at is not None:
            if at.tzinfo is None:
                from datetime import UTC

                at = at.replace(tzinfo=UTC)
            WEBHOOK_LAG.observe(max(0.0, (now - at).total_seconds()))
