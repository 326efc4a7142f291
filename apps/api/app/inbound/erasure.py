"""Erasure of a contact, inbound's part: stored webhook deliveries that carry its number.

A processed delivery has done its work (statuses applied, replies stored); its raw payload
(numbers, profile names, message texts) is replaced by a marker. An unprocessed one is left
alone: processing it is what records the statuses the erasure promises to keep.
"""

from __future__ import annotations

from sqlalchemy import Text, cast, update
from sqlalchemy.orm import Session

from app.inbound.models import WebhookEvent

REDACTED = {"redacted": "contact_erased"}


def redact_webhook_events(db: Session, workspace_id: int, phone: str) -> None:
    digits = phone.lstrip("+")
    if not digits.isdigit():
        return
    db.execute(
        update(WebhookEvent)
        .where(
            WebhookEvent.workspace_id == workspace_id,
            WebhookEvent.processed_at.is_not(None),
            cast(WebhookEvent.payload, Text).contains(digits, autoescape=True),
        )
        .values(payload=REDACTED)
        .execution_options(synchronize_session=False)
    )
