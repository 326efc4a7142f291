"""A contact's conversation (`GET /contacts/{id}/messages`): both directions, newest first.

Here rather than in messaging: answering 404 for another workspace's contact needs the
contact, and contacts sit above messaging (docs/architecture.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.contacts import service
from app.core.pagination import CursorQuery
from app.core.schemas import IdPath
from app.messaging import service as messages
from app.messaging.schemas import DirectionFilter, MessageOut, MessagePage
from app.workspaces.deps import PrincipalDep, SessionDep

router = APIRouter(prefix="/contacts", tags=["contacts"])


@router.get(
    "/{contact_id}/messages",
    response_model=MessagePage,
    summary="The contact's whole conversation, both directions, newest first (cursor pages)",
)
def contact_messages(
    contact_id: IdPath,
    db: SessionDep,
    principal: PrincipalDep,
    direction: DirectionFilter | None = None,
    cursor: CursorQuery = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> MessagePage:
    contact = service.get_contact(db=db, workspace_id=principal.workspace_id, contact_id=contact_id)
    items, token = messages.conversation(
        db=db,
        workspace_id=principal.workspace_id,
        contact_id=contact.id,
        direction=direction,
        cursor=cursor,
        limit=limit,
    )
    return MessagePage(items=[MessageOut.model_validate(m) for m in items], next_cursor=token)
