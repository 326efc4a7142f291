"""Periodic campaign jobs: drip sequencing and ban-risk monitoring (seed task names).

Both are safe to run twice (two beats, a redelivered message): drip claims use SKIP LOCKED
and a unique key per step; a repeated risk run stores one more assessment and pauses nothing
new. `process_scheduled_campaigns` lives in app.campaigns.tasks.
"""

from __future__ import annotations

import logging

from app.ai.risk import service as risk
from app.campaigns import drip
from app.core.db import session_scope, utcnow
from app.workers.celery_app import celery_app

log = logging.getLogger(__name__)


@celery_app.task(name="process_drip_sequences")
def process_drip_sequences() -> int:
    """Materialise due drip steps, then wake the senders that got rows."""
    from app.messaging.dispatch import enqueue_dispatch

    senders = drip.advance_all_due(now=utcnow())
    for sender_id in sorted(senders):
        enqueue_dispatch(sender_id=sender_id)
    return len(senders)


@celery_app.task(name="monitor_ban_risks")
def monitor_ban_risks() -> dict[str, str]:
    with session_scope() as db:
        rows = risk.monitor(db=db, now=utcnow())
        levels = {str(r.sender_id): r.risk_level for r in rows}
    critical = [s for s, level in levels.items() if level == "critical"]
    if critical:
        log.warning("ban risk critical for senders %s: their campaigns were paused", critical)
    return levels
