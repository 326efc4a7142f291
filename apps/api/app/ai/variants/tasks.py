"""Tasks preparing AI rewrite variant pools (app.ai.variants.service). Idempotent: the pool
is stored once, under the campaign's row lock."""

from __future__ import annotations

from app.ai.variants import service
from app.campaigns import events
from app.core.db import session_scope, utcnow
from app.workers.celery_app import celery_app

PREPARE_TASK = "ai.prepare_campaign_variants"


@celery_app.task(name=PREPARE_TASK)
def prepare_campaign_variants(campaign_id: int) -> bool:
    sender_id = service.prepare(campaign_id=campaign_id)
    if sender_id is None:
        return False
    events.sender_ready(sender_id)  # after the commit: the send burst starts now
    return True


@celery_app.task(name="ai.prepare_pending_variants")
def prepare_pending_variants() -> int:
    """Beat's safety net: pools whose task was lost (broker flush, worker killed)."""
    with session_scope() as db:
        ids = service.stale_pending(db=db, now=utcnow())
    return sum(prepare_campaign_variants(campaign_id) for campaign_id in ids)


def enqueue_prepare(campaign_id: int) -> None:
    """campaigns.events.variants_needed subscriber (app.wiring); call after commit."""
    prepare_campaign_variants.apply_async(args=[campaign_id])
