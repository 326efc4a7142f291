"""`POST /ai/score-lead`, `GET /ai/hot-leads`, `POST /ai/lead-scores/refresh`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.ai.common import requires
from app.ai.leads import service
from app.ai.leads.schemas import HotLead, LeadScoreOut, RescoreOut, ScoreLeadRequest
from app.core.db import utcnow
from app.workspaces.deps import PrincipalDep, SessionDep

router = APIRouter()
ENABLED = requires("AI_LEAD_SCORING_ENABLED", "Lead scoring")


@router.post(
    "/score-lead",
    response_model=LeadScoreOut,
    summary="Score one contact now (stored on the contact) with an explanation that adds up",
    **ENABLED,
)
def score_lead(body: ScoreLeadRequest, db: SessionDep, principal: PrincipalDep) -> LeadScoreOut:
    now = utcnow()
    result = service.score_contact(
        db=db, workspace_id=principal.workspace_id, contact_id=body.contact_id, now=now
    )
    db.commit()
    return LeadScoreOut.build(body.contact_id, result, now)


@router.get(
    "/hot-leads",
    response_model=list[HotLead],
    summary="Contacts with a stored score at or above the threshold, best first",
    **ENABLED,
)
def hot_leads(
    db: SessionDep,
    principal: PrincipalDep,
    threshold: Annotated[int, Query(ge=0, le=100)] = 70,
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
) -> list[HotLead]:
    contacts = service.hot_leads(
        db=db, workspace_id=principal.workspace_id, threshold=threshold, limit=limit
    )
    return [
        HotLead(
            contact_id=c.id,
            name=c.name,
            phone=c.phone,
            lead_score=c.lead_score or 0,
            lead_tier=c.lead_tier,
            lead_scored_at=c.lead_scored_at,
        )
        for c in contacts
    ]


@router.post(
    "/lead-scores/refresh",
    response_model=RescoreOut,
    summary="Rescore the workspace's contacts now (what update_lead_scores does periodically)",
    **ENABLED,
)
def refresh_lead_scores(db: SessionDep, principal: PrincipalDep) -> RescoreOut:
    changed = service.rescore_workspace(db=db, workspace_id=principal.workspace_id)
    db.commit()
    return RescoreOut(rescored=changed)
