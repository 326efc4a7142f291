"""Message templates (`/templates`): CRUD and sync from Meta."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Response, status

from app.core.enums import TemplateStatus
from app.core.errors import AppError
from app.core.routing import segment_except
from app.core.schemas import IdPath, Text
from app.senders.service import get_sender
from app.templates import service as service
from app.templates.schemas import (
    TemplateCreate,
    TemplateOut,
    TemplateSyncRequest,
    TemplateUpdate,
)
from app.templates.sync import sync_templates as run_sync
from app.workspaces.deps import PrincipalDep, SessionDep

log = logging.getLogger(__name__)
router = APIRouter(prefix="/templates", tags=["templates"])
segment_except("template_ref", "sync")  # `{template_id:template_ref}` below
SYNC_FAILED = "Cloud API template sync failed: Meta could not be reached or answered with an error"


@router.post(
    "/sync",
    summary="Pull the templates (and their review status) from Meta for a sender's WABA",
)
async def sync_templates(
    body: TemplateSyncRequest, db: SessionDep, principal: PrincipalDep
) -> dict[str, Any]:
    sender = get_sender(db=db, workspace_id=principal.workspace_id, sender_id=body.phone_number_id)
    try:
        result = await run_sync(db=db, workspace_id=principal.workspace_id, sender=sender)
    except AppError as exc:
        if exc.status_code != 502:
            raise
        # The upstream text can hold client internals (aiohttp's exception, hosts, ports): it
        # goes to the log; the caller gets a stable message and Meta's numeric code if any.
        log.warning("template sync failed: %s %s", exc.message, exc.errors)
        codes = [e["graph_code"] for e in exc.errors if e.get("graph_code") is not None]
        errors = [{"field": "waba_id", "message": SYNC_FAILED, "graph_code": c} for c in codes]
        raise AppError(SYNC_FAILED, code=exc.code, status_code=502, errors=errors) from exc
    db.commit()
    return result


@router.post(
    "",
    response_model=TemplateOut,
    status_code=status.HTTP_201_CREATED,
    summary="Create a template (PENDING by default; APPROVED allowed for sandbox use)",
)
def create_template(body: TemplateCreate, db: SessionDep, principal: PrincipalDep) -> TemplateOut:
    template = service.create_template(db=db, workspace_id=principal.workspace_id, data=body)
    db.commit()
    return TemplateOut.from_model(template)


@router.get("", response_model=list[TemplateOut], summary="List templates")
def list_templates(
    db: SessionDep,
    principal: PrincipalDep,
    status: TemplateStatus | None = None,
    name: Text | None = None,
    language: Text | None = None,
) -> list[TemplateOut]:
    templates = service.list_templates(
        db=db, workspace_id=principal.workspace_id, status=status, name=name, language=language
    )
    return [TemplateOut.from_model(t) for t in templates]


@router.get("/{template_id:template_ref}", response_model=TemplateOut, summary="One template")
def get_template(template_id: IdPath, db: SessionDep, principal: PrincipalDep) -> TemplateOut:
    template = service.get_template(
        db=db, workspace_id=principal.workspace_id, template_id=template_id
    )
    return TemplateOut.from_model(template)


@router.patch(
    "/{template_id:template_ref}", response_model=TemplateOut, summary="Update status/body/category"
)
def update_template(
    template_id: IdPath, body: TemplateUpdate, db: SessionDep, principal: PrincipalDep
) -> TemplateOut:
    template = service.update_template(
        db=db, workspace_id=principal.workspace_id, template_id=template_id, data=body
    )
    db.commit()
    return TemplateOut.from_model(template)


@router.delete(
    "/{template_id:template_ref}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a template (409 while campaigns use it)",
)
def delete_template(template_id: IdPath, db: SessionDep, principal: PrincipalDep) -> Response:
    service.delete_template(db=db, workspace_id=principal.workspace_id, template_id=template_id)
    db.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
