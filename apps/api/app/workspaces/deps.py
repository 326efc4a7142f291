"""Request dependencies: the DB session and the authenticated workspace."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from app.core.db import get_db
from app.core.errors import Unauthorized
from app.workspaces import service as workspace_service

SessionDep = Annotated[Session, Depends(get_db)]

_bearer = HTTPBearer(auto_error=False, description="API key: `Authorization: Bearer swa_…`")


@dataclass(frozen=True)
class Principal:
    workspace_id: int
    api_key_id: int


def get_principal(
    db: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized("Missing bearer API key")
    key = workspace_service.authenticate(db=db, secret=credentials.credentials)
    if key is None:
        raise Unauthorized("Invalid or revoked API key")
    return Principal(workspace_id=key.workspace_id, api_key_id=key.id)


PrincipalDep = Annotated[Principal, Depends(get_principal)]
