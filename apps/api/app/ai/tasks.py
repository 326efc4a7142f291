"""Periodic AI jobs (seed task names). Safe to run twice: a repeated risk run stores one more
assessment and pauses nothing new."""

from __future__ import annotations

import logging

from app.ai.risk import service as risk
from app.core.db import session_scope, utcnow
from app.workers.celery_app import celery_app

log = logging.getLogger(__name__)


@celery_app.task(name="monitor_ban_risks")
def monitor_ban_risks() -> dict[str, str]:
    with session_scope() as db:
        rows = risk.monitor(db=db, now=utcnow())
        levels = {str(r.sender_id): r.risk_level for r in rows}
    critical = [s for s, level in levels.items() if level == "critical"]
    if critical:
        log.warning("ban risk critical for senders %s: their campaigns were paused", critical)
    return levels
