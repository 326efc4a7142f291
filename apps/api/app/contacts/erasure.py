"""Deleting a contact is an erasure (GDPR art. 17 style, docs/privacy.md): personal data goes,
the facts stay.

- Gone: the contact row (phone, name, email, attributes, tags, consent history), the bodies,
  payloads, classifications and error texts of its messages, and the free-text parts of their
  events; raw webhook deliveries that carry the number are redacted by the subscribers
  registered here (`on_erase`, wired in `app.wiring`: inbound owns those rows).
- Kept, anonymous: every message row with its status, timestamps, campaign and sender
  (`contact_id` becomes NULL), so campaign figures, the pacing windows and Meta's tier count
  what really went out; erasing contacts never gives cap back.
- Queued messages of the contact are cancelled (`contact_erased`); a batch already sending
  to it finishes first — the erasure waits for its share lock — and is recorded.
- Opt-out survives as a keyed hash of the phone (`Suppression`): a contact re-created with
  the same number starts opted out again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from app.contacts.models import Contact, Suppression
from app.core.db import dialect_insert, utcnow
from app.core.enums import Direction, MessageStatus
from app.core.security import keyed_hash
from app.messaging.models import Message, MessageEvent

log = logging.getLogger(__name__)

ERASED_REASON = "contact_erased"
# Event data that describes what happened, not to whom; everything else is dropped on erasure.
_EVENT_KEYS = frozenset({"reason", "until", "code", "source", "wamid", "webhook_event_id"})

ErasureHook = Callable[[Session, int, str], None]  # (db, workspace_id, E.164 phone)
_hooks: list[ErasureHook] = []


def on_erase(hook: ErasureHook) -> None:
    """Run `hook` inside every erasure (idempotent subscription; app.wiring)."""
    if hook not in _hooks:
        _hooks.append(hook)


def phone_hash(workspace_id: int, phone: str) -> str:
    return keyed_hash("suppression", f"{workspace_id}:{phone}")


def _remember_opt_out(db: Session, contact: Contact, now: datetime) -> None:
    key = phone_hash(contact.workspace_id, contact.phone)
    if contact.opted_out_at is None and contact.marketing_opted_out_at is None:
        db.execute(
            delete(Suppression).where(
                Suppression.workspace_id == contact.workspace_id, Suppression.phone_hash == key
            )
        )
        return
    values = {
        "opted_out_at": contact.opted_out_at,
        "opt_out_source": contact.opt_out_source,
        "marketing_opted_out_at": contact.marketing_opted_out_at,
    }
    stmt = dialect_insert(db)(Suppression).values(
        workspace_id=contact.workspace_id, phone_hash=key, created_at=now, **values
    )
    db.execute(
        stmt.on_conflict_do_update(index_elements=["workspace_id", "phone_hash"], set_=values)
    )


def _scrub_events(db: Session, message_ids: list[int]) -> None:
    for start in range(0, len(message_ids), 1000):
        chunk = message_ids[start : start + 1000]
        rows = db.execute(
            select(MessageEvent.id, MessageEvent.data).where(MessageEvent.message_id.in_(chunk))
        ).all()
        changed = [
            {"id": eid, "data": {k: v for k, v in data.items() if k in _EVENT_KEYS}}
            for eid, data in rows
            if isinstance(data, dict) and set(data) - _EVENT_KEYS
        ]
        if changed:
            db.execute(update(MessageEvent), changed)


def erase_contact(*, db: Session, contact: Contact) -> int:
    """Erase one contact (see the module doc). Returns how many queued messages were
    cancelled. Flushes; the caller commits."""
    # Lock order: the contact's messages, then the contact — the order of every writer that
    # touches both (the results of a batch, the status webhooks), so none can deadlock with
    # an erasure. FOR UPDATE on the contact waits until a batch sending to it (FOR SHARE) has
    # finished its requests, and keeps new message rows for it (FOR KEY SHARE) out.
    db.execute(
        select(Message.id)
        .where(Message.contact_id == contact.id)
        .order_by(Message.id)
        .with_for_update()
    ).all()
    db.refresh(contact, with_for_update=True)
    now = utcnow()
    workspace_id, phone = contact.workspace_id, contact.phone
    _remember_opt_out(db, contact, now)
    cancelled = list(
        db.scalars(
            update(Message)
            .where(
                Message.contact_id == contact.id,
                Message.direction == Direction.OUTBOUND,
                Message.status == MessageStatus.QUEUED,
            )
            .values(status=MessageStatus.CANCELLED, skip_reason=ERASED_REASON, updated_at=now)
            .returning(Message.id)
            .execution_options(synchronize_session=False)
        )
    )
    if cancelled:
        db.execute(
            insert(MessageEvent),
            [
                {
                    "message_id": mid,
                    "event": "cancelled",
                    "occurred_at": now,
                    "data": {"reason": ERASED_REASON},
                }
                for mid in cancelled
            ],
        )
    message_ids = list(
        db.scalars(
            update(Message)
            .where(Message.contact_id == contact.id)
            .values(body=None, payload={}, error_detail=None, classification=None)
            .returning(Message.id)
            .execution_options(synchronize_session=False)
        )
    )
    _scrub_events(db, message_ids)
    for hook in _hooks:
        hook(db, workspace_id, phone)
    db.delete(contact)  # messages.contact_id → NULL (ON DELETE SET NULL); enrollments go
    db.flush()
    log.info("contact %s erased: %s messages kept anonymous", contact.id, len(message_ids))
    return len(cancelled)


def _opt_out_values(s: Suppression) -> dict[str, object]:
    source = f"suppression: {s.opt_out_source}" if s.opt_out_source else "suppression"
    return {
        "opted_out_at": s.opted_out_at,
        "opt_out_source": source[:100] if s.opted_out_at is not None else None,
        "marketing_opted_out_at": s.marketing_opted_out_at,
    }


def take_suppressions(*, db: Session, workspace_id: int, phones: Iterable[str]) -> dict[str, dict]:
    """phone → the opt-out columns an erased contact with that phone had, for contacts about
    to be created; the entries are consumed (the new contact carries the state)."""
    phones = list(phones)
    none_kept = select(Suppression.id).where(Suppression.workspace_id == workspace_id).limit(1)
    if not phones or db.scalar(none_kept) is None:  # the usual case: nothing to hash at all
        return {}
    by_hash = {phone_hash(workspace_id, p): p for p in phones}
    found = list(
        db.scalars(
            select(Suppression).where(
                Suppression.workspace_id == workspace_id,
                Suppression.phone_hash.in_(list(by_hash)),
            )
        )
    )
    if not found:
        return {}
    db.execute(delete(Suppression).where(Suppression.id.in_([s.id for s in found])))
    return {by_hash[s.phone_hash]: _opt_out_values(s) for s in found}


def restore_opt_outs(*, db: Session, workspace_id: int, phones: Iterable[str]) -> int:
    """For contacts just created (bulk paths: CSV import, inbound): apply the suppression of an
    erased contact with the same phone. One indexed lookup; usually nothing matches."""
    taken = take_suppressions(db=db, workspace_id=workspace_id, phones=phones)
    for phone, values in taken.items():
        db.execute(
            update(Contact)
            .where(Contact.workspace_id == workspace_id, Contact.phone == phone)
            .values(**values, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    return len(taken)
