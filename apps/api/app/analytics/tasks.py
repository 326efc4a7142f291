"""Periodic analytics jobs (seed task names). Each is safe to run twice."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from sqlalchemy import select

from app.analytics import rollup, service
from app.analytics.models import DailyReport
from app.campaigns.models import Campaign
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
    from app.ai.lead_scoring import rescore_workspace

    with session_scope() as db:
        return sum(
            rescore_workspace(db=db, workspace_id=ws_id)
            for ws_id in list(db.scalars(select(Workspace.id)))
        )
