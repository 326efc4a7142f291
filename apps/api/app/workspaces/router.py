from __future__ import annotations

from fastapi import APIRouter, status

from app.core.schemas import IdPath
from app.workspaces import service
from app.workspaces.deps import AdminDep, PrincipalDep, SessionDep
from app.workspaces.schemas import (
    ApiKeyCreate,
    ApiKeyIssued,
    ApiKeyOut,
    WorkspaceOut,
    WorkspaceUpdate,
)

router = APIRouter(prefix="/workspace", tags=["workspace"])


@router.get("", response_model=WorkspaceOut, summary="The workspace of the calling key")
def get_current_workspace(db: SessionDep, principal: PrincipalDep) -> WorkspaceOut:
    ws = service.get_workspace(db=db, workspace_id=principal.workspace_id)
    return WorkspaceOut.model_validate(ws)


@router.patch("", response_model=WorkspaceOut, summary="Rename the workspace or set its time zone")
def update_current_workspace(
    body: WorkspaceUpdate, db: SessionDep, principal: PrincipalDep
) -> WorkspaceOut:
    ws = service.update_workspace(
        db=db, workspace_id=principal.workspace_id, name=body.name, timezone=body.timezone
    )
    db.commit()
    return WorkspaceOut.model_validate(ws)


@router.get("/api-keys", response_model=list[ApiKeyOut], summary="List API keys (prefix only)")
def list_api_keys(db: SessionDep, principal: AdminDep) -> list[ApiKeyOut]:
    keys = service.list_keys(db=db, workspace_id=principal.workspace_id)
    return [ApiKeyOut.model_validate(k) for k in keys]


@router.post(
    "/api-keys",
    response_model=ApiKeyIssued,
    status_code=status.HTTP_201_CREATED,
    summary="Create an API key; the secret is returned once",
)
def create_api_key(body: ApiKeyCreate, db: SessionDep, principal: AdminDep) -> ApiKeyIssued:
    issued = service.issue_key(
        db=db, workspace_id=principal.workspace_id, name=body.name, role=body.role
    )
    db.commit()
    return ApiKeyIssued(
        **ApiKeyOut.model_validate(issued.api_key).model_dump(), api_key=issued.secret
    )


@router.post("/api-keys/{key_id}/revoke", response_model=ApiKeyOut, summary="Revoke an API key")
def revoke_api_key(key_id: IdPath, db: SessionDep, principal: AdminDep) -> ApiKeyOut:
    key = service.revoke_key(db=db, workspace_id=principal.workspace_id, key_id=key_id)
    db.commit()
    return ApiKeyOut.model_validate(key)
