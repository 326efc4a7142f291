"""A campaign's messages per recipient (`GET /campaigns/{id}/messages`, `…/messages/export`).

Here, next to the campaign routes: answering 404 for another workspace's campaign needs the
campaign, and the rows carry the recipient's name and phone (contacts, below campaigns)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from app.campaigns import recipients, service
from app.core.db import get_sessionmaker
from app.core.pagination import CursorQuery
from app.core.schemas import IdPath
from app.messaging.schemas import OutboundStatus, RecipientPage
from app.workspaces.deps import PrincipalDep, SessionDep

router = APIRouter(prefix="/campaigns", tags=["campaigns"])


@router.get(
    "/{campaign_id}/messages",
    response_model=RecipientPage,
    summary="Per-recipient status, failure code and reason, reply and its intent "
    "(newest first, cursor pages)",
)
def campaign_messages(
    campaign_id: IdPath,
    db: SessionDep,
    principal: PrincipalDep,
    status: OutboundStatus | None = None,
    cursor: CursorQuery = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> RecipientPage:
    campaign = service.get_campaign(
        db=db, workspace_id=principal.workspace_id, campaign_id=campaign_id
    )
    items, token = recipients.recipient_page(
        db=db, campaign_id=campaign.id, status=status, cursor=cursor, limit=limit
    )
    return RecipientPage(items=items, next_cursor=token)


@router.get(
    "/{campaign_id}/messages/export",
    response_class=StreamingResponse,
    summary="The same rows as CSV (every recipient, oldest first)",
)
def export_campaign_messages(
    campaign_id: IdPath,
    db: SessionDep,
    principal: PrincipalDep,
    status: OutboundStatus | None = None,
) -> StreamingResponse:
    campaign = service.get_campaign(
        db=db, workspace_id=principal.workspace_id, campaign_id=campaign_id
    )

    def body() -> Iterator[str]:
        # Own session: it must outlive the request handler while the body streams.
        with get_sessionmaker()() as session:
            yield from recipients.export_csv(db=session, campaign_id=campaign.id, status=status)

    name = f"campaign-{campaign.id}-messages.csv"
    return StreamingResponse(
        body(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
