"""Small builders for test data, going through the real services."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session


@dataclass
class WorkspaceFixture:
    id: int
    api_key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}


def make_workspace(db: Session, name: str) -> WorkspaceFixture:
    from app.workspaces import service

    ws = service.create_workspace(db=db, name=name)
    issued = service.issue_key(db=db, workspace_id=ws.id)
    db.commit()
    return WorkspaceFixture(id=ws.id, api_key=issued.secret)
