"""Periodic analytics jobs (seed task names). Each is safe to run twice."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from sqlalchemy import select

from app.ai.leads.service import rescore_workspace
from app.analytics import reports, rollup, service
from app.campaigns.models import Campaign
from app.core.config import settings
from app.core.db import session_scope, utcnow
from app.core.enums import CampaignStatus
from app.workers.celery_app import celery_app
from app.workspaces.models import Workspace

ACTIVE = (CampaignStatus.RUNNING, CampaignStatus.PAUSED)


@celery_app.task(name="update_campaign_analytics")
def update_campaign_analytics(full: bool = False) -> int:
    """Bring the rollups up to date (app.analytics.rollup), then copy each live or lately
    finished campaign's figures to `campaigns.stats` for cheap listing. Returns how many
    campaigns were refreshed."""
    since = utcnow() - timedelta(days=1)
    with session_scope() as db:
        rollup.refresh(db=db, full=full)
        campaigns = list(
            db.scalars(
                select(Campaign).where(
                    Campaign.status.in_(ACTIVE)
                    | (Campaign.completed_at >= since)
                    | (Campaign.stats_updated_at.is_(None) & Campaign.started_at.is_not(None))
                )
            )
        )
        now = utcnow()
        for campaign in campaigns:
            counts = service.totals(
                db=db, workspace_id=campaign.workspace_id, scope="campaign", keys=[str(campaign.id)]
            )
            campaign.stats = service.figures(counts.get(str(campaign.id), Counter()))
            campaign.stats_updated_at = now
        return len(campaigns)


def write_daily_reports(day: date) -> int:
    """The report of one local day for every workspace (rerunning overwrites)."""
    with session_scope() as db:
        ids = list(db.scalars(select(Workspace.id)))
        for workspace_id in ids:
            reports.store(db=db, workspace_id=workspace_id, day=day)
        return len(ids)


@celery_app.task(name="generate_daily_report")
def generate_daily_report(day: str | None = None) -> int:
    """With a date: that day's report for every workspace. Without: each workspace whose
    local time is past 02:00 gets its report of yesterday (its own day), once complete —
    beat runs this every 15 minutes so every zone's 02:00 is met. Returns reports written."""
    if day:
        return write_daily_reports(date.fromisoformat(day))
    with session_scope() as db:
        rollup.refresh(db=db)
        todo = reports.due(db=db, now=utcnow())
        for workspace_id, local_day in todo:
            reports.store(db=db, workspace_id=workspace_id, day=local_day)
        if todo:  # about once a day: forget facts of messages deleted since (counts stay)
            rollup.prune_facts(db=db)
        return len(todo)


@celery_app.task(name="update_lead_scores")
def update_lead_scores() -> int:
    """Rescore every workspace in batches (each workspace commits with the session)."""
    if not settings.AI_LEAD_SCORING_ENABLED:
        return 0
    with session_scope() as db:
        return sum(
            rescore_workspace(db=db, workspace_id=ws_id)
            for ws_id in list(db.scalars(select(Workspace.id)))
        )
