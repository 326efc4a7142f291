from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import HTMLResponse, PlainTextResponse
from sqlalchemy import select

from app.analytics import performance, reports, service
from app.analytics.models import DailyReport
from app.analytics.schemas import (
    CampaignAnalytics,
    CampaignRow,
    DailyReportOut,
    DailyReportRequest,
    Dashboard,
    HotLead,
    Progress,
    TimelinePoint,
)
from app.core.db import utcnow
from app.core.errors import NotFound
from app.core.schemas import IdPath
from app.workspaces.deps import PrincipalDep, SessionDep

Days = Annotated[int, Query(ge=1, le=365)]


def fresh_rollups(db: SessionDep, _: PrincipalDep) -> None:
    """Figures at most ANALYTICS_MAX_STALENESS_SECONDS old (see docs/analytics.md); after
    authentication, so an anonymous request never starts a refresh."""
    from app.analytics import rollup
    from app.core.config import settings

    if rollup.refresh_if_stale(db=db, max_age=settings.ANALYTICS_MAX_STALENESS_SECONDS):
        db.commit()


router = APIRouter(prefix="/analytics", tags=["analytics"])
Fresh = Depends(fresh_rollups)


@router.get(
    dependencies=[Fresh],
    path="/dashboard",
    response_model=Dashboard,
    summary="Workspace-wide headline figures",
)
def get_dashboard(db: SessionDep, principal: PrincipalDep) -> dict:
    return service.dashboard(db=db, workspace_id=principal.workspace_id)


@router.get(
    dependencies=[Fresh],
    path="/campaigns",
    response_model=list[CampaignRow],
    summary="Newest campaigns with status, live progress and rates",
)
def list_campaign_figures(
    db: SessionDep, principal: PrincipalDep, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[dict]:
    return service.campaign_table(db=db, workspace_id=principal.workspace_id, limit=limit)


@router.get(
    dependencies=[Fresh],
    path="/campaigns/{campaign_id}",
    response_model=CampaignAnalytics,
    summary="Funnel, rates, skipped and failed by reason, time to first reply of one campaign",
)
def get_campaign_analytics(campaign_id: IdPath, db: SessionDep, principal: PrincipalDep) -> dict:
    return service.campaign_analytics(
        db=db, workspace_id=principal.workspace_id, campaign_id=campaign_id
    )


@router.get(
    "/live",
    response_model=dict[str, Progress],
    summary="Progress of running and paused campaigns, live from the messages table",
)
def get_live_progress(db: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    ids = service.live_campaign_ids(db=db, workspace_id=principal.workspace_id)
    return {str(k): v for k, v in service.live_progress(db=db, campaign_ids=ids).items()}


@router.get(
    dependencies=[Fresh],
    path="/messages/timeline",
    response_model=list[TimelinePoint],
    summary="Messages per day of the workspace's time zone for the last N days",
)
def get_timeline(db: SessionDep, principal: PrincipalDep, days: Days = 7) -> list[dict]:
    return service.timeline(db=db, workspace_id=principal.workspace_id, days=days)


@router.get(
    dependencies=[Fresh],
    path="/engagement",
    summary="Reply-time percentiles, reads and replies by hour and weekday, best sending hours",
)
def get_engagement(db: SessionDep, principal: PrincipalDep, days: Days = 30) -> dict[str, Any]:
    return performance.engagement(db=db, workspace_id=principal.workspace_id, days=days)


@router.get(
    dependencies=[Fresh],
    path="/top-performers",
    summary="Campaigns, numbers, templates, drip steps and AI-rewritten vs original text, "
    "ranked by the lower bound of their response rate's 95% interval",
)
def get_top_performers(
    db: SessionDep,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    min_sample: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> dict[str, Any]:
    return performance.top_performers(
        db=db, workspace_id=principal.workspace_id, limit=limit, min_sample=min_sample
    )


@router.get(
    dependencies=[Fresh],
    path="/senders",
    summary="Sender-number health: warm-up, cap use, failures, risk",
)
def get_sender_health(db: SessionDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    return performance.sender_health(db=db, workspace_id=principal.workspace_id)


@router.get("/hot-leads", response_model=list[HotLead], summary="Contacts with the top lead score")
def get_hot_leads(
    db: SessionDep, principal: PrincipalDep, limit: Annotated[int, Query(ge=1, le=100)] = 10
) -> list[dict]:
    return service.hot_leads(db=db, workspace_id=principal.workspace_id, limit=limit)


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


@router.post(
    "/daily-reports",
    response_model=DailyReportOut,
    status_code=status.HTTP_201_CREATED,
    summary="Generate (or regenerate) a daily report now; default: today so far",
)
def create_daily_report(
    db: SessionDep, principal: PrincipalDep, body: DailyReportRequest | None = None
) -> dict:
    from app.analytics import rollup

    tz = service.zone_of(db=db, workspace_id=principal.workspace_id)
    today = utcnow().astimezone(tz).date()
    day = body.date if body and body.date else today
    reports.check_day(day, today)
    rollup.refresh(db=db)  # a report made now includes every change up to now
    data = reports.store(db=db, workspace_id=principal.workspace_id, day=day)
    db.commit()
    return {"report_date": day.isoformat(), "data": data}


@router.get(
    "/daily-reports/{report_date}",
    summary="One daily report as JSON, CSV or a printable HTML page with its charts",
    response_model=None,
)
def get_daily_report(
    report_date: date,
    request: Request,
    db: SessionDep,
    principal: PrincipalDep,
    format: Literal["json", "csv", "html"] = "json",
) -> Any:
    data = reports.get(db=db, workspace_id=principal.workspace_id, day=report_date)
    if data is None:
        raise NotFound("Daily report", report_date.isoformat())
    if format == "csv":
        return PlainTextResponse(
            reports.to_csv(data),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="report-{report_date}.csv"'},
        )
    if format == "html":
        from app.workspaces.models import Workspace

        name = db.get(Workspace, principal.workspace_id).name
        return HTMLResponse(reports.to_html(data, workspace=name, base_url=str(request.base_url)))
    return {"report_date": report_date.isoformat(), "data": data}
