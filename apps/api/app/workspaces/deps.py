"""Request dependencies: the DB session, the authenticated workspace and the key's role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from app.core.db import get_db
from app.core.enums import KeyRole
from app.core.errors import Forbidden, Unauthorized
from app.workspaces import service as workspace_service

SessionDep = Annotated[Session, Depends(get_db)]

_bearer = HTTPBearer(auto_error=False, description="API key: `Authorization: Bearer swa_…`")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Principal:
    workspace_id: int
    api_key_id: int
    role: str = KeyRole.ADMIN


def get_principal(
    request: Request,
    db: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized("Missing bearer API key")
    key = workspace_service.authenticate(db=db, secret=credentials.credentials)
    if key is None:
        raise Unauthorized("Invalid or revoked API key")
    if key.role == KeyRole.READ and request.method not in SAFE_METHODS:
        raise Forbidden("This API key has the read role: it can only read (GET)")
    return Principal(workspace_id=key.workspace_id, api_key_id=key.id, role=key.role)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_admin(principal: PrincipalDep) -> Principal:
    """Keys and sender numbers (whose tokens send on the business's behalf) are admin-only."""
    if principal.role != KeyRole.ADMIN:
        raise Forbidden(
            f"This API key has the {principal.role} role; managing API keys and sender "
            "numbers needs an admin key"
        )
    return principal


require_admin.required_role = KeyRole.ADMIN.value  # type: ignore[attr-defined]  # the doc
AdminDep = Annotated[Principal, Depends(require_admin)]
