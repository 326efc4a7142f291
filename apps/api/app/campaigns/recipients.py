"""A campaign's messages per recipient: status, failure code and reason, the reply and its
intent. Pages newest first by cursor; the CSV export streams every row in id chunks."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.contacts.models import Contact
from app.core.enums import Direction
from app.messaging import service as messages
from app.messaging.models import Message
from app.messaging.schemas import RecipientMessageOut, ReplyOut

CSV_CHUNK = 1000
CSV_COLUMNS = (
    "message_id",
    "contact_id",
    "contact_name",
    "contact_phone",
    "step_index",
    "status",
    "skip_reason",
    "error_code",
    "error_detail",
    "variant",
    "body",
    "sent_at",
    "delivered_at",
    "read_at",
    "failed_at",
    "replied_at",
    "reply_body",
    "reply_intent",
)


def _select(campaign_id: int, status: str | None) -> Any:
    stmt = (
        select(Message, Contact.name, Contact.phone)
        .join(Contact, Contact.id == Message.contact_id)
        .where(Message.campaign_id == campaign_id, Message.direction == Direction.OUTBOUND)
    )
    return stmt.where(Message.status == status) if status else stmt


def _items(db: Session, rows: list[Any]) -> list[RecipientMessageOut]:
    replies = messages.first_replies(db=db, outbound_ids=[r[0].id for r in rows])
    out = []
    for message, name, phone in rows:
        reply = replies.get(message.id)
        out.append(
            RecipientMessageOut(
                id=message.id,
                contact_id=message.contact_id,
                contact_name=name,
                contact_phone=phone,
                step_index=message.step_index,
                status=message.status,
                skip_reason=message.skip_reason,
                error_code=message.error_code,
                error_detail=message.error_detail,
                variant=message.variant,
                body=message.body,
                sent_at=message.sent_at,
                delivered_at=message.delivered_at,
                read_at=message.read_at,
                failed_at=message.failed_at,
                replied_at=message.replied_at,
                reply=ReplyOut(
                    id=reply.id, body=reply.body, intent=reply.intent, received_at=reply.received_at
                )
                if reply
                else None,
            )
        )
    return out


def recipient_page(
    *, db: Session, campaign_id: int, status: str | None, cursor: str | None, limit: int
) -> tuple[list[RecipientMessageOut], str | None]:
    rows, token = messages.page(
        db=db, stmt=_select(campaign_id, status), cursor=cursor, limit=limit
    )
    return _items(db, rows), token


def _csv_line(values: list[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(["" if v is None else v for v in values])
    return buffer.getvalue()


def export_csv(*, db: Session, campaign_id: int, status: str | None) -> Iterator[str]:
    """Every outbound row of the campaign, oldest first, CSV_CHUNK rows per query."""
    yield _csv_line(list(CSV_COLUMNS))
    last = 0
    while True:
        stmt = _select(campaign_id, status).where(Message.id > last)
        rows = db.execute(stmt.order_by(Message.id).limit(CSV_CHUNK)).all()
        if not rows:
            return
        for item in _items(db, rows):
            reply = item.reply
            yield _csv_line(
                [
                    item.id,
                    item.contact_id,
                    item.contact_name,
                    item.contact_phone,
                    item.step_index,
                    item.status,
                    item.skip_reason,
                    item.error_code,
                    item.error_detail,
                    item.variant,
                    item.body,
                    *(
                        v.isoformat() if v else None
                        for v in (
                            item.sent_at,
                            item.delivered_at,
                            item.read_at,
                            item.failed_at,
                            item.replied_at,
                        )
                    ),
                    reply.body if reply else None,
                    reply.intent if reply else None,
                ]
            )
        last = rows[-1][0].id
