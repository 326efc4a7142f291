"""The review inbox: replies that need a person, and resolving them. Callers commit, then
wake the sender a reply was queued for (`campaigns.events.sender_ready`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.ai.custom_intents.schemas import MAX_TEXT, ExampleIn
from app.ai.custom_intents.service import add_examples
from app.campaigns.drip import stop_enrollments
from app.contacts import service as contacts
from app.contacts.models import Contact
from app.core.db import utcnow
from app.core.errors import Conflict, NotFound
from app.core.pagination import decode_cursor, page_of
from app.messaging.models import Message
from app.outbound.policy import in_service_window
from app.replies.models import ReviewItem
from app.replies.processing import Reply, queue_text
from app.replies.schemas import ResolveAction, ReviewItemOut

_ROW = (
    ReviewItem,
    Message.body,
    Message.received_at,
    Contact.name,
    Contact.phone,
    Contact.last_inbound_at,
)


@dataclass
class Resolved:
    item: ReviewItemOut
    wake_sender: int | None = None


def _out(row: Any) -> ReviewItemOut:
    item, body, received_at, name, phone, last = row
    return ReviewItemOut(
        id=item.id,
        state=item.state,
        reason=item.reason,
        intent=item.intent,
        confidence=item.confidence,
        message_id=item.message_id,
        contact_id=item.contact_id,
        contact_name=name,
        contact_phone=phone,
        campaign_id=item.campaign_id,
        body=body,
        received_at=received_at,
        in_service_window=in_service_window(last or received_at, utcnow()),
        resolution=item.resolution,
        note=item.note,
        reply_message_id=item.reply_message_id,
        resolved_at=item.resolved_at,
        created_at=item.created_at,
    )


def _select() -> Any:
    return (
        select(*_ROW)
        .join(Message, Message.id == ReviewItem.message_id)
        .join(Contact, Contact.id == ReviewItem.contact_id)
    )


def list_items(
    *,
    db: Session,
    workspace_id: int,
    state: str | None,
    intent: str | None,
    reason: str | None,
    campaign_id: int | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[ReviewItemOut], int, str | None]:
    """Newest first; the total counts every page (`limit=1` is a cheap way to get it)."""
    where = [ReviewItem.workspace_id == workspace_id]
    if state:
        where.append(ReviewItem.state == state)
    if intent:
        where.append(ReviewItem.intent == intent)
    if reason:
        where.append(ReviewItem.reason == reason)
    if campaign_id is not None:
        where.append(ReviewItem.campaign_id == campaign_id)
    total = db.scalar(select(func.count()).select_from(ReviewItem).where(*where)) or 0
    after = decode_cursor(cursor)
    if after is not None:
        where.append(ReviewItem.id < after)
    rows = db.execute(_select().where(*where).order_by(ReviewItem.id.desc()).limit(limit + 1))
    page, token = page_of(rows.all(), limit, key=lambda r: r[0].id)
    return [_out(r) for r in page], total, token


def get_item(*, db: Session, workspace_id: int, item_id: int) -> ReviewItemOut:
    row = db.execute(
        _select().where(ReviewItem.id == item_id, ReviewItem.workspace_id == workspace_id)
    ).first()
    if row is None:
        raise NotFound("Review item", item_id)
    return _out(row)


def resolve(
    *,
    db: Session,
    workspace_id: int,
    item_id: int,
    action: ResolveAction,
) -> Resolved:
    item = db.scalar(
        select(ReviewItem)
        .where(ReviewItem.id == item_id, ReviewItem.workspace_id == workspace_id)
        .with_for_update()
    )
    if item is None:
        raise NotFound("Review item", item_id)
    if item.state != "open":
        raise Conflict(
            f"Review item {item_id} is already {item.state}",
            errors=[{"field": "state", "message": f"resolved as {item.resolution}"}],
        )
    message = db.get(Message, item.message_id)
    contact = db.get(Contact, item.contact_id)
    assert message is not None and contact is not None  # cascades delete the item with them
    now = utcnow()
    wake = None
    if action.action == "reply" and action.text is not None:
        wake = _reply(db, item=item, message=message, contact=contact, text=action.text)
    elif action.action == "correct_intent" and action.intent is not None:
        _correct(db, message=message, intent=action.intent, workspace_id=workspace_id)
        item.intent = action.intent
    elif action.action == "opt_out":
        contacts.opt_out(db=db, contact=contact, source="inbox", at=now)
        stop_enrollments(
            db=db,
            workspace_id=workspace_id,
            contact_id=contact.id,
            reason="opted_out",
            only_stop_on_reply=False,
        )
    if item.reason == "probable_opt_out":
        contact.opt_out_review_at = None  # a person decided: opted out above, or not one
    item.state, item.resolution = "handled", _RESOLUTION[action.action]
    item.note, item.resolved_at = action.note, now
    message.needs_review = False
    db.flush()
    return Resolved(get_item(db=db, workspace_id=workspace_id, item_id=item.id), wake)


_RESOLUTION = {
    "reply": "replied",
    "mark_handled": "handled",
    "correct_intent": "corrected",
    "opt_out": "opted_out",
}


def _reply(
    db: Session, *, item: ReviewItem, message: Message, contact: Contact, text: str
) -> int | None:
    """A free-form answer, only inside the 24 h window (the engine checks it again at send)."""
    now = utcnow()
    if contact.opted_out_at is not None:
        raise Conflict("The contact opted out: nothing more is sent to them", code="opted_out")
    if not in_service_window(contact.last_inbound_at, now):
        raise Conflict(
            "The 24-hour service window is closed: a free-form reply cannot be sent "
            "(use a template campaign)",
            code="outside_service_window",
        )
    if message.sender_id is None:
        raise Conflict("The number this reply came to no longer exists", code="no_sender")
    reply = Reply(
        message.id,
        item.workspace_id,
        contact.id,
        message.sender_id,
        message.campaign_id,
        message.body,
        message.received_at,
        None,
    )
    item.reply_message_id = queue_text(
        db, reply=reply, contact=contact, body=text, origin="inbox_reply", review_id=item.id
    )
    return message.sender_id


def _correct(db: Session, *, message: Message, intent: str, workspace_id: int) -> None:
    """The reviewer's label wins on the message and becomes a training example of the
    workspace's own classifier."""
    record = dict(message.classification or {})
    record["corrected_from"] = message.intent
    record["intent"] = intent
    message.classification, message.intent = record, intent
    if message.body and message.body.strip():
        example = ExampleIn(text=message.body.strip()[:MAX_TEXT], intent=intent)
        add_examples(db=db, workspace_id=workspace_id, examples=[example], source="review")
