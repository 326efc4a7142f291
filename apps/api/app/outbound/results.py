"""Recording what happened to each claimed row, in bulk (a few statements per batch).

Every write is conditional on the row still being `sending` (or `unknown`, for a late
success), so a status webhook that got there first is never overwritten and a status never
moves backwards (SPEC §5). Each change appends a MessageEvent.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from app.campaigns.models import Campaign
from app.campaigns.orphans import cancel_orphaned
from app.campaigns.service import maybe_complete
from app.contacts.models import Contact
from app.core.db import get_sessionmaker
from app.core.enums import CampaignStatus, Direction, MessageStatus, SenderStatus
from app.integrations.whatsapp.base import WhatsAppError
from app.messaging.models import Message, MessageEvent
from app.outbound import retry
from app.outbound.policy import Action, Verdict
from app.outbound.results_sql import _FINISH, _REQUEUE, _record_events, _record_sent
from app.senders.models import SenderNumber

if TYPE_CHECKING:
    from app.outbound.pipeline import Claimed

log = logging.getLogger(__name__)
S = MessageStatus
__all__ = ["Recorder", "_record_sent", "stop_sender"]


class Recorder:
    """Collects outcomes of one batch and writes them in one transaction."""

    def __init__(self, *, sender_id: int) -> None:
        self.sender_id = sender_id
        self.sent_rows: list[dict[str, Any]] = []
        self.finished: list[dict[str, Any]] = []
        self.requeued: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.campaigns: set[int] = set()
        self.marketing_opt_outs: set[int] = set()
        self.sent_contacts: set[int] = set()
        self.blocked: WhatsAppError | None = None
        self.counts: Counter[str] = Counter()

    # --- collecting ----------------------------------------------------------------------
    def _event(self, row: Claimed, event: str, at: datetime, **data: Any) -> None:
        clean = {k: v for k, v in data.items() if v is not None}
        self.events.append({"message_id": row.id, "event": event, "occurred_at": at, "data": clean})
        self.counts[event] += 1

    def sent(
        self,
        row: Claimed,
        *,
        wamid: str,
        body: str,
        now: datetime,
        outside_window: bool | None = None,
    ) -> None:
        self.sent_rows.append(
            {
                "b_id": row.id,
                "b_wamid": wamid,
                "b_body": body,
                "b_outside": outside_window,
                "b_at": now,
            }
        )
        if row.contact_id is not None:
            self.sent_contacts.add(row.contact_id)
        if row.campaign_id is not None:
            self.campaigns.add(row.campaign_id)
        self._event(row, "sent", now, wamid=wamid)

    def finish(
        self,
        row: Claimed,
        status: str,
        *,
        now: datetime,
        reason: str | None = None,
        code: str | None = None,
        detail: str | None = None,
        body: str | None = None,
    ) -> None:
        self.finished.append(
            {
                "b_id": row.id,
                "b_status": str(status),
                "b_reason": reason,
                "b_code": code,
                "b_detail": detail,
                "b_body": body,
                "b_at": now,
            }
        )
        if row.campaign_id is not None:
            self.campaigns.add(row.campaign_id)
        self._event(row, str(status), now, reason=reason, code=code, detail=detail)

    def defer(
        self,
        row: Claimed,
        due: datetime,
        *,
        reason: str,
        now: datetime,
        undo: bool = True,
        code: str | None = None,
        detail: str | None = None,
        first_deferred_at: datetime | None = None,
        event: str = "deferred",
    ) -> None:
        self.requeued.append(
            {
                "b_id": row.id,
                "b_due": due,
                "b_undo": 1 if undo else 0,
                "b_code": code,
                "b_detail": detail,
                "b_first": first_deferred_at,
                "b_at": now,
            }
        )
        self._event(row, event, now, reason=reason, until=due.isoformat(), code=code)

    def apply_verdict(self, row: Claimed, verdict: Verdict, *, now: datetime) -> None:
        if verdict.action == Action.SKIP:
            self.finish(row, S.SKIPPED, now=now, reason=verdict.reason)
        elif verdict.action == Action.CANCEL:
            self.finish(row, S.CANCELLED, now=now, reason=verdict.reason)
        else:  # DEFER (quiet hours) or REQUEUE (campaign paused meanwhile)
            self.defer(row, verdict.until or now, reason=verdict.reason or "", now=now)

    def failed_send(self, row: Claimed, err: WhatsAppError, *, body: str, now: datetime) -> bool:
        """Record a failed provider call; True when nothing was sent (give the slot back)."""
        outcome = retry.outcome_for(
            err, attempts=row.attempts, first_deferred_at=row.first_deferred_at, now=now
        )
        code = str(err.code) if err.code is not None else None
        detail = (err.message or "")[:2000]
        if outcome.status == S.QUEUED:
            self.defer(
                row,
                outcome.next_attempt_at or now,
                reason=str(err.category),
                now=now,
                undo=outcome.undo_attempt,
                code=code,
                detail=detail,
                first_deferred_at=outcome.first_deferred_at,
                event=outcome.event,
            )
        else:
            self.finish(row, outcome.status, now=now, code=code, detail=detail, body=body)
        if outcome.block_sender and self.blocked is None:
            self.blocked = err
        if outcome.marketing_opt_out and row.contact_id is not None:
            self.marketing_opt_outs.add(row.contact_id)
        return outcome.release_slot

    # --- writing -------------------------------------------------------------------------
    def write(self, db: Session, *, now: datetime) -> None:

        conn = db.connection()  # Core executemany: one round trip per batch (pipelined)
        if self.sent_rows:
            _record_sent(conn, self.sent_rows)
        if self.finished:
            conn.execute(_FINISH, self.finished)
        if self.requeued:
            conn.execute(_REQUEUE, self.requeued)
            # A cancel committed after our policy check: the row must not wait forever.
            cancel_orphaned(db=db, message_ids=[r["b_id"] for r in self.requeued], now=now)
        if self.events:
            _record_events(conn, self.events)
        if self.sent_contacts:
            db.execute(
                update(Contact)
                .where(Contact.id.in_(sorted(self.sent_contacts)))
                .values(last_outbound_at=now)
            )
        if self.marketing_opt_outs:
            db.execute(
                update(Contact)
                .where(
                    Contact.id.in_(sorted(self.marketing_opt_outs)),
                    Contact.marketing_opted_out_at.is_(None),
                )
                .values(marketing_opted_out_at=now)
            )
        if self.blocked is not None:
            stop_sender(db=db, sender_id=self.sender_id, err=self.blocked, now=now)

    def write_with_retry(self, *, now: datetime, attempts: int = 5) -> None:
        """Commit the batch's results. The sends already happened, so a deadlock or a lost
        connection must not leave the rows in `sending`: retry the write. A commit that raised
        may still have succeeded (the connection broke after COMMIT reached the server): a
        retry first looks for this batch's first event and stops if it is there, so nothing is
        written twice (events, or a requeue of a row another dispatcher re-claimed meanwhile).
        Rows that vanished meanwhile (their campaign deleted) are dropped, not the batch."""

        for attempt in range(1, attempts + 1):
            try:
                with get_sessionmaker()() as db:
                    if attempt > 1 and self._landed(db):
                        log.warning("batch results were committed after all; not rewriting")
                        break
                    self.write(db, now=now)
                    db.commit()
                break
            except IntegrityError:
                if attempt == attempts or not self._drop_vanished():
                    raise
                log.warning("messages of this batch were deleted meanwhile; recording the rest")
            except OperationalError:
                if attempt == attempts:
                    raise
                log.warning("writing batch results failed (attempt %s); retrying", attempt)
                time.sleep(0.05 * 2**attempt)
        self.complete_campaigns()

    def _landed(self, db: Session) -> bool:
        if not self.events:
            return False
        first = self.events[0]
        return (
            db.scalar(
                select(MessageEvent.id)
                .where(
                    MessageEvent.message_id == first["message_id"],
                    MessageEvent.event == first["event"],
                    MessageEvent.occurred_at == first["occurred_at"],
                )
                .limit(1)
            )
            is not None
        )

    def _drop_vanished(self) -> bool:
        """Forget rows deleted since the claim; True when there were any."""
        ids = {e["message_id"] for e in self.events}
        ids |= {r["b_id"] for r in (*self.sent_rows, *self.finished, *self.requeued)}
        with get_sessionmaker()() as db:
            alive = set(db.scalars(select(Message.id).where(Message.id.in_(sorted(ids)))))
        gone = ids - alive
        if not gone:
            return False
        self.sent_rows = [r for r in self.sent_rows if r["b_id"] not in gone]
        self.finished = [r for r in self.finished if r["b_id"] not in gone]
        self.requeued = [r for r in self.requeued if r["b_id"] not in gone]
        self.events = [e for e in self.events if e["message_id"] not in gone]
        return True

    def complete_campaigns(self) -> None:
        """Complete campaigns this batch may have finished, in short transactions of their own
        (maybe_complete locks the campaign row; never hold that inside the results write)."""

        for campaign_id in sorted(self.campaigns):
            with get_sessionmaker()() as db:
                left = db.scalar(
                    select(Message.id)
                    .where(
                        Message.campaign_id == campaign_id,
                        Message.direction == Direction.OUTBOUND,
                        Message.status.in_([S.QUEUED, S.SENDING]),
                    )
                    .limit(1)
                )
                if left is None and maybe_complete(db=db, campaign_id=campaign_id):
                    db.commit()

    def report(self, cls: type) -> Any:
        return cls(
            sent=len(self.sent_rows),
            finished=len(self.finished),
            requeued=len(self.requeued),
            sender_blocked=self.blocked is not None,
            by_outcome=dict(self.counts),
        )


def stop_sender(*, db: Session, sender_id: int, err: WhatsAppError, now: datetime) -> None:
    """Pause (or block) the number and pause its running campaigns, saying why (SPEC §5)."""

    status = retry.sender_status_for(err)
    reason = f"Cloud API error {err.code}: {err.message}"
    if err.details.get("error_subcode") is not None:
        reason = (
            f"Cloud API error {err.code} (subcode {err.details['error_subcode']}): {err.message}"
        )
    if err.details.get("hint"):
        reason = f"{reason} — {err.details['hint']}"
    reason = reason[:1000]
    db.execute(
        update(SenderNumber)
        .where(SenderNumber.id == sender_id, SenderNumber.status == SenderStatus.ACTIVE)
        .values(status=status, status_reason=reason, status_changed_at=now, updated_at=now)
    )
    db.execute(
        update(Campaign)
        .where(Campaign.sender_id == sender_id, Campaign.status == CampaignStatus.RUNNING)
        .values(
            status=CampaignStatus.PAUSED,
            status_reason=f"sender number {status}: {reason}",
            updated_at=now,
        )
    )
