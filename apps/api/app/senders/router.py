"""Sender numbers (`/phone-numbers`): CRUD and pause/resume (their status: app.pacing.router)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from app.core.enums import SenderStatus
from app.core.schemas import IdPath
from app.senders import service
from app.senders.schemas import (
    SenderCreate,
    SenderOut,
    SenderUpdate,
    StatusChange,
)
from app.workspaces.deps import AdminDep, PrincipalDep, SessionDep

router = APIRouter(prefix="/phone-numbers", tags=["phone numbers"])


@router.post(
    "",
    response_model=SenderOut,
    status_code=status.HTTP_201_CREATED,
    summary="Register a sender number (its access token is stored encrypted, never returned)",
)
def create_phone_number(body: SenderCreate, db: SessionDep, principal: AdminDep) -> SenderOut:
    sender = service.create_sender(db=db, workspace_id=principal.workspace_id, data=body)
    db.commit()
    return SenderOut.from_model(sender)


@router.get("", response_model=list[SenderOut], summary="List sender numbers")
def list_phone_numbers(
    db: SessionDep, principal: PrincipalDep, status: SenderStatus | None = None
) -> list[SenderOut]:
    senders = service.list_senders(db=db, workspace_id=principal.workspace_id, status=status)
    return [SenderOut.from_model(s) for s in senders]


@router.get("/{sender_id}", response_model=SenderOut, summary="One sender number")
def get_phone_number(sender_id: IdPath, db: SessionDep, principal: PrincipalDep) -> SenderOut:
    sender = service.get_sender(db=db, workspace_id=principal.workspace_id, sender_id=sender_id)
    return SenderOut.from_model(sender)


@router.patch(
    "/{sender_id}", response_model=SenderOut, summary="Update a sender number (token rotation)"
)
def update_phone_number(
    sender_id: IdPath, body: SenderUpdate, db: SessionDep, principal: AdminDep
) -> SenderOut:
    sender = service.update_sender(
        db=db, workspace_id=principal.workspace_id, sender_id=sender_id, data=body
    )
    db.commit()
    return SenderOut.from_model(sender)


@router.delete(
    "/{sender_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a sender number (409 while campaigns use it)",
)
def delete_phone_number(sender_id: IdPath, db: SessionDep, principal: AdminDep) -> Response:
    service.delete_sender(db=db, workspace_id=principal.workspace_id, sender_id=sender_id)
    db.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _change_status(
    *, db: SessionDep, principal: PrincipalDep, sender_id: int, to: SenderStatus, reason: str | None
) -> SenderOut:
    sender = service.set_status(
        db=db, workspace_id=principal.workspace_id, sender_id=sender_id, status=to, reason=reason
    )
    db.commit()
    return SenderOut.from_model(sender)


@router.post("/{sender_id}/pause", response_model=SenderOut, summary="Stop sending from a number")
def pause_phone_number(
    sender_id: IdPath, db: SessionDep, principal: AdminDep, body: StatusChange | None = None
) -> SenderOut:
    reason = (body.reason if body else None) or "paused by user"
    return _change_status(
        db=db, principal=principal, sender_id=sender_id, to=SenderStatus.PAUSED, reason=reason
    )


@router.post("/{sender_id}/resume", response_model=SenderOut, summary="Resume sending")
def resume_phone_number(
    sender_id: IdPath, db: SessionDep, principal: AdminDep, body: StatusChange | None = None
) -> SenderOut:
    reason = body.reason if body else None
    return _change_status(
        db=db, principal=principal, sender_id=sender_id, to=SenderStatus.ACTIVE, reason=reason
    )
