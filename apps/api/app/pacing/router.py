"""`GET /phone-numbers/{id}/status`: warm-up day, caps and what is left of them now.

Served by pacing, which owns the windows it reports; mounted right after the senders router so
the route keeps its place under /phone-numbers."""

from __future__ import annotations

from fastapi import APIRouter

from app.core.schemas import IdPath
from app.pacing import service
from app.senders import service as senders
from app.senders.schemas import SenderStatusOut
from app.workspaces.deps import PrincipalDep, SessionDep

router = APIRouter(prefix="/phone-numbers", tags=["phone numbers"])


@router.get(
    "/{sender_id}/status",
    response_model=SenderStatusOut,
    summary="Warm-up day, effective caps and what is left of them now",
)
def phone_number_status(
    sender_id: IdPath, db: SessionDep, principal: PrincipalDep
) -> SenderStatusOut:
    sender = senders.get_sender(db=db, workspace_id=principal.workspace_id, sender_id=sender_id)
    return service.quota_status(db=db, sender=sender)
