"""`POST /api/v1/ai/ban-risk`: content risk of a message or pattern risk of a number."""

from __future__ import annotations

from fastapi import APIRouter

from app.ai.common import requires
from app.ai.risk import service
from app.ai.risk.schemas import BanRiskRequest, RiskReport
from app.workspaces.deps import PrincipalDep, SessionDep

router = APIRouter()


@router.post(
    "/ban-risk",
    response_model=RiskReport,
    summary="Ban/quality risk of a message ({message}) or a number ({phone_number_id, hours})",
    **requires("AI_BAN_RISK_DETECTION_ENABLED", "Ban-risk detection"),
)
def ban_risk(body: BanRiskRequest, db: SessionDep, principal: PrincipalDep) -> RiskReport:
    if body.message is not None:
        report = service.assess_message(body.message)
    else:
        report = service.assess_sender(
            db=db,
            workspace_id=principal.workspace_id,
            sender_id=body.phone_number_id,
            hours=body.hours,
        )
    service.record(
        db=db, workspace_id=principal.workspace_id, sender_id=body.phone_number_id, report=report
    )
    db.commit()
    return report
