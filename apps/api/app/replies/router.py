"""Review inbox (`/inbox`) and auto-response configuration (`/auto-responses`)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, status

from app.campaigns import events
from app.campaigns import service as campaigns
from app.core.pagination import CursorQuery
from app.core.schemas import BIGINT_MAX, IdPath
from app.replies import inbox, service
from app.replies.schemas import (
    AutoResponsesOut,
    IntentName,
    ReplySettingsIn,
    ReplySettingsOut,
    ResolveAction,
    ReviewItemOut,
    ReviewPage,
    ReviewReason,
    RuleIn,
    RuleOut,
)
from app.workspaces.deps import PrincipalDep, SessionDep

router = APIRouter(tags=["replies"])

IntentPath = Annotated[IntentName, Path(description="Intent, e.g. pricing")]


@router.get(
    "/inbox",
    response_model=ReviewPage,
    summary="Replies that need a person, newest first (cursor pagination; `total` counts all)",
)
def list_inbox(
    db: SessionDep,
    principal: PrincipalDep,
    state: Annotated[
        Literal["open", "handled", "all"], Query(description="open (default), handled or all")
    ] = "open",
    intent: IntentName | None = None,
    reason: ReviewReason | None = None,
    campaign_id: Annotated[int | None, Query(ge=1, le=BIGINT_MAX)] = None,
    cursor: CursorQuery = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ReviewPage:
    if campaign_id is not None:  # another workspace's campaign is a 404, like a missing one
        campaigns.get_campaign(db=db, workspace_id=principal.workspace_id, campaign_id=campaign_id)
    items, total, token = inbox.list_items(
        db=db,
        workspace_id=principal.workspace_id,
        state=None if state == "all" else state,
        intent=intent,
        reason=reason,
        campaign_id=campaign_id,
        cursor=cursor,
        limit=limit,
    )
    return ReviewPage(items=items, total=total, next_cursor=token)


@router.get("/inbox/{item_id}", response_model=ReviewItemOut, summary="One review item")
def get_inbox_item(item_id: IdPath, db: SessionDep, principal: PrincipalDep) -> ReviewItemOut:
    return inbox.get_item(db=db, workspace_id=principal.workspace_id, item_id=item_id)


@router.post(
    "/inbox/{item_id}/resolve",
    response_model=ReviewItemOut,
    summary="Resolve: reply (inside the 24 h window, sent by the engine), mark handled, "
    "correct the intent (a training example), or opt the contact out",
)
def resolve_inbox_item(
    item_id: IdPath,
    action: ResolveAction,
    db: SessionDep,
    principal: PrincipalDep,
) -> ReviewItemOut:
    done = inbox.resolve(db=db, workspace_id=principal.workspace_id, item_id=item_id, action=action)
    db.commit()
    if done.wake_sender is not None:
        events.sender_ready(done.wake_sender)
    return done.item


def _auto_out(db: SessionDep, workspace_id: int) -> AutoResponsesOut:
    cfg = service.get_settings(db=db, workspace_id=workspace_id)
    return AutoResponsesOut(
        settings=ReplySettingsOut.model_validate(cfg),
        rules=[
            RuleOut.model_validate(r) for r in service.list_rules(db=db, workspace_id=workspace_id)
        ],
    )


@router.get(
    "/auto-responses",
    response_model=AutoResponsesOut,
    summary="Auto-response settings and the rule per intent",
)
def get_auto_responses(db: SessionDep, principal: PrincipalDep) -> AutoResponsesOut:
    return _auto_out(db, principal.workspace_id)


@router.patch(
    "/auto-responses/settings",
    response_model=ReplySettingsOut,
    summary="Change the auto-response settings (only the fields given)",
)
def update_auto_response_settings(
    body: ReplySettingsIn, db: SessionDep, principal: PrincipalDep
) -> ReplySettingsOut:
    cfg = service.update_settings(db=db, workspace_id=principal.workspace_id, data=body)
    db.commit()
    return ReplySettingsOut.model_validate(cfg)


@router.put(
    "/auto-responses/rules/{intent}",
    response_model=RuleOut,
    summary="Set the answer to one intent (null response: answer nothing, no review)",
)
def put_auto_response_rule(
    intent: IntentPath, body: RuleIn, db: SessionDep, principal: PrincipalDep
) -> RuleOut:
    rule = service.put_rule(db=db, workspace_id=principal.workspace_id, intent=intent, data=body)
    db.commit()
    return RuleOut.model_validate(rule)


@router.delete(
    "/auto-responses/rules/{intent}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove the rule: replies with this intent go to the inbox",
)
def delete_auto_response_rule(intent: IntentPath, db: SessionDep, principal: PrincipalDep) -> None:
    service.delete_rule(db=db, workspace_id=principal.workspace_id, intent=intent)
    db.commit()
