"""Campaigns (`/campaigns`): create, list, read, and start/pause/resume/cancel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from app.campaigns import service
from app.campaigns.models import Campaign
from app.campaigns.schemas import (
    CampaignCreate,
    CampaignCreated,
    CampaignDetail,
    CampaignOut,
    CampaignPage,
    StatusFilter,
)
from app.core.schemas import BIGINT_MAX
from app.workspaces.deps import PrincipalDep, SessionDep

router = APIRouter(prefix="/campaigns", tags=["campaigns"])

CampaignId = Annotated[int, Path(ge=1, le=BIGINT_MAX, description="Campaign id")]


def _out(db: SessionDep, campaign: Campaign) -> CampaignOut:
    return CampaignOut.build(
        campaign,
        recipient_count=len(campaign.contact_ids),
        steps=service.get_steps(db=db, campaign_id=campaign.id),
    )


@router.post(
    "",
    response_model=CampaignCreated,
    status_code=status.HTTP_201_CREATED,
    summary="Create a broadcast or drip campaign (validated in full; starts as draft/scheduled)",
)
def create_campaign(
    body: CampaignCreate, db: SessionDep, principal: PrincipalDep
) -> CampaignCreated:
    created = service.create_campaign(db=db, workspace_id=principal.workspace_id, data=body)
    db.commit()
    return CampaignCreated.build(
        created.campaign,
        recipient_count=len(created.campaign.contact_ids),
        steps=created.steps,
        audience=created.audience,
    )


@router.get("", response_model=CampaignPage, summary="List campaigns, newest first")
def list_campaigns(
    db: SessionDep,
    principal: PrincipalDep,
    status: StatusFilter | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=BIGINT_MAX)] = 0,
) -> CampaignPage:
    rows, total = service.list_campaigns(
        db=db, workspace_id=principal.workspace_id, status=status, limit=limit, offset=offset
    )
    items = [CampaignOut.build(c, recipient_count=n) for c, n in rows]
    return CampaignPage(items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/{campaign_id}",
    response_model=CampaignDetail,
    summary="One campaign with its audience now and message counts by status",
)
def get_campaign(
    campaign_id: CampaignId, db: SessionDep, principal: PrincipalDep
) -> CampaignDetail:
    campaign = service.get_campaign(
        db=db, workspace_id=principal.workspace_id, campaign_id=campaign_id
    )
    return CampaignDetail.build(
        campaign,
        recipient_count=len(campaign.contact_ids),
        steps=service.get_steps(db=db, campaign_id=campaign.id),
        audience=service.campaign_audience(db=db, campaign=campaign),
        message_counts=service.message_counts(db=db, campaign_id=campaign.id),
        enrollment_counts=service.enrollment_counts(db=db, campaign_id=campaign.id),
    )


def _transition_route(verb: str, *, summary: str, notify: bool) -> None:
    """Register `POST /{campaign_id}/{verb}`: the four state changes differ only in the
    service call, the summary and whether the dispatcher is woken after the commit."""

    def route(campaign_id: CampaignId, db: SessionDep, principal: PrincipalDep) -> CampaignOut:
        change = getattr(service, f"{verb}_campaign")
        campaign = change(db=db, workspace_id=principal.workspace_id, campaign_id=campaign_id)
        db.commit()
        if verb == "start":
            service.notify_started(campaign=campaign)
        elif notify:
            service.notify_dispatch(sender_id=campaign.sender_id)
        return _out(db, campaign)

    route.__name__ = route.__qualname__ = f"{verb}_campaign"  # keeps the OpenAPI operationId
    router.post(f"/{{campaign_id}}/{verb}", response_model=CampaignOut, summary=summary)(route)


_transition_route(
    "start",
    summary="Start now: queue one message (broadcast) or enrollment (drip) per recipient",
    notify=True,
)
_transition_route(
    "pause", summary="Pause: no further message is claimed until resumed", notify=False
)
_transition_route("resume", summary="Resume a paused campaign", notify=True)
_transition_route(
    "cancel",
    summary="Cancel: queued messages become cancelled, active drip enrollments stop",
    notify=False,
)
