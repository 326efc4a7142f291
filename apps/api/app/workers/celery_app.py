"""The Celery application: `celery -A app.workers.celery_app worker|beat`.

Tasks live next to their domain (`app/<domain>/tasks.py`); this module only configures Celery.
"""

from __future__ import annotations

from celery import Celery
from kombu import Queue as KombuQueue

from app.core.config import settings
from app.workers.queues import Queue

TASK_MODULES = [
    "app.messaging.tasks",
    "app.messaging.webhook_tasks",
    "app.campaigns.tasks",
    "app.campaigns.scheduled",
    "app.analytics.tasks",
]

if settings.CELERY_BROKER_URL.startswith("sqla+"):
    from app.workers.embedded import configure_embedded_transport

    configure_embedded_transport()

celery_app = Celery("smart_whatsapp_agent", include=TASK_MODULES)
celery_app.conf.update(
    broker_url=settings.CELERY_BROKER_URL,
    result_backend=settings.CELERY_RESULT_BACKEND,
    task_queues=[KombuQueue(q.value) for q in Queue],
    task_default_queue=Queue.MESSAGES.value,
    task_serializer="json",
    accept_content=["json"],
    result_serializer="json",
    timezone="UTC",
    enable_utc=True,
    task_always_eager=settings.CELERY_TASK_ALWAYS_EAGER,
)

app = celery_app  # `celery -A app.workers.celery_app` finds `app` or `celery_app`
