"""Classifying stored inbound replies and acting on them: opt-out, drip stop, auto-response,
review inbox, lead score.

Runs in the worker that ingested the replies, right AFTER the ingest transaction committed
(`app.inbound.tasks`), so a slow or failing classifier never delays or loses a message's
storage; a periodic sweep (`replies.classify_pending`) picks up any reply left unclassified
(worker lost between the two steps, classifier down). Each reply is acted on once: its
`classification` is set by a conditional UPDATE (`… WHERE classification IS NULL`) in the
same transaction as everything it causes, under the contact's row lock, so two workers
handed the same reply, or two replies of one contact at once, never answer twice.

Every automatic answer is an ordinary outbound message row (`origin` auto_response or
optout_confirmation) that the engine sends: paced, at most once, re-checked at send time
(opt-out, 24 h window).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session, aliased

from app.ai.classifier.schemas import Classification
from app.ai.classifier.service import classify_reply
from app.ai.leads.service import score_contact
from app.campaigns import events
from app.campaigns.drip import stop_enrollments
from app.campaigns.personalize import render
from app.contacts import service as contacts
from app.contacts.models import Contact
from app.contacts.optout_keywords import match_opt_out
from app.core.config import settings
from app.core.db import dialect_insert, session_scope, utcnow
from app.core.enums import Direction, MessageStatus
from app.messaging.models import Message
from app.outbound.policy import in_service_window
from app.replies import service as rules
from app.replies.models import AutoResponseRule, ReviewItem

log = logging.getLogger(__name__)

CLASSIFY_CONCURRENCY = 8  # LLM calls in flight per worker
STOP_DRIP_INTENTS = frozenset({"not_interested", "complaint"})
ALWAYS_REVIEW = {"complaint": "complaint", "meeting_request": "meeting_request"}


@dataclass(frozen=True)
class Reply:
    id: int
    workspace_id: int
    contact_id: int
    sender_id: int | None
    campaign_id: int | None
    body: str | None
    received_at: datetime | None
    original: str | None  # the outbound message it answers


@dataclass
class Decision:
    """What one classified reply causes (pure: see `decide`)."""

    opt_out: bool = False
    confirm: bool = False
    stop_drips: str | None = None
    answer: str | None = None
    review: str | None = None
    why: str = ""


def decide(
    *,
    classification: Classification | None,
    rule_opt_out: bool,
    opted_out_before: bool,
    confirmation_sent: bool,
    cfg: rules.Effective,
    rule: AutoResponseRule | None,
    in_window: bool,
    answered_recently: bool,
) -> Decision:
    """The auto-response and review rules, in order."""
    if rule_opt_out:  # the explicit rules said so: a legal decision, never the model's
        return Decision(
            opt_out=True,
            confirm=cfg.optout_confirmation is not None and not confirmation_sent,
            stop_drips="opted_out",
            why="opted_out",
        )
    if opted_out_before:
        return Decision(review="contact_opted_out", why="contact_opted_out")
    if classification is None:
        return Decision(review="classification_failed", why="classification_failed")
    intent = classification.intent
    if intent == "opt_out" or classification.probable_opt_out:  # a model thinks so, the rules
        # did not: a person decides
        return Decision(
            stop_drips="probable_opt_out", review="probable_opt_out", why="probable_opt_out"
        )
    decision = Decision(stop_drips=intent if intent in STOP_DRIP_INTENTS else None)
    if intent == "auto_reply":  # another machine: answering it starts bot ping-pong
        decision.why = "auto_reply"
        return decision
    confident = classification.confidence >= cfg.confidence_threshold
    decision.review = ALWAYS_REVIEW.get(intent) or (None if confident else "low_confidence")
    configured = rule is not None and rule.enabled
    if not configured or not cfg.auto_respond:
        decision.review = decision.review or "no_response_configured"
        decision.why = "no_response_configured" if not configured else "auto_respond_off"
    elif rule is not None and rule.response is None:
        decision.why = "rule_says_no_answer"
    elif not confident:
        decision.why = "low_confidence"
    elif not in_window:
        decision.why = "outside_service_window"
    elif answered_recently:
        decision.why = "cooldown"
    else:
        decision.answer = rule.response if rule is not None else None
        decision.why = "answered"
    return decision


# --- loading and classifying ---------------------------------------------------------------


def _unclassified(db: Session, ids: list[int]) -> list[Reply]:
    original = aliased(Message)
    stmt = (
        select(
            Message.id,
            Message.workspace_id,
            Message.contact_id,
            Message.sender_id,
            Message.campaign_id,
            Message.body,
            Message.received_at,
            original.body,
        )
        .outerjoin(original, original.id == Message.in_reply_to_id)
        .where(
            Message.id.in_(ids),
            Message.direction == Direction.INBOUND,
            Message.classification.is_(None),
        )
        .order_by(Message.id)
    )
    return [Reply(*row) for row in db.execute(stmt)]


async def _classify_all(db: Session, replies: list[Reply]) -> list[Classification | Exception]:
    gate = asyncio.Semaphore(CLASSIFY_CONCURRENCY)

    async def one(reply: Reply) -> Classification | Exception:
        async with gate:
            try:
                return await classify_reply(
                    reply.body or "", reply.original, db=db, workspace_id=reply.workspace_id
                )
            except Exception as exc:  # recorded on the message and sent to review
                log.warning("classifying reply %s failed: %s", reply.id, exc)
                return exc

    return await asyncio.gather(*(one(r) for r in replies))


def process_replies(message_ids: list[int]) -> int:
    """Classify and act on these stored inbound messages (call after their commit). Returns
    how many were handled here; the rest were handled elsewhere or are left to the sweep."""
    if not message_ids or not settings.AI_REPLY_CLASSIFICATION_ENABLED:
        return 0
    with session_scope() as db:
        replies = _unclassified(db, sorted(set(message_ids)))
        results = asyncio.run(_classify_all(db, replies)) if replies else []
    done, wake = 0, set()
    for reply, result in zip(replies, results, strict=True):
        try:
            with session_scope() as db:
                sender = act(db=db, reply=reply, result=result)
        except Exception:  # left unclassified: the periodic sweep retries it
            log.exception("acting on reply %s failed", reply.id)
            continue
        done += 1
        if sender is not None:
            wake.add(sender)
    for sender_id in sorted(wake):
        events.sender_ready(sender_id)  # after commit: the engine sends the answers
    return done


def rescore(pairs: list[tuple[int, int]]) -> None:
    """Move the lead scores of these (workspace, contact) pairs now (a read, a reply)."""
    if not pairs or not settings.AI_LEAD_SCORING_ENABLED:
        return
    with session_scope() as db:
        for workspace_id, contact_id in sorted(set(pairs)):
            score_contact(db=db, workspace_id=workspace_id, contact_id=contact_id)


def pending_ids(*, db: Session, now: datetime, limit: int = 500) -> list[int]:
    """Recent inbound rows still unclassified and older than a moment (the ingesting worker
    had its chance): the sweep's work."""
    stmt = (
        select(Message.id)
        .where(
            Message.received_at >= now - timedelta(days=1),
            Message.direction == Direction.INBOUND,
            Message.classification.is_(None),
            Message.created_at < now - timedelta(seconds=30),
        )
        .order_by(Message.id)
        .limit(limit)
    )
    return list(db.scalars(stmt))


# --- acting on one reply -------------------------------------------------------------------


def _already_sent(db: Session, contact_id: int, origin: str, since: datetime | None) -> bool:
    if since is None:
        return False
    return bool(
        db.scalar(
            select(
                exists().where(
                    Message.contact_id == contact_id,
                    Message.direction == Direction.OUTBOUND,
                    Message.origin == origin,
                    Message.created_at >= since,
                )
            )
        )
    )


def queue_text(
    db: Session, *, reply: Reply, contact: Any, body: str, origin: str, **payload: Any
) -> int:
    """An outbound text row for the engine, from the number the reply came to."""
    now = utcnow()
    row = Message(
        workspace_id=reply.workspace_id,
        contact_id=reply.contact_id,
        sender_id=reply.sender_id,
        direction=Direction.OUTBOUND,
        type="text",
        body=render(body, contact=contact, metadata=None) or body,
        payload={"origin": origin, "reply_id": reply.id, **payload},
        status=MessageStatus.QUEUED,
        origin=origin,
        attempts=0,
        next_attempt_at=now,
        queued_at=now,
    )
    db.add(row)
    db.flush()
    return row.id


def act(*, db: Session, reply: Reply, result: Classification | Exception) -> int | None:
    """Store the classification and do what it decides, once. Returns the sender to wake
    when an answer was queued."""
    contact = db.scalar(select(Contact).where(Contact.id == reply.contact_id).with_for_update())
    if contact is None:
        return None
    classification = result if isinstance(result, Classification) else None
    now = utcnow()
    cfg = rules.get_settings(db=db, workspace_id=reply.workspace_id)
    intent = classification.intent if classification else None
    rule_opt_out = bool(match_opt_out(reply.body)) or bool(
        classification and classification.opt_out
    )
    by_this = rule_opt_out and contact.opted_out_at is not None
    decision = decide(
        classification=classification,
        rule_opt_out=rule_opt_out,
        opted_out_before=contact.opted_out_at is not None and not by_this,
        confirmation_sent=_already_sent(
            db, contact.id, "optout_confirmation", contact.opted_out_at or now
        ),
        cfg=cfg,
        rule=rules.rules_by_intent(db=db, workspace_id=reply.workspace_id).get(intent or ""),
        in_window=reply.received_at is not None and in_service_window(reply.received_at, now),
        answered_recently=_already_sent(
            db, contact.id, "auto_response", now - timedelta(hours=cfg.cooldown_hours)
        ),
    )
    if reply.sender_id is None:  # the number is gone: nothing can be sent from it
        decision.answer, decision.confirm = None, False
    record: dict[str, Any] = (
        classification.model_dump(mode="json")
        if classification
        else {"error": f"{type(result).__name__}: {result}"[:500]}
    )
    record["handling"] = decision.why
    claimed = db.execute(
        update(Message)
        .where(Message.id == reply.id, Message.classification.is_(None))
        .values(
            classification=record,
            intent=(intent or None) and intent[:32],
            needs_review=decision.review is not None,
            updated_at=now,
        )
        .returning(Message.id)
        .execution_options(synchronize_session=False)
    ).first()
    if claimed is None:
        return None  # another worker handled it
    if decision.opt_out and contact.opted_out_at is None:
        contacts.opt_out(db=db, contact=contact, source="classifier:rules", at=reply.received_at)
    if decision.review == "probable_opt_out" and contact.opted_out_at is None:
        contact.opt_out_review_at = contact.opt_out_review_at or now
    if decision.stop_drips:
        stop_enrollments(
            db=db,
            workspace_id=reply.workspace_id,
            contact_id=contact.id,
            reason=decision.stop_drips,
            only_stop_on_reply=False,
        )
    wake = None
    if decision.confirm and cfg.optout_confirmation:
        queue_text(
            db,
            reply=reply,
            contact=contact,
            body=cfg.optout_confirmation,
            origin="optout_confirmation",
        )
        wake = reply.sender_id
    if decision.answer:
        queue_text(
            db,
            reply=reply,
            contact=contact,
            body=decision.answer,
            origin="auto_response",
            intent=intent,
        )
        wake = reply.sender_id
    if decision.review:
        _open_review(db, reply=reply, decision=decision, classification=classification)
    if settings.AI_LEAD_SCORING_ENABLED:
        score_contact(db=db, workspace_id=reply.workspace_id, contact_id=contact.id, now=now)
    return wake


def _open_review(
    db: Session, *, reply: Reply, decision: Decision, classification: Classification | None
) -> None:
    now = utcnow()
    db.execute(
        dialect_insert(db)(ReviewItem)
        .values(
            workspace_id=reply.workspace_id,
            message_id=reply.id,
            contact_id=reply.contact_id,
            campaign_id=reply.campaign_id,
            reason=decision.review,
            intent=classification.intent[:32] if classification else None,
            confidence=classification.confidence if classification else None,
            state="open",
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["message_id"])
    )


def hand_off(
    *, message_ids: list[int], read_contacts: list[tuple[int, int]], rescore_later: Any = None
) -> None:
    """What the ingesting worker does after its commit: classify and act on the new replies
    (their lead scores move in the same transaction), and hand the readers' lead scores to
    `rescore_later` (a task on the analytics queue: status webhooks come by the thousand, and
    their apply rate must not pay for scoring). Never raises: the messages are stored, and
    the sweep redoes whatever did not happen here."""
    try:
        process_replies(message_ids)
    except Exception:
        log.exception("reply processing of %d messages failed; the sweep retries", len(message_ids))
    if not read_contacts or not settings.AI_LEAD_SCORING_ENABLED:
        return
    try:
        (rescore_later or rescore)(sorted(set(read_contacts)))
    except Exception:
        log.exception("lead scores of %d readers not updated", len(read_contacts))
