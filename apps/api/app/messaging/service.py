"""Reading messages: one with its timeline, pages of a conversation or a campaign, the
replies linked to outbound rows. Every query is scoped to the workspace."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.enums import Direction
from app.core.errors import NotFound
from app.core.pagination import decode_cursor, page_of
from app.messaging.models import Message, MessageEvent


def get_message(*, db: Session, workspace_id: int, message_id: int) -> Message:
    message = db.get(Message, message_id)
    if message is None or message.workspace_id != workspace_id:
        raise NotFound("Message", message_id)
    return message


def timeline(*, db: Session, message_id: int) -> list[MessageEvent]:
    stmt = (
        select(MessageEvent)
        .where(MessageEvent.message_id == message_id)
        .order_by(MessageEvent.occurred_at, MessageEvent.id)
    )
    return list(db.scalars(stmt))


def page(*, db: Session, stmt: Any, cursor: str | None, limit: int) -> tuple[list[Any], str | None]:
    """Newest first by message id: `stmt` selects Message (first column) and its filters."""
    after = decode_cursor(cursor)
    if after is not None:
        stmt = stmt.where(Message.id < after)
    rows = db.execute(stmt.order_by(Message.id.desc()).limit(limit + 1)).all()
    return page_of(rows, limit, key=lambda r: r[0].id)


def conversation(
    *,
    db: Session,
    workspace_id: int,
    contact_id: int,
    direction: str | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[Message], str | None]:
    """Both directions of one contact's messages (the caller checked the contact is ours)."""
    stmt = select(Message).where(
        Message.workspace_id == workspace_id, Message.contact_id == contact_id
    )
    if direction:
        stmt = stmt.where(Message.direction == direction)
    rows, token = page(db=db, stmt=stmt, cursor=cursor, limit=limit)
    return [r[0] for r in rows], token


def first_replies(*, db: Session, outbound_ids: list[int]) -> dict[int, Message]:
    """The earliest inbound reply linked to each of these outbound rows."""
    if not outbound_ids:
        return {}
    stmt = (
        select(Message)
        .where(Message.in_reply_to_id.in_(outbound_ids), Message.direction == Direction.INBOUND)
        .order_by(Message.id.desc())
    )
    return {m.in_reply_to_id: m for m in db.scalars(stmt) if m.in_reply_to_id is not None}
