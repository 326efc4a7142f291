"""Periodic analytics jobs (seed task names). Each is safe to run twice."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.ai.leads.service import rescore_workspace
from app.analytics import service
from app.analytics.models import DailyReport
from app.campaigns.models import Campaign
from app.core.config import settings
from app.core.db import session_scope, utcnow
from app.core.enums import CampaignStatus
from app.workers.celery_app import celery_app
from app.workspaces.models import Workspace

ACTIVE = (CampaignStatus.RUNNING, CampaignStatus.PAUSED)


@celery_app.task(name="update_campaign_analytics")
def update_campaign_analytics() -> int:
    """Cache figures of running/paused campaigns and of ones finished in the last day."""
    since = utcnow() - timedelta(days=1)
    with session_scope() as db:
        campaigns = list(
            db.scalars(
                select(Campaign).where(
                    Campaign.status.in_(ACTIVE)
                    | (Campaign.completed_at >= since)
                    | (Campaign.stats_updated_at.is_(None) & Campaign.started_at.is_not(None))
                )
            )
        )
        if not campaigns:
            return 0
        figures = service.campaign_figures(db=db, campaign_ids=[c.id for c in campaigns])
        now = utcnow()
        for campaign in campaigns:
            campaign.stats = figures[campaign.id]
            campaign.stats_updated_at = now
        return len(campaigns)


def write_daily_reports(day: date) -> int:
    with session_scope() as db:
        count = 0
        for workspace_id in db.scalars(select(Workspace.id)):
            data = service.day_report(db=db, workspace_id=workspace_id, day=day)
            row = db.scalar(
                select(DailyReport).where(
                    DailyReport.workspace_id == workspace_id, DailyReport.report_date == day
                )
            )
            if row is None:
                db.add(DailyReport(workspace_id=workspace_id, report_date=day, data=data))
            else:
                row.data = data
            count += 1
        return count


@celery_app.task(name="generate_daily_report")
def generate_daily_report(day: str | None = None) -> int:
    """Report of yesterday (UTC) per workspace; rerunning overwrites the same row."""
    target = date.fromisoformat(day) if day else utcnow().date() - timedelta(days=1)
    return write_daily_reports(target)


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
