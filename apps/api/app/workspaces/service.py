"""Workspaces and their API keys. Callers commit."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.core.db import utcnow
from app.core.enums import KeyRole
from app.core.errors import NotFound
from app.core.security import generate_api_key, hash_api_key, key_prefix
from app.workspaces.models import ApiKey, Workspace


@dataclass(frozen=True)
class IssuedKey:
    api_key: ApiKey
    secret: str  # shown once, never stored


def create_workspace(*, db: Session, name: str) -> Workspace:
    workspace = Workspace(name=name)
    db.add(workspace)
    db.flush()
    return workspace


def get_workspace(*, db: Session, workspace_id: int) -> Workspace:
    workspace = db.get(Workspace, workspace_id)
    if workspace is None:
        raise NotFound("Workspace", workspace_id)
    return workspace


def update_workspace(
    *, db: Session, workspace_id: int, name: str | None = None, timezone: str | None = None
) -> Workspace:
    """Rename or move the workspace to another time zone. Analytics days follow at once: the
    rollups are kept in UTC quarter-hours; engagement's local-time rollup notices the new zone
    and is rebuilt by the next refresh (docs/analytics.md)."""
    workspace = get_workspace(db=db, workspace_id=workspace_id)
    if name is not None:
        workspace.name = name
    if timezone is not None:
        workspace.timezone = timezone
    db.flush()
    return workspace


def list_workspaces(*, db: Session) -> list[Workspace]:
    return list(db.scalars(select(Workspace).order_by(Workspace.id)))


def issue_key(
    *, db: Session, workspace_id: int, name: str = "default", role: str = KeyRole.ADMIN
) -> IssuedKey:
    secret = generate_api_key()
    key = ApiKey(
        workspace_id=workspace_id,
        name=name,
        role=KeyRole(role),
        prefix=key_prefix(secret),
        key_hash=hash_api_key(secret),
        created_at=utcnow(),
    )
    db.add(key)
    db.flush()
    return IssuedKey(api_key=key, secret=secret)


def list_keys(*, db: Session, workspace_id: int) -> list[ApiKey]:
    stmt = select(ApiKey).where(ApiKey.workspace_id == workspace_id).order_by(ApiKey.id)
    return list(db.scalars(stmt))


def revoke_key(*, db: Session, workspace_id: int, key_id: int) -> ApiKey:
    key = db.get(ApiKey, key_id)
    if key is None or key.workspace_id != workspace_id:
        raise NotFound("API key", key_id)
    if key.revoked_at is None:
        key.revoked_at = utcnow()
    return key


def authenticate(*, db: Session, secret: str) -> ApiKey | None:
    """The live key for this secret, or None. Touches last_used_at at most once a minute."""
    key = db.scalar(
        select(ApiKey).where(ApiKey.key_hash == hash_api_key(secret), ApiKey.revoked_at.is_(None))
    )
    if key is None:
        return None
    now = utcnow()
    last = key.last_used_at
    if last is None or (now - last).total_seconds() > 60:
        db.execute(update(ApiKey).where(ApiKey.id == key.id).values(last_used_at=now))
        db.commit()
    return key
