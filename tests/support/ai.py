"""Test data for the AI tests: message history written straight into `messages`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.orm import Session

from app.core.db import utcnow


def add_outbound(
    db: Session,
    workspace_id: int,
    sender_id: int | None,
    contact_ids: Sequence[int],
    bodies: Sequence[str] | str,
    *,
    sent_at: datetime | None = None,
    spacing: timedelta = timedelta(seconds=10),
    status: str = "delivered",
    error_code: str | None = None,
    read: bool = False,
) -> None:
    """One outbound message per contact id (bodies cycle), sent `spacing` apart ending at
    `sent_at` (default now)."""
    from app.messaging.models import Message

    end = sent_at or utcnow()
    texts = [bodies] if isinstance(bodies, str) else list(bodies)
    n = len(contact_ids)
    rows = []
    for i, contact_id in enumerate(contact_ids):
        at = end - spacing * (n - 1 - i)
        failed = status == "failed"
        rows.append(
            {
                "workspace_id": workspace_id,
                "contact_id": contact_id,
                "sender_id": sender_id,
                "direction": "outbound",
                "type": "text",
                "body": texts[i % len(texts)],
                "payload": {},
                "status": status,
                "error_code": error_code,
                "attempts": 1,
                "claimed_at": at,
                "sent_at": None if failed else at,
                "failed_at": at if failed else None,
                "read_at": at + timedelta(minutes=1) if read else None,
                "created_at": at,
                "updated_at": at,
            }
        )
    if rows:
        db.execute(insert(Message), rows)
    db.commit()


def add_inbound(
    db: Session,
    workspace_id: int,
    contact_id: int,
    body: str,
    *,
    at: datetime | None = None,
    intent: str | None = None,
) -> None:
    from app.messaging.models import Message

    when = at or utcnow()
    db.add(
        Message(
            workspace_id=workspace_id,
            contact_id=contact_id,
            direction="inbound",
            status="received",
            body=body,
            received_at=when,
            intent=intent,
            created_at=when,
            updated_at=when,
        )
    )
    db.commit()
