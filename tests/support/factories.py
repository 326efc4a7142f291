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


def make_contact(
    db: Session,
    workspace_id: int,
    phone: str,
    *,
    name: str | None = "Test Contact",
    opted_in: bool = True,
    last_inbound_minutes_ago: float | None = None,
    **fields,
):
    """A contact row written directly (phone must already be E.164)."""
    from datetime import timedelta

    from app.contacts.models import Contact
    from app.core.db import utcnow

    now = utcnow()
    contact = Contact(
        workspace_id=workspace_id,
        phone=phone,
        name=name,
        opted_in_at=now if opted_in else None,
        opt_in_source="test" if opted_in else None,
        last_inbound_at=(
            now - timedelta(minutes=last_inbound_minutes_ago)
            if last_inbound_minutes_ago is not None
            else None
        ),
        **fields,
    )
    db.add(contact)
    db.commit()
    return contact


def make_sender(
    db: Session,
    workspace_id: int,
    phone_number_id: str = "100000000000001",
    *,
    access_token: str | None = "test-access-token",
    provider: str = "cloud_api",
    **fields,
):
    """A sender number; its token is encrypted exactly as the service stores it."""
    from app.core.security import encrypt_secret
    from app.senders.models import SenderNumber

    sender = SenderNumber(
        workspace_id=workspace_id,
        name=fields.pop("name", f"Sender {phone_number_id}"),
        phone_number_id=phone_number_id,
        provider=provider,
        access_token_encrypted=encrypt_secret(access_token) if access_token else None,
        **fields,
    )
    db.add(sender)
    db.commit()
    return sender


def make_template(
    db: Session,
    workspace_id: int,
    name: str = "order_update",
    *,
    body: str = "Hello {{1}}, your order {{2}} is ready.",
    status: str = "APPROVED",
    language: str = "en_US",
    category: str = "UTILITY",
):
    from app.templates.models import Template

    template = Template(
        workspace_id=workspace_id,
        name=name,
        language=language,
        category=category,
        body=body,
        status=status,
    )
    db.add(template)
    db.commit()
    return template
