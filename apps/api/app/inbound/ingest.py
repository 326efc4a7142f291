"""Apply stored webhook events to the data: statuses move outbound messages, inbound messages
are stored and acted on (24 h window, reply linking, opt-out, drip stop).

Called by the Celery tasks in `app.inbound.tasks` (a sweep hands over a whole batch of stored
deliveries) and directly by tests. Everything is idempotent: the statuses of a batch are applied
set-based and forward-only under row locks (`app.inbound.statuses`), and an inbound message is
inserted with ON CONFLICT (wamid) DO NOTHING so a re-delivery has no second effect. Nothing here
commits; the task does.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import Session

from app.campaigns.drip import stop_enrollments
from app.contacts import service as contacts
from app.contacts.models import Contact
from app.contacts.optout_keywords import match_opt_out
from app.core.config import settings
from app.core.db import dialect_insert, utcnow
from app.core.enums import Direction, MessageStatus
from app.inbound import account_updates
from app.inbound.optout import KEYWORD_TYPES
from app.inbound.parser import InboundMessage, ParsedBatch, parse_webhook
from app.inbound.statuses import StatusItem, apply_isolated, is_transient
from app.messaging.models import Message, MessageEvent
from app.senders.models import SenderNumber

log = logging.getLogger(__name__)

REPLY_WINDOW = timedelta(days=7)
# Statuses an outbound reply can be linked to (it actually left).
LEFT_STATUSES = (
    MessageStatus.SENDING,
    MessageStatus.UNKNOWN,
    MessageStatus.SENT,
    MessageStatus.DELIVERED,
    MessageStatus.READ,
)
NOT_A_REPLY_TYPES = frozenset({"system"})  # e.g. "user changed number": not an answer


@dataclass(frozen=True)
class SenderRef:
    id: int
    workspace_id: int


@dataclass
class IngestReport:
    """What one event did; logged and used by tests and the benchmark."""

    statuses_applied: int = 0
    statuses_stale: int = 0
    statuses_unmatched: int = 0
    messages_stored: int = 0
    messages_duplicate: int = 0
    opt_outs: int = 0
    account_changes: int = 0  # template / number rows changed by account webhooks
    errors: list[str] = field(default_factory=list)
    # For the reply processing after commit: new inbound rows, contacts whose message was read.
    stored_ids: list[int] = field(default_factory=list)
    read_contacts: list[tuple[int, int]] = field(default_factory=list)  # (workspace, contact)

    def count_status(self, outcome: str, error: str | None) -> None:
        if error is not None:
            self.errors.append(error)
        elif outcome in ("applied", "stale", "unmatched"):
            name = f"statuses_{outcome}"
            setattr(self, name, getattr(self, name) + 1)


# --- inbound messages ----------------------------------------------------------------------


def _replied_outbound(
    *, db: Session, workspace_id: int, contact_id: int, ref_wamid: str | None, at: datetime
) -> Any:
    """The outbound message this inbound one answers: the quoted/reacted one (context id),
    else the contact's latest campaign message that left within the last 7 days."""
    cols = (Message.id, Message.campaign_id, Message.replied_at)
    base = (Message.workspace_id == workspace_id, Message.direction == Direction.OUTBOUND)
    if ref_wamid:
        row = db.execute(select(*cols).where(*base, Message.wamid == ref_wamid)).first()
        if row is not None:
            return row
    left_at = func.coalesce(Message.sent_at, Message.created_at)
    return db.execute(
        select(*cols)
        .where(
            *base,
            Message.contact_id == contact_id,
            Message.campaign_id.is_not(None),
            Message.status.in_(LEFT_STATUSES),
            left_at >= at - REPLY_WINDOW,
        )
        .order_by(left_at.desc(), Message.id.desc())
        .limit(1)
    ).first()


def ingest_message(
    *, db: Session, msg: InboundMessage, sender: SenderRef, webhook_event_id: int | None = None
) -> int | None:
    """Store one inbound message and act on it. Returns the new row id, None if a duplicate."""
    ws = sender.workspace_id
    contact = contacts.get_or_create_by_phone(
        db=db, workspace_id=ws, phone=msg.from_, name=msg.profile_name
    )
    at = msg.timestamp or utcnow()
    is_reply = msg.type not in NOT_A_REPLY_TYPES
    outbound = (
        _replied_outbound(
            db=db,
            workspace_id=ws,
            contact_id=contact.id,
            ref_wamid=msg.context_id or msg.reacted_to,
            at=at,
        )
        if is_reply
        else None
    )
    now = utcnow()
    stmt = (
        dialect_insert(db)(Message)
        .values(
            workspace_id=ws,
            contact_id=contact.id,
            sender_id=sender.id,
            campaign_id=outbound.campaign_id if outbound else None,
            in_reply_to_id=outbound.id if outbound else None,
            direction=Direction.INBOUND,
            type=msg.type[:20],
            body=msg.text,
            payload=msg.raw,
            status=MessageStatus.RECEIVED,
            wamid=msg.wamid,
            attempts=0,
            needs_review=False,
            queued_at=None,
            received_at=at,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["wamid"])
        .returning(Message.id)
    )
    message_id = db.execute(stmt).scalar()
    if message_id is None:
        return None  # Meta re-delivered it: already stored and acted on
    db.execute(
        insert(MessageEvent).values(
            message_id=message_id,
            event=MessageStatus.RECEIVED,
            occurred_at=at,
            data={"webhook_event_id": webhook_event_id, "type": msg.type}
            | ({"button_payload": msg.button_payload} if msg.button_payload else {}),
        )
    )
    _open_service_window(db=db, contact_id=contact.id, at=at)
    if outbound is not None:
        _mark_replied(db=db, outbound_id=outbound.id, reply_id=message_id, at=at)
    keyword = match_opt_out(msg.text) if msg.type in KEYWORD_TYPES else None
    if keyword:
        contacts.opt_out(db=db, contact=contact, source=f"keyword:{keyword}", at=at)
    if keyword or is_reply:
        stop_enrollments(
            db=db,
            workspace_id=ws,
            contact_id=contact.id,
            reason="opted_out" if keyword else "replied",
            only_stop_on_reply=not keyword,
        )
    # Classification, auto-response, review and the lead score follow after this
    # transaction commits (app.replies.processing, called by the task with the stored ids).
    return message_id


def _open_service_window(*, db: Session, contact_id: int, at: datetime) -> None:
    """last_inbound_at keeps the max: an old message re-delivered late never shortens it."""
    db.execute(
        update(Contact)
        .where(
            Contact.id == contact_id,
            or_(Contact.last_inbound_at.is_(None), Contact.last_inbound_at < at),
        )
        .values(last_inbound_at=at)
        .execution_options(synchronize_session=False)
    )


def _mark_replied(*, db: Session, outbound_id: int, reply_id: int, at: datetime) -> None:
    first = db.execute(
        update(Message)
        .where(Message.id == outbound_id, Message.replied_at.is_(None))
        .values(replied_at=at, updated_at=utcnow())
        .returning(Message.id)
        .execution_options(synchronize_session=False)
    ).first()
    if first is not None:
        db.execute(
            insert(MessageEvent).values(
                message_id=outbound_id, event="replied", occurred_at=at, data={"reply_id": reply_id}
            )
        )


# --- one stored event ----------------------------------------------------------------------


def _senders(db: Session, phone_number_ids: list[str]) -> dict[str, SenderRef]:
    if not phone_number_ids:
        return {}
    rows = db.execute(
        select(SenderNumber.phone_number_id, SenderNumber.id, SenderNumber.workspace_id).where(
            SenderNumber.phone_number_id.in_(phone_number_ids)
        )
    )
    return {r.phone_number_id: SenderRef(r.id, r.workspace_id) for r in rows}


def ingest_payload(
    *,
    db: Session,
    payload: Any,
    webhook_event_id: int | None = None,
    senders: dict[str, SenderRef] | None = None,
) -> IngestReport:
    """Apply every status and message of one delivery (a batch of one)."""
    return ingest_events(db=db, events=[(webhook_event_id, payload)], senders=senders)[0]


def ingest_events(
    *,
    db: Session,
    events: list[tuple[int | None, Any]],
    senders: dict[str, SenderRef] | None = None,
) -> list[IngestReport]:
    """Apply a batch of stored deliveries `(webhook_event_id, payload)`, oldest first: all
    their statuses at once (set-based, in arrival order), then each inbound message in its own
    savepoint — one unreadable record (e.g. an invalid phone) is reported, the rest apply.

    `senders` is a cache shared by the batches of one sweep (phone_number_id → sender)."""
    parsed = [parse_webhook(payload) for _, payload in events]
    senders = senders if senders is not None else {}
    wanted = {p for batch in parsed for p in batch.phone_number_ids if p not in senders}
    senders.update(_senders(db, sorted(wanted)))
    reports = [IngestReport() for _ in events]
    items, owners = [], []
    for k, ((event_id, _), batch) in enumerate(zip(events, parsed, strict=True)):
        for status in batch.statuses:
            sender = senders.get(status.channel.phone_number_id or "")
            if sender is None:
                reports[k].errors.append(f"{status.wamid}: unknown phone_number_id")
                continue
            items.append(StatusItem(status, sender.workspace_id, event_id))
            owners.append(k)
    reads: dict[str, int] = {}
    for k, item, (outcome, error) in zip(
        owners, items, apply_isolated(db=db, items=items), strict=True
    ):
        reports[k].count_status(outcome, error)
        if outcome == "applied" and item.update.status == "read":
            reads[item.update.wamid] = k
    if reads and settings.AI_LEAD_SCORING_ENABLED:  # a read moves the lead score (app.replies)
        rows = db.execute(
            select(Message.wamid, Message.workspace_id, Message.contact_id).where(
                Message.wamid.in_(list(reads))
            )
        )
        for wamid, workspace_id, contact_id in rows:
            reports[reads[wamid]].read_contacts.append((workspace_id, contact_id))
    for (event_id, _), batch, report in zip(events, parsed, reports, strict=True):
        _ingest_messages(db=db, batch=batch, senders=senders, event_id=event_id, report=report)
        if batch.account_updates:
            changed, errors = account_updates.apply_all(db, batch.account_updates)
            report.account_changes += changed
            report.errors += errors
    return reports


def _ingest_messages(
    *,
    db: Session,
    batch: ParsedBatch,
    senders: dict[str, SenderRef],
    event_id: int | None,
    report: IngestReport,
) -> None:
    for msg in batch.messages:
        sender = senders.get(msg.channel.phone_number_id or "")
        if sender is None:
            report.errors.append(f"{msg.wamid}: unknown phone_number_id")
            continue
        try:
            with db.begin_nested():
                stored = ingest_message(db=db, msg=msg, sender=sender, webhook_event_id=event_id)
        except Exception as exc:
            if is_transient(exc):  # a deadlock/timeout/lost connection: retry the event
                raise
            # One bad record (invalid phone, …) must not lose the batch: recorded, skipped.
            log.warning("webhook message %s not stored: %s", msg.wamid, exc)
            report.errors.append(f"{msg.wamid}: {exc}"[:500])
            continue
        if stored is None:
            report.messages_duplicate += 1
        else:
            report.messages_stored += 1
            report.stored_ids.append(stored)
