"""Celery tasks of the sending engine. They take ids, reload state and are idempotent: the
database claim (not the broker) decides what is sent, so a redelivered task is harmless.

Infrastructure hiccups (database or Redis unreachable) retry the task through Celery's own
machinery with a bounded backoff, always far below the broker's visibility timeout. Message
retries after a Cloud API error are due times on the row instead (app.outbound.retry).
"""

from __future__ import annotations

import logging

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError

from app.outbound import dispatch, reconcile
from app.workers.celery_app import INFRA_RETRY, celery_app

log = logging.getLogger(__name__)

INFRA_ERRORS = (DBAPIError, RedisConnectionError, RedisTimeoutError)


@celery_app.task(
    name="dispatch_sender",
    autoretry_for=INFRA_ERRORS,
    **INFRA_RETRY,
)
def dispatch_sender(sender_id: int) -> dict[str, int]:
    """Send the number's due rows for up to DISPATCH_TASK_SECONDS, then hand over to a fresh
    task if work is left (short tasks: fair across numbers, far below the visibility timeout)."""
    result = dispatch.run_dispatch(sender_id=sender_id)
    if result.more:
        dispatch_sender.apply_async(args=[sender_id])
    return {"sent": result.sent, "processed": result.processed}


@celery_app.task(name="send_message", autoretry_for=INFRA_ERRORS, **INFRA_RETRY)
def send_message(message_id: int) -> bool:
    """Send one queued row now (seed name). Not due, already claimed or final → nothing."""
    return dispatch.send_one(message_id=message_id)


@celery_app.task(name="reconcile")
def reconcile_task() -> dict[str, int]:
    report = reconcile.reconcile()
    return {
        "stale_unknown": report.stale_unknown,
        "woken_senders": len(report.woken_senders),
        "completed_campaigns": report.completed_campaigns,
    }


@celery_app.task(name="cleanup_old_messages")
def cleanup_old_messages() -> int:
    return reconcile.cleanup_old_messages()
