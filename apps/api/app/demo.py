"""Demo data for a first run: a "Demo" workspace, a sandbox sender, a few opted-in contacts and
an APPROVED template.

The contacts never wrote to us, so free-form text to them is skipped (outside the 24 h window);
the approved template is what lets a new user's first campaign actually go out.

Idempotent: running it again finds what exists and adds only what is missing. Everything goes
through the domain services, so the demo rows obey the same rules as rows made through the API.
Callers commit.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from app.contacts import service as contacts
from app.contacts.models import Contact
from app.contacts.schemas import ContactCreate
from app.senders import service as senders
from app.senders.models import SenderNumber
from app.senders.schemas import SenderCreate
from app.templates import service as templates
from app.templates.models import Template
from app.templates.schemas import TemplateCreate
from app.workspaces import service as workspaces
from app.workspaces.models import Workspace

DEMO_WORKSPACE = "Demo"
DEMO_KEY_NAME = "demo"
DEMO_SENDER_ID = "sandbox-demo"  # Cloud API phone_number_id of the simulated number
DEMO_SENDER_PHONE = "+14155550199"
# 555-01xx numbers are reserved for fiction: valid to libphonenumber, owned by nobody.
DEMO_CONTACTS = (
    ("+14155550100", "Ada Lovelace"),
    ("+14155550101", "Grace Hopper"),
    ("+14155550102", "Alan Turing"),
)
DEMO_TEMPLATE = TemplateCreate(
    name="welcome_offer",
    language="en_US",
    category="MARKETING",
    body="Hi {{1}}, thanks for joining! Reply YES for our latest offers.",
    status="APPROVED",  # allowed for sandbox use; a real number needs Meta's approval
)


@dataclass(frozen=True)
class DemoData:
    workspace: Workspace
    sender: SenderNumber
    contacts: list[Contact]
    api_key: str
    key_is_new: bool
    template: Template


def ensure_workspace(*, db: Session) -> Workspace:
    existing = [w for w in workspaces.list_workspaces(db=db) if w.name == DEMO_WORKSPACE]
    return existing[0] if existing else workspaces.create_workspace(db=db, name=DEMO_WORKSPACE)


def ensure_sender(*, db: Session, workspace_id: int) -> SenderNumber:
    for sender in senders.list_senders(db=db, workspace_id=workspace_id):
        if sender.phone_number_id == DEMO_SENDER_ID:
            return sender
    data = SenderCreate(
        name="Demo sandbox number",
        phone_number_id=DEMO_SENDER_ID,
        display_phone=DEMO_SENDER_PHONE,
        provider="sandbox",
    )
    return senders.create_sender(db=db, workspace_id=workspace_id, data=data)


def ensure_contacts(*, db: Session, workspace_id: int) -> list[Contact]:
    rows = []
    for phone, name in DEMO_CONTACTS:
        contact = contacts.find_by_phone(db=db, workspace_id=workspace_id, phone=phone)
        if contact is None:
            data = ContactCreate(phone=phone, name=name, opted_in=True, opt_in_source="demo")
            contact = contacts.create_contact(db=db, workspace_id=workspace_id, data=data)
        rows.append(contact)
    return rows


def ensure_template(*, db: Session, workspace_id: int) -> Template:
    found = templates.list_templates(
        db=db, workspace_id=workspace_id, name=DEMO_TEMPLATE.name, language=DEMO_TEMPLATE.language
    )
    if found:
        return found[0]
    return templates.create_template(db=db, workspace_id=workspace_id, data=DEMO_TEMPLATE)


def ensure_api_key(*, db: Session, workspace_id: int, key_file: Path | None) -> tuple[str, bool]:
    """The demo key saved in `key_file` if it still works for this workspace, else a new one.

    Only the hash lives in the database, so the secret is kept (mode 0600) in the local data
    directory; that way every `agent run` prints the same working key.
    """
    if key_file is not None and key_file.is_file():
        saved = key_file.read_text().strip()
        key = workspaces.authenticate(db=db, secret=saved) if saved else None
        if key is not None and key.workspace_id == workspace_id:
            return saved, False
    issued = workspaces.issue_key(db=db, workspace_id=workspace_id, name=DEMO_KEY_NAME)
    if key_file is not None:
        key_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(issued.secret + "\n")
    return issued.secret, True


def ensure_demo(*, db: Session, key_file: Path | None) -> DemoData:
    workspace = ensure_workspace(db=db)
    sender = ensure_sender(db=db, workspace_id=workspace.id)
    contacts = ensure_contacts(db=db, workspace_id=workspace.id)
    template = ensure_template(db=db, workspace_id=workspace.id)
    api_key, is_new = ensure_api_key(db=db, workspace_id=workspace.id, key_file=key_file)
    return DemoData(workspace, sender, contacts, api_key, is_new, template)
