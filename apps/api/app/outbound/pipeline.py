"""Sending one claimed batch of a sender number: check, reserve, send, record.

1. In a transaction that only reads, the batch's contact rows are locked `FOR SHARE` and the
   policy is re-checked on them (opt-out, consent, 24 h window, quiet hours, campaign state).
   That transaction stays open while the batch's HTTP requests are in flight, so an opt-out
   (`UPDATE contacts …`) committed by anyone waits until they finish: once it is committed, no
   send to that contact can start (SPEC §2.2). It lasts one batch (≈ one round trip at full
   concurrency; one message when a per-message delay applies).
2. Pacing slots are reserved for what passed, all-or-nothing per message (app.pacing).
3. Requests go out concurrently on one event loop (aiohttp, bounded by SEND_CONCURRENCY)
   with our message id as `biz_opaque_callback_data`.
4. Results are written in bulk in a second transaction; a status only ever moves forward, so
   a webhook that got there first is kept.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.campaigns.models import Campaign, DripStep, Enrollment
from app.campaigns.personalize import RenderedMessage, render_message
from app.contacts.models import Contact
from app.core import metrics
from app.core.config import settings
from app.core.db import get_sessionmaker, utcnow
from app.integrations.whatsapp.base import (
    ErrorCategory,
    SenderCredentials,
    WhatsAppError,
    WhatsAppProvider,
)
from app.outbound import policy, results
from app.outbound.asyncloop import provider_for, run_async
from app.outbound.policy import Action
from app.pacing import Slot, ThrottleStore
from app.pacing.throttle import next_room_at
from app.senders.limits import Caps
from app.templates.models import Template

log = logging.getLogger(__name__)
MIN_DEFER = timedelta(seconds=1)  # never "no room until now": that is a claim loop


@dataclass(frozen=True)
class Claimed:
    """The columns of a claimed row the pipeline needs (from the claim's RETURNING)."""

    id: int
    contact_id: int | None  # None once the contact was erased (its rows stay, anonymous)
    campaign_id: int | None
    step_index: int | None
    enrollment_id: int | None
    template_id: int | None
    type: str
    body: str | None
    payload: dict[str, Any]
    attempts: int
    first_deferred_at: datetime | None
    past_sends: int = 0  # earlier sends a failed status requeued: this is send number n + 1


@dataclass(frozen=True)
class SenderInfo:
    id: int
    provider: str
    credentials: SenderCredentials
    caps: Caps
    waba_id: str | None = None  # the business portfolio whose messaging-limit tier it shares


@dataclass
class _Ready:
    row: Claimed
    phone: str
    rendered: RenderedMessage
    slot: Slot


@dataclass
class BatchReport:
    sent: int = 0
    finished: int = 0
    requeued: int = 0
    sender_blocked: bool = False
    by_outcome: dict[str, int] = field(default_factory=dict)


class _NotAttempted(Exception):
    """The send was not started because the number was stopped mid-batch."""


_CONTACT_COLUMNS = (
    Contact.id,
    Contact.phone,
    Contact.name,
    Contact.email,
    Contact.attributes,
    Contact.timezone,
    Contact.opted_in_at,
    Contact.opted_out_at,
    Contact.marketing_opted_out_at,
    Contact.opt_out_review_at,
    Contact.last_inbound_at,
)


def _load_context(db: Session, rows: list[Claimed]) -> dict[str, Any]:
    contact_ids = sorted({r.contact_id for r in rows if r.contact_id is not None})
    # FOR SHARE: a concurrent opt-out waits for this transaction (ignored on SQLite).
    # Plain rows, not ORM objects (3× cheaper per contact); personalisation and the policy
    # only read attributes.
    contacts = {
        c.id: c
        for c in db.execute(
            select(*_CONTACT_COLUMNS)
            .where(Contact.id.in_(contact_ids))
            .order_by(Contact.id)
            .with_for_update(read=True)
        )
    }
    campaign_ids = {r.campaign_id for r in rows if r.campaign_id is not None}
    campaigns = {c.id: c for c in db.scalars(select(Campaign).where(Campaign.id.in_(campaign_ids)))}
    steps = {
        (s.campaign_id, s.position): s
        for s in db.scalars(select(DripStep).where(DripStep.campaign_id.in_(campaign_ids)))
    }
    enrollment_ids = {r.enrollment_id for r in rows if r.enrollment_id is not None}
    enrollments = dict(
        db.execute(
            select(Enrollment.id, Enrollment.state).where(Enrollment.id.in_(enrollment_ids))
        ).all()
    )
    template_ids = {r.template_id for r in rows if r.template_id is not None}
    template_ids |= {c.template_id for c in campaigns.values() if c.template_id is not None}
    template_ids |= {s.template_id for s in steps.values() if s.template_id is not None}
    categories = dict(
        db.execute(
            select(Template.id, Template.category).where(Template.id.in_(template_ids))
        ).all()
    )
    return {
        "contacts": contacts,
        "campaigns": campaigns,
        "steps": steps,
        "enrollments": enrollments,
        "categories": categories,
    }


def _source_template(row: Claimed, campaign: Campaign | None, step: DripStep | None):
    if step is not None:
        return step.template_id
    if campaign is not None:
        return campaign.template_id
    return row.template_id


def _render(
    db: Session, row: Claimed, contact: Any, campaign: Campaign | None, step: DripStep | None
) -> RenderedMessage:
    if campaign is not None:
        return render_message(db=db, campaign=campaign, contact=contact, step=step)
    template = row.payload.get("template") if row.payload else None
    if row.type == "template" and isinstance(template, dict):
        return RenderedMessage(
            kind="template",
            body=row.body or "",
            template_name=template.get("name"),
            language=template.get("language"),
            components=template.get("components") or [],
        )
    return RenderedMessage(kind="text", body=row.body or "")


async def _send_one(
    provider: WhatsAppProvider, creds: SenderCredentials, item: _Ready
) -> str | BaseException:
    r = item.rendered
    try:
        if r.kind == "template":
            return await provider.send_template(
                sender=creds,
                to=item.phone,
                name=r.template_name or "",
                language=r.language or "en_US",
                components=r.components,
                callback_data=str(item.row.id),
            )
        if r.kind == "media":
            kind, media = r.media_object()
            return await provider.send_media(
                sender=creds, to=item.phone, kind=kind, media=media, callback_data=str(item.row.id)
            )
        return await provider.send_text(
            sender=creds, to=item.phone, body=r.body, callback_data=str(item.row.id)
        )
    except WhatsAppError as err:
        return err
    except Exception as exc:  # unknown failure inside the call: it may have gone out
        log.exception("unexpected error sending message %s", item.row.id)
        return WhatsAppError(message=repr(exc)[:500], category=ErrorCategory.AMBIGUOUS)


async def _send_all(
    provider: WhatsAppProvider,
    creds: SenderCredentials,
    items: list[_Ready],
    started: set[int] | None = None,
) -> list[str | BaseException]:
    """Send concurrently; `started` collects the ids whose request began (may have gone out)."""
    gate = asyncio.Semaphore(max(1, settings.SEND_CONCURRENCY))
    stopped = False
    started = set() if started is None else started

    async def one(item: _Ready) -> str | BaseException:
        nonlocal stopped
        async with gate:
            if stopped:
                return _NotAttempted()
            started.add(item.row.id)
            result = await _send_one(provider, creds, item)
            if isinstance(result, WhatsAppError) and result.category == "sender_blocked":
                stopped = True
            return result

    return await asyncio.gather(*(one(i) for i in items))


def _put_back(
    sender: SenderInfo,
    rows: list[Claimed],
    ready: list[_Ready],
    granted: dict[int, bool],
    started: set[int],
    throttle: ThrottleStore,
) -> None:
    """An error before the sends (or between them): every row whose request never started
    goes back to `queued`, the claim's attempt undone, due now; its pacing slot is released.
    Rows whose request started stay `sending` (they may have gone out: the reconciler makes
    them `unknown`)."""
    now = utcnow()
    back = results.Recorder(sender_id=sender.id)
    for row in rows:
        if row.id not in started:
            back.defer(row, now, reason="batch_error", now=now)
    slots = [item.slot for item in ready if item.row.id not in started]
    try:
        if back.requeued:
            back.write_with_retry(now=now)
    except Exception:
        log.exception("could not put back %s claimed rows", len(back.requeued))
    try:
        if slots:
            throttle.release(
                sender_id=sender.id, slots=slots, granted=granted, portfolio=sender.waba_id
            )
    except Exception:  # a slot kept too long only makes pacing stricter
        log.warning("could not release %s pacing slots", len(slots), exc_info=True)


def process_batch(
    *, sender: SenderInfo, rows: list[Claimed], throttle: ThrottleStore
) -> BatchReport:
    """Check, reserve, send and record one claimed batch. Never raises for a send failure."""
    began = time.perf_counter()
    out = results.Recorder(sender_id=sender.id)
    now = utcnow()
    ready: list[_Ready] = []
    granted: dict[int, bool] = {}
    pacing_error: Exception | None = None
    sent_results: list[str | BaseException] = []
    started: set[int] = set()
    sends_done = False
    raise_after: BaseException | None = None
    maker = get_sessionmaker()
    try:
        with maker() as ldb:
            ctx = _load_context(ldb, rows)
            candidates: list[tuple[Claimed, Any, RenderedMessage, bool]] = []
            for row in rows:
                contact = ctx["contacts"].get(row.contact_id)
                campaign = ctx["campaigns"].get(row.campaign_id) if row.campaign_id else None
                step = ctx["steps"].get((row.campaign_id, row.step_index or 0))
                step = step if campaign is not None and campaign.type == "drip" else None
                template_id = _source_template(row, campaign, step)
                verdict = policy.check(
                    contact=contact,
                    campaign=campaign,
                    is_template=template_id is not None or row.type == "template",
                    template_category=ctx["categories"].get(template_id),
                    enrollment_state=ctx["enrollments"].get(row.enrollment_id),
                    now=now,
                    optout_confirmation=(row.payload or {}).get("origin") == "optout_confirmation",
                )
                if verdict.action != Action.SEND:
                    out.apply_verdict(row, verdict, now=now)
                    continue
                try:
                    rendered = _render(ldb, row, contact, campaign, step)
                except Exception as exc:
                    out.finish(row, "failed", now=now, code="render_error", detail=str(exc)[:500])
                    continue
                outside = not policy.in_service_window(contact.last_inbound_at, now)
                candidates.append((row, contact, rendered, outside))
            slots = [Slot(r.id, c.id, o, r.past_sends) for r, c, _, o in candidates]
            try:
                granted = throttle.reserve(
                    db=ldb,
                    sender_id=sender.id,
                    caps=sender.caps,
                    slots=slots,
                    now=now,
                    portfolio=sender.waba_id,
                )
            except Exception as exc:  # Redis down: nothing was sent, put the rows back
                pacing_error = exc
                for row, *_ in candidates:
                    out.defer(row, now, reason="pacing_unavailable", now=now)
                candidates, slots, granted = [], [], {}
            room_at: datetime | None = None
            for (row, contact, rendered, _), slot in zip(candidates, slots, strict=True):
                if slot.message_id in granted:
                    ready.append(_Ready(row, contact.phone, rendered, slot))
                    continue
                if room_at is None:
                    usage = throttle.usage(
                        db=ldb, sender_id=sender.id, now=now, portfolio=sender.waba_id
                    )
                    room_at = next_room_at(usage, sender.caps, now)
                out.defer(row, max(room_at, now + MIN_DEFER), reason="rate_cap", now=now)
            if ready and ldb.get_bind().dialect.name == "sqlite":
                # SQLite has no share locks: this transaction would hold the whole database's
                # write lock (BEGIN IMMEDIATE) through the requests, blocking the API and the
                # sandbox's own webhook writes. Nothing below reads through it.
                ldb.rollback()
            if ready:
                provider = provider_for(sender.provider)
                sent_results = run_async(_send_all(provider, sender.credentials, ready, started))
                sends_done = True
            ldb.rollback()  # read-only: ends the transaction, releasing the share locks
    except BaseException as exc:
        if not sends_done:
            # Nothing after the claim may leave never-sent rows in `sending` (they would end
            # `unknown`, never retried, yet counted against the caps): put them back.
            _put_back(sender, rows, ready, granted, started, throttle)
            raise
        # The sends happened: record them first, whatever broke afterwards.
        log.warning("ending the check transaction failed after the sends", exc_info=True)
        if not isinstance(exc, Exception):
            raise_after = exc
    done = utcnow()
    unsent: list[Slot] = []
    for item, result in zip(ready, sent_results, strict=True):
        if isinstance(result, str):
            out.sent(
                item.row,
                wamid=result,
                body=item.rendered.body,
                now=done,
                outside_window=item.slot.new_recipient,
            )
        elif isinstance(result, _NotAttempted):
            out.defer(item.row, done, reason="sender_stopped", now=done)
            unsent.append(item.slot)
        else:
            assert isinstance(result, WhatsAppError)
            if out.failed_send(item.row, result, body=item.rendered.body, now=done):
                unsent.append(item.slot)
    out.write_with_retry(now=done)
    if unsent:
        try:
            throttle.release(
                sender_id=sender.id, slots=unsent, granted=granted, portfolio=sender.waba_id
            )
        except Exception:  # a slot kept too long only makes pacing stricter
            log.warning("could not release %s pacing slots", len(unsent), exc_info=True)
    if raise_after is not None:
        raise raise_after
    metrics.observe_batch(out, time.perf_counter() - began)
    if pacing_error is not None:
        raise pacing_error  # the task retries with backoff once the store is back
    return out.report(BatchReport)
