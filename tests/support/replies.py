"""Helpers for the reply-handling tests: a workspace's number and contacts, inbound replies
through the real ingestion path (signed body → stored event → the sweep task, which hands
new replies to app.replies after its commit), and what got queued back."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import orjson
from sqlalchemy import select

from app.inbound.service import receive_webhook, sign
from app.inbound.tasks import process_pending_webhooks
from app.messaging.models import Message
from app.replies import service as replies
from app.replies.schemas import ReplySettingsIn, RuleIn
from tests.support.factories import make_contact, make_sender
from tests.support.webhooks import inbound_webhook

PRICING_TEXT = "Our plans start at $49/month, {first_name|there}."


@dataclass
class Shop:
    workspace_id: int
    sender_id: int
    pnid: str


def make_shop(db, workspace_id: int, pnid: str = "109000000000001", **settings) -> Shop:
    """A sandbox number plus reply settings (auto-answers on, pricing rule) unless told."""
    sender = make_sender(db, workspace_id, pnid, provider="sandbox")
    cfg = {"auto_respond": True, "confidence_threshold": 50, "cooldown_hours": 24, **settings}
    replies.update_settings(db=db, workspace_id=workspace_id, data=ReplySettingsIn(**cfg))
    replies.put_rule(
        db=db, workspace_id=workspace_id, intent="pricing", data=RuleIn(response=PRICING_TEXT)
    )
    db.commit()
    return Shop(workspace_id, sender.id, pnid)


def customer(db, shop: Shop, phone: str, **fields):
    return make_contact(db, shop.workspace_id, phone, name="Ada Lovelace", **fields)


def reply(
    db,
    shop: Shop,
    phone: str,
    text: str,
    *,
    ago_seconds: float = 0,
    context_wamid: str | None = None,
) -> Message:
    """The customer writes to the shop's number; returns the stored inbound row."""
    wamid = "wamid.T" + uuid.uuid4().hex
    payload = inbound_webhook(shop.pnid, phone, text, wamid)
    msg = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    msg["timestamp"] = str(int(time.time() - ago_seconds))
    if context_wamid:
        msg["context"] = {"from": shop.pnid, "id": context_wamid}
    raw = orjson.dumps(payload)
    receive_webhook(db=db, raw_body=raw, signature=sign(raw))
    db.commit()
    process_pending_webhooks(older_than_seconds=0)
    db.rollback()
    db.expire_all()
    return db.scalars(select(Message).where(Message.wamid == wamid)).one()


def answers(db, contact_id: int, origin: str = "auto_response") -> list[Message]:
    db.rollback()
    stmt = (
        select(Message)
        .where(Message.contact_id == contact_id, Message.origin == origin)
        .order_by(Message.id)
    )
    return list(db.scalars(stmt))
