from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from app.analytics import service
from app.analytics.models import DailyReport
from app.analytics.schemas import CampaignAnalytics, DailyReportOut, Dashboard, TimelinePoint
from app.core.schemas import IdPath
from app.workspaces.deps import PrincipalDep, SessionDep

router = APIRouter(prefix="/analytics", tags=["analytics"])


@router.get("/dashboard", response_model=Dashboard, summary="Workspace-wide headline figures")
def get_dashboard(db: SessionDep, principal: PrincipalDep) -> dict:
    return service.dashboard(db=db, workspace_id=principal.workspace_id)


@router.get(
    "/campaigns/{campaign_id}",
    response_model=CampaignAnalytics,
    summary="Delivery, read and response figures of one campaign",
)
def get_campaign_analytics(campaign_id: IdPath, db: SessionDep, principal: PrincipalDep) -> dict:
    return service.campaign_analytics(
        db=db, workspace_id=principal.workspace_id, campaign_id=campaign_id
    )


@router.get(
    "/messages/timeline",
    response_model=list[TimelinePoint],
    summary="Messages per UTC day for the last N days",
)
def get_timeline(
    db: SessionDep,
    principal: PrincipalDep,
    days: Annotated[int, Query(ge=1, le=365)] = 7,
) -> list[dict]:
    return service.timeline(db=db, workspace_id=principal.workspace_id, days=days)


@router.get("/daily-reports", response_model=list[DailyReportOut], summary="Stored daily reports")
def list_daily_reports(
    db: SessionDep,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=366)] = 30,
) -> list[dict]:
    rows = db.scalars(
        select(DailyReport)
        .where(DailyReport.workspace_id == principal.workspace_id)
        .order_by(DailyReport.report_date.desc())
        .limit(limit)
    )
    return [{"report_date": r.report_date.isoformat(), "data": r.data} for r in rows]
