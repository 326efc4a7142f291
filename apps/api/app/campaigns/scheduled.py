"""Periodic drip sequencing (seed task name).

Safe to run twice (two beats, a redelivered message): drip claims use SKIP LOCKED and a unique
key per step. `process_scheduled_campaigns` lives in app.campaigns.tasks; ban-risk monitoring
in app.ai.tasks.
"""

from __future__ import annotations

import logging

from app.campaigns import drip, events
from app.core.db import utcnow
from app.workers.celery_app import celery_app

log = logging.getLogger(__name__)


@celery_app.task(name="process_drip_sequences")
def process_drip_sequences() -> int:
    """Materialise due drip steps, then wake the senders that got rows."""
    senders = drip.advance_all_due(now=utcnow())
    for sender_id in sorted(senders):
        events.sender_ready(sender_id)
    return len(senders)
