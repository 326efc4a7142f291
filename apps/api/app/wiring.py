"""The composition root: connects the few hooks that let lower layers reach higher ones.

Domain packages only import downwards (docs/architecture.md). These calls must go upwards, and
all are subscriptions made here, once per process, by every entry point (app.main for the API,
app.workers.celery_app for workers and beat, app.cli for the command line):

- campaigns make rows due → the engine's dispatcher wakes (`campaigns.events.sender_ready`);
- a contact is erased → inbound redacts the stored webhook deliveries that carry its number
  (`contacts.erasure.on_erase`);
- a rewritten campaign starts → its variant pool is prepared (`campaigns.events.variants_needed`);
- the sandbox provider (an integration, which imports no domain) simulates Meta's webhooks →
  they go through the real ingestion path (`integrations.whatsapp.sandbox.set_webhook_sink`);
- a Celery pool process starts → it builds the offline reply models in the background
  (`ai.classifier.warm`, Celery's `worker_process_init`; the API does it in app.main).
"""

from __future__ import annotations

from typing import Any

from celery.signals import worker_process_init

from app import models as _all_models  # noqa: F401  (every mapper, before any task runs)
from app.ai.classifier.warm import start_warm_up
from app.ai.variants.tasks import enqueue_prepare
from app.campaigns import events
from app.contacts.erasure import on_erase
from app.core.config import settings
from app.core.db import utcnow
from app.inbound.erasure import redact_webhook_events
from app.inbound.tasks import sandbox_sink
from app.integrations.whatsapp import sandbox
from app.integrations.whatsapp.versions import warn_if_retiring
from app.outbound.dispatch import enqueue_dispatch


def _wake_dispatcher(sender_id: int) -> None:
    enqueue_dispatch(sender_id=sender_id)


def _warm_up_worker(**_: Any) -> None:
    start_warm_up()


_checked = False


def wire() -> None:
    """Idempotent. Also the one start-up check every entry point shares: a Graph API version
    close to its retirement is logged (once per process)."""
    global _checked
    if not _checked:
        _checked = True
        warn_if_retiring(settings.WHATSAPP_API_VERSION, today=utcnow().date())
    events.subscribe_sender_ready(_wake_dispatcher)
    events.subscribe_variants_needed(enqueue_prepare)
    sandbox.set_webhook_sink(sandbox_sink)
    on_erase(redact_webhook_events)
    worker_process_init.connect(_warm_up_worker, weak=False, dispatch_uid="swa-ai-warm-up")
