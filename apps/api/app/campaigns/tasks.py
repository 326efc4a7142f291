"""Celery tasks of the campaigns domain (seed names). They take ids, reload state and are
idempotent; each campaign start commits before its dispatch is enqueued. Queues and the
beat schedule are set in app.workers (celery_app task_routes, beat)."""

from __future__ import annotations

import logging

from app.campaigns import service
from app.core.db import session_scope
from app.workers.celery_app import celery_app

log = logging.getLogger(__name__)

MAX_STARTS_PER_RUN = 100


@celery_app.task(name="execute_campaign")
def execute_campaign(campaign_id: int) -> bool:
    """Start campaign `campaign_id` now. A campaign already running (or past it) is left
    alone, so a redelivered task does nothing."""
    with session_scope() as db:
        campaign = service.start_by_id(db=db, campaign_id=campaign_id)
    if campaign is None:
        return False
    service.notify_started(campaign=campaign)
    return True


@celery_app.task(name="process_scheduled_campaigns")
def process_scheduled_campaigns() -> list[int]:
    """Start every scheduled campaign that is due, one transaction each (a failure does not
    hold back the others); then complete running campaigns that have nothing left to do."""
    started: list[int] = []
    for _ in range(MAX_STARTS_PER_RUN):
        with session_scope() as db:
            campaign = service.claim_due_scheduled(db=db)
            if campaign is None:
                break
        started.append(campaign.id)
        service.notify_started(campaign=campaign)
    if started:
        log.info("started scheduled campaigns %s", started)
    with session_scope() as db:
        for campaign_id in service.finished_running_ids(db=db):
            service.maybe_complete(db=db, campaign_id=campaign_id)
    return started
