"""Status webhooks (sent / delivered / read / failed) applied to outbound messages, a batch at
a time.

One conditional UPDATE per status managed ~300 events/s; a sweep batch (up to 500 stored
deliveries) is now applied with a fixed handful of statements whatever its size:

1. the outbound rows the batch names (by wamid, or by our id in biz_opaque_callback_data) are
   read and locked by ONE `SELECT … ORDER BY id FOR UPDATE` — id order, so two sweeps touching
   the same messages lock them in the same order and cannot deadlock each other; a second
   sweep waits and then reads the first one's committed result;
2. the batch's statuses are replayed on those rows in memory, in arrival order, by `advance`
   (the forward-only rules below) — so a batch ends exactly where applying its deliveries one
   by one would, however it was cut;
3. the rows that changed are written by ONE `UPDATE … FROM unnest(arrays)` on PostgreSQL (an
   executemany on SQLite), each guarded by `status = <status read under the lock>`; the
   changes that applied get their message_events in ONE multi-row INSERT.

Rules (`advance`): a status never moves a row backwards (`STATUS_RANK`); `failed` applies only
to sending/unknown/sent rows, never over delivered/read, and is terminal — except that its
error code may requeue the row or stop the number (`app.inbound.status_errors`); a
duplicate changes nothing; each status keeps its own webhook timestamp — `delivered` (or
`sent`) arriving after `read` leaves the row `read` but records the true, earlier delivered_at
(sent_at); `read` fills an empty delivered_at and sent_at (Meta skips `delivered` when a
message is read at once).

Nothing here commits; the task does.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, or_, select, text, update
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session

from app.contacts.models import Contact
from app.core.db import utcnow
from app.core.enums import STATUS_RANK, Direction, MessageStatus
from app.inbound.parser import StatusUpdate
from app.inbound.status_errors import (
    FailureEffects,
    after_failed,
    past_attempts,
    write_effects,
)
from app.messaging.models import Message, MessageEvent

log = logging.getLogger(__name__)

S = MessageStatus
MARKETING_OPT_OUT_CODE = 131050
# `failed` settles a message that may still be in flight; never one already delivered or read.
FAILABLE = frozenset({S.SENDING, S.UNKNOWN, S.SENT})
TIMESTAMP_COLUMN = {
    S.SENT: "sent_at",
    S.DELIVERED: "delivered_at",
    S.READ: "read_at",
    S.FAILED: "failed_at",
}
_STATE = ("status", "wamid", "sent_at", "delivered_at", "read_at", "failed_at")
_STATE_ERR = (*_STATE, "error_code", "error_detail")
# What a write sets: the state, plus the retry columns a failed status may requeue with.
_WRITTEN = (
    *_STATE_ERR,
    "attempts",
    "next_attempt_at",
    "first_deferred_at",
    "past_sends",
    "past_sent_at",
)


@dataclass(frozen=True)
class StatusItem:
    """One status of a stored delivery, routed to the workspace of the number it came to."""

    update: StatusUpdate
    workspace_id: int
    webhook_event_id: int | None = None


@dataclass
class _Row:
    """An outbound message as read under its row lock, then moved in memory."""

    id: int
    workspace_id: int
    contact_id: int | None  # None once the contact was erased
    sender_id: int | None
    campaign_id: int | None
    wamid: str | None
    status: str
    sent_at: datetime | None
    delivered_at: datetime | None
    read_at: datetime | None
    failed_at: datetime | None
    error_code: str | None
    error_detail: str | None
    attempts: int
    next_attempt_at: datetime | None
    first_deferred_at: datetime | None
    past_sends: int
    past_sent_at: datetime | None
    locked_status: str = ""  # the write's guard
    changed: bool = False

    def __post_init__(self) -> None:
        self.locked_status = self.status


def callback_id(update_: StatusUpdate) -> int | None:
    """Our message id, carried in biz_opaque_callback_data when we sent it."""
    data = update_.biz_opaque_callback_data
    if data and data.isdigit() and len(data) < 19:
        return int(data)
    return None


def error_fields(update_: StatusUpdate) -> tuple[str | None, str]:
    err = update_.errors[0]
    data = err.get("error_data") if isinstance(err.get("error_data"), dict) else {}
    parts = [str(p) for p in (err.get("title"), err.get("message"), data.get("details")) if p]
    detail = " — ".join(dict.fromkeys(parts))  # Meta often repeats title as message
    code = err.get("code")
    return (str(code)[:20] if code is not None else None), detail


def moves_forward(current: str, new: str) -> bool:
    if new == S.FAILED:
        return current in FAILABLE
    rank = STATUS_RANK.get(current)
    return rank is not None and rank < STATUS_RANK[new]


def advance(row: _Row, update_: StatusUpdate, ts: datetime) -> bool:
    """Apply one status to a row in memory. True if it moved the row (an event is due)."""
    new, column = update_.status, TIMESTAMP_COLUMN[update_.status]
    if not moves_forward(row.status, new):
        # Late (delivered after read) or duplicate: the status stays, but its own time is
        # kept when the column is empty or holds a later, filled-in time.
        current = getattr(row, column)
        timed = S.FAILED not in (new, row.status)
        if timed and (current is None or current > ts):
            setattr(row, column, ts)
            row.wamid = row.wamid or update_.wamid
            row.changed = True
        return False
    row.status = new
    row.wamid = row.wamid or update_.wamid
    if getattr(row, column) is None:
        setattr(row, column, ts)
    if new in (S.DELIVERED, S.READ):
        row.sent_at = row.sent_at or ts
    if new == S.READ:
        row.delivered_at = row.delivered_at or ts
    if new == S.FAILED and update_.errors:
        row.error_code, row.error_detail = error_fields(update_)
    row.changed = True
    return True


def _lock_rows(db: Session, items: list[StatusItem]) -> list[_Row]:
    wamids = {i.update.wamid for i in items}
    ids = {c for i in items if (c := callback_id(i.update)) is not None}
    match = Message.wamid.in_(wamids)
    if ids:
        # Not "wamid IS NULL" here: after waiting for a lock, PostgreSQL re-checks the WHERE on
        # the new row version, and a wamid set meanwhile would drop the row. Checked in _match.
        match = or_(match, Message.id.in_(ids))
    stmt = (
        select(
            Message.id,
            Message.workspace_id,
            Message.contact_id,
            Message.sender_id,
            Message.campaign_id,
            *(getattr(Message, c) for c in _WRITTEN),
        )
        .where(
            match,
            Message.direction == Direction.OUTBOUND,
            Message.workspace_id.in_({i.workspace_id for i in items}),
        )
        .order_by(Message.id)
        .with_for_update()
    )
    return [_Row(**r._mapping) for r in db.execute(stmt)]


def _match(
    item: StatusItem,
    by_wamid: dict[str, _Row],
    by_id: dict[int, _Row],
    past: set[tuple[int, str]],
) -> _Row | None:
    """By wamid, or by callback id while the row's wamid is unknown (the send crashed after
    Meta accepted it, or the row was requeued after a failed status) unless the status names
    an attempt Meta already failed (`past`); in the delivering number's workspace only."""
    row = by_wamid.get(item.update.wamid)
    if row is not None and row.workspace_id == item.workspace_id:
        return row
    cid = callback_id(item.update)
    row = by_id.get(cid) if cid is not None else None
    if row is not None and row.workspace_id == item.workspace_id and row.wamid is None:
        return None if (row.id, item.update.wamid) in past else row
    return None


def event_data(update_: StatusUpdate, webhook_event_id: int | None) -> dict[str, Any]:
    data: dict[str, Any] = {"wamid": update_.wamid, "source": "webhook"}
    if webhook_event_id is not None:
        data["webhook_event_id"] = webhook_event_id
    for key in ("errors", "conversation", "pricing"):
        value = getattr(update_, key)
        if value:
            data[key] = value
    return data


def apply_statuses(*, db: Session, items: list[StatusItem]) -> list[str]:
    """Apply a batch of statuses set-based. Returns, per item: applied | stale | unmatched |
    ignored (statuses such as `deleted` or `played` move nothing)."""
    outcomes = ["ignored"] * len(items)
    live = [(k, i) for k, i in enumerate(items) if i.update.status in TIMESTAMP_COLUMN]
    if not live:
        return outcomes
    rows = _lock_rows(db, [i for _, i in live])
    by_id = {r.id: r for r in rows}
    by_wamid = {r.wamid: r for r in rows if r.wamid}
    past = past_attempts(db, {r.id for r in rows if r.wamid is None})
    now = utcnow()
    events: list[dict[str, Any]] = []
    opt_outs: dict[int, datetime] = {}
    effects = FailureEffects()
    for k, item in live:
        row = _match(item, by_wamid, by_id, past)
        if row is None:
            outcomes[k] = "unmatched"
            continue
        ts = item.update.timestamp or now
        applied = advance(row, item.update, ts)
        if row.wamid:
            by_wamid.setdefault(row.wamid, row)  # later statuses may name it by wamid
        outcomes[k] = "applied" if applied else "stale"
        if not applied:
            continue
        events.append(
            {
                "message_id": row.id,
                "event": item.update.status,
                "occurred_at": ts,
                "data": event_data(item.update, item.webhook_event_id),
            }
        )
        if item.update.status != S.FAILED:
            continue
        if MARKETING_OPT_OUT_CODE in item.update.error_codes and row.contact_id is not None:
            opt_outs.setdefault(row.contact_id, ts)
        requeued = after_failed(row, item.update, now=now, effects=effects)
        if requeued is not None:  # that attempt is over: its statuses no longer match
            by_wamid.pop(requeued, None)
            past.add((row.id, requeued))
    _write_rows(db, [r for r in rows if r.changed], now)
    events.extend(effects.events)
    if events:
        db.connection().execute(insert(MessageEvent.__table__), events)
    write_effects(db=db, effects=effects, now=now)
    for contact_id, ts in opt_outs.items():
        db.execute(
            update(Contact)
            .where(Contact.id == contact_id, Contact.marketing_opted_out_at.is_(None))
            .values(marketing_opted_out_at=ts, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    return outcomes


_PG_WRITE = text(
    """
    UPDATE messages AS m
    SET status = v.status, wamid = v.wamid, sent_at = v.sent_at,
        delivered_at = v.delivered_at, read_at = v.read_at, failed_at = v.failed_at,
        error_code = v.error_code, error_detail = v.error_detail, attempts = v.attempts,
        next_attempt_at = v.next_attempt_at, first_deferred_at = v.first_deferred_at,
        past_sends = v.past_sends, past_sent_at = v.past_sent_at, updated_at = :now
    FROM unnest(
        CAST(:id AS bigint[]), CAST(:guard AS text[]), CAST(:status AS text[]),
        CAST(:wamid AS text[]), CAST(:sent_at AS timestamptz[]),
        CAST(:delivered_at AS timestamptz[]), CAST(:read_at AS timestamptz[]),
        CAST(:failed_at AS timestamptz[]), CAST(:error_code AS text[]),
        CAST(:error_detail AS text[]), CAST(:attempts AS integer[]),
        CAST(:next_attempt_at AS timestamptz[]), CAST(:first_deferred_at AS timestamptz[]),
        CAST(:past_sends AS integer[]), CAST(:past_sent_at AS timestamptz[])
    ) AS v(id, guard, status, wamid, sent_at, delivered_at, read_at, failed_at,
           error_code, error_detail, attempts, next_attempt_at, first_deferred_at,
           past_sends, past_sent_at)
    WHERE m.id = v.id AND m.status = v.guard
    """
)
_GENERIC_WRITE = (
    update(Message.__table__)
    .where(
        Message.__table__.c.id == bindparam("b_id"),
        Message.__table__.c.status == bindparam("b_guard"),
    )
    .values({c: bindparam(f"b_{c}") for c in (*_WRITTEN, "updated_at")})
)


class ConcurrentChange(RuntimeError):
    """A locked row changed under us: cannot happen while every writer locks rows."""


def _write_rows(db: Session, rows: list[_Row], now: datetime) -> None:
    if not rows:
        return
    conn = db.connection()
    if conn.dialect.name == "postgresql":
        params: dict[str, Any] = {c: [getattr(r, c) for r in rows] for c in ("id", *_WRITTEN)}
        params.update(guard=[r.locked_status for r in rows], now=now)
        done = conn.execute(_PG_WRITE, params).rowcount
    else:
        done = conn.execute(
            _GENERIC_WRITE,
            [
                {
                    "b_id": r.id,
                    "b_guard": r.locked_status,
                    "b_updated_at": now,
                    **{f"b_{c}": getattr(r, c) for c in _WRITTEN},
                }
                for r in rows
            ],
        ).rowcount
    if done != len(rows):
        raise ConcurrentChange(f"{len(rows) - done} of {len(rows)} messages changed meanwhile")


def is_transient(exc: BaseException) -> bool:
    """A database-level failure — deadlock, lock or statement timeout, serialization failure,
    lost connection — says nothing about the record: the event must be retried, never recorded
    as done. Only data errors of one record (invalid phone, a clash) may be skipped."""
    if isinstance(exc, OperationalError | InterfaceError | ConcurrentChange):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def apply_isolated(*, db: Session, items: list[StatusItem]) -> list[tuple[str, str | None]]:
    """`apply_statuses` for the whole batch in a savepoint; if that fails, each status alone,
    so one unappliable record (e.g. a wamid clash) is reported and the rest still apply.

    Returns (outcome, error) per item. Database-level failures (deadlock, lock timeout) are
    raised: the caller's transaction is retried later rather than the statuses dropped.
    """
    if not items:
        return []
    try:
        with db.begin_nested():
            return [(o, None) for o in apply_statuses(db=db, items=items)]
    except Exception as exc:
        if len(items) == 1 and is_transient(exc):
            raise
        log.warning("status batch of %d not applied at once (%s); one by one", len(items), exc)
    results: list[tuple[str, str | None]] = []
    for item in items:
        try:
            with db.begin_nested():
                results.append((apply_statuses(db=db, items=[item])[0], None))
        except Exception as exc:
            if is_transient(exc):
                raise
            log.warning("status %s not applied: %s", item.update.wamid, exc)
            results.append(("error", f"{item.update.wamid}: {exc}"[:500]))
    return results
