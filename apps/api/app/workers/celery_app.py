"""The Celery application: `celery -A app.workers.celery_app worker|beat`.

Tasks live next to their domain (`app/<domain>/tasks.py`); this module only configures Celery,
and app.workers.beat holds the one beat schedule. Reliability choices are explained in
docs/operations.md; in short: the database decides what is sent (atomic claims), the broker
only carries wake-ups, so redelivering a task is always harmless and we prefer it to losing one.
"""

from __future__ import annotations

from typing import Any

from celery import Celery
from celery.signals import worker_init
from kombu import Exchange
from kombu import Queue as KombuQueue

from app.core.config import settings
from app.workers.beat import beat_schedule
from app.workers.queues import Queue

TASK_MODULES = [
    "app.outbound.tasks",
    "app.inbound.tasks",
    "app.campaigns.tasks",
    "app.campaigns.scheduled",
    "app.ai.tasks",
    "app.ai.variants.tasks",
    "app.replies.tasks",
    "app.analytics.tasks",
]

if settings.CELERY_BROKER_URL.startswith("sqla+"):
    from app.workers.embedded import configure_embedded_transport

    configure_embedded_transport()

VISIBILITY_TIMEOUT = settings.CELERY_VISIBILITY_TIMEOUT

# Task-level retries for infrastructure errors (DB/Redis unreachable): exponential backoff
# capped at 5 minutes. Every countdown we ever schedule stays far below the visibility timeout,
# otherwise Redis would hand the waiting message to a second worker (it would run twice).
INFRA_RETRY: dict[str, Any] = {
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 8,
}
assert INFRA_RETRY["retry_backoff_max"] * 4 <= VISIBILITY_TIMEOUT, "countdown near visibility"

TASK_QUEUES: dict[str, Queue] = {
    "dispatch_sender": Queue.MESSAGES,
    "send_message": Queue.MESSAGES,
    "cleanup_old_messages": Queue.MESSAGES,
    "process_incoming_message": Queue.MESSAGES,
    "update_message_status": Queue.MESSAGES,
    "execute_campaign": Queue.CAMPAIGNS,
    "process_scheduled_campaigns": Queue.CAMPAIGNS,
    "process_drip_sequences": Queue.CAMPAIGNS,
    "monitor_ban_risks": Queue.CAMPAIGNS,
    "reconcile": Queue.CAMPAIGNS,
    "update_campaign_analytics": Queue.ANALYTICS,
    "generate_daily_report": Queue.ANALYTICS,
    "update_lead_scores": Queue.ANALYTICS,
    # The send burst of a rewritten campaign waits for its pool: not behind analytics work.
    "ai.prepare_campaign_variants": Queue.CAMPAIGNS,
    "ai.prepare_pending_variants": Queue.CAMPAIGNS,
    "replies.classify_pending": Queue.MESSAGES,
    "replies.rescore_contacts": Queue.ANALYTICS,
}


def _route(name: str, *_args: Any, **_kwargs: Any) -> dict[str, str] | None:
    """Named tasks to their queue; dotted names by domain prefix; else the default queue."""
    if name in TASK_QUEUES:
        return {"queue": TASK_QUEUES[name].value}
    domain = name.split(".", 1)[0]
    for queue, prefixes in (
        (Queue.CAMPAIGNS, ("campaigns",)),
        (Queue.ANALYTICS, ("analytics", "ai")),
        (Queue.MESSAGES, ("messaging", "webhooks", "contacts", "senders")),
    ):
        if domain in prefixes:
            return {"queue": queue.value}
    return None


def _redis_options() -> dict[str, Any]:
    """Visibility timeout in all three places Celery reads it for Redis (broker transport,
    result backend transport, and the top-level setting the redis backend reads)."""
    options: dict[str, Any] = {}
    transport = {"visibility_timeout": VISIBILITY_TIMEOUT, "socket_connect_timeout": 5}
    if settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        options["broker_transport_options"] = transport
        options["visibility_timeout"] = VISIBILITY_TIMEOUT
    if (settings.CELERY_RESULT_BACKEND or "").startswith(("redis://", "rediss://")):
        options["result_backend_transport_options"] = {"visibility_timeout": VISIBILITY_TIMEOUT}
        options["visibility_timeout"] = VISIBILITY_TIMEOUT
    return options


celery_app = Celery("smart_whatsapp_agent", include=TASK_MODULES)
celery_app.conf.update(
    broker_url=settings.CELERY_BROKER_URL,
    result_backend=settings.CELERY_RESULT_BACKEND,
    # Each queue with its own exchange and key: a bare Queue(name) would be bound with the
    # default key, and a task routed to one queue would be copied into all three.
    task_queues=[KombuQueue(q.value, Exchange(q.value), routing_key=q.value) for q in Queue],
    task_default_queue=Queue.MESSAGES.value,
    task_routes=(_route,),
    task_serializer="json",
    accept_content=["json"],
    result_serializer="json",
    timezone="UTC",
    enable_utc=True,
    task_always_eager=settings.CELERY_TASK_ALWAYS_EAGER,
    # Reliability (docs/operations.md): ack after the task ran, and re-queue a task whose
    # worker process died (SIGKILL, OOM): the DB claim makes a re-run harmless.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    worker_cancel_long_running_tasks_on_connection_loss=False,
    broker_connection_retry_on_startup=True,
    broker_connection_max_retries=None,
    task_ignore_result=True,
    result_expires=3600,
    task_soft_time_limit=settings.DISPATCH_TASK_SECONDS * 4,
    task_time_limit=settings.DISPATCH_TASK_SECONDS * 5,
    worker_max_memory_per_child=250_000,  # KiB: a child above it is replaced after its task
    beat_schedule=beat_schedule(),
    **_redis_options(),
)

app = celery_app  # `celery -A app.workers.celery_app` finds `app` or `celery_app`


@worker_init.connect
def _wire(**_: Any) -> None:
    """Workers (and embedded mode's) connect the cross-layer hooks before the pool starts.
    Imported here, not at the top: app.wiring imports the task modules, which import this one."""
    from app.wiring import wire

    wire()
