"""One message with its event timeline (`GET /messages/{id}`)."""

from __future__ import annotations

from fastapi import APIRouter

from app.core.schemas import IdPath
from app.messaging import service
from app.messaging.schemas import MessageDetail, MessageEventOut, MessageOut
from app.workspaces.deps import PrincipalDep, SessionDep

router = APIRouter(prefix="/messages", tags=["messages"])


@router.get(
    "/{message_id}",
    response_model=MessageDetail,
    summary="One message, either direction, with its timeline (every status change and why)",
)
def get_message(message_id: IdPath, db: SessionDep, principal: PrincipalDep) -> MessageDetail:
    message = service.get_message(db=db, workspace_id=principal.workspace_id, message_id=message_id)
    events = [
        MessageEventOut.model_validate(e) for e in service.timeline(db=db, message_id=message.id)
    ]
    return MessageDetail(**MessageOut.model_validate(message).model_dump(), events=events)
