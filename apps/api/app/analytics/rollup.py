"""Keeping the rollups exact: read what changed, add the difference.

A refresh (run by `update_campaign_analytics`):

1. locks the one `analytics_state` row, so two refreshes never add the same difference twice;
2. reads every message whose `updated_at` is at or after the previous watermark minus
   ANALYTICS_REFRESH_OVERLAP_SECONDS (a writer stamps `updated_at` before it commits; the
   overlap re-reads rows a slow transaction committed late), together with its fact — the
   state the rollups last counted for it;
3. for each row whose state differs from its fact, adds `definitions.delta(fact, state)` to the
   counters and stores the new fact. Re-reading an unchanged row adds nothing, so the overlap
   costs time, never correctness;
4. folds the same differences into engagement's local-time rollup (app.analytics.local),
   rebuilding it for a workspace whose time zone changed;
5. moves the watermark to the time the read started.

A message that is deleted (retention cleanup, a deleted contact) is simply never read again:
its fact and its counts stay, which is why `cleanup_old_messages` never changes history.
`full=True` walks the whole table instead (first run, or to re-check after a restore).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Integer,
    and_,
    any_,
    case,
    cast,
    delete,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, aliased

from app.analytics import local
from app.analytics.bulk import upsert
from app.analytics.definitions import (
    FACT_FIELDS,
    SLOT_SECONDS,
    Cell,
    Fact,
    bucket_index,
    delta,
)
from app.analytics.models import AnalyticsCounter, AnalyticsState, MessageFact
from app.campaigns.models import Campaign, DripStep
from app.contacts.models import Contact
from app.core.config import settings
from app.core.db import dialect_insert, utcnow
from app.core.enums import CampaignType, Direction
from app.messaging.models import Message
from app.workspaces.models import Workspace

# Outbound rows the product sent on its own (app.replies), counted as auto-answered.
AUTO_ORIGINS = ("auto_response", "optout_confirmation")

STATE_ID = 1
CHUNK = 5000


@dataclass
class RefreshReport:
    read: int = 0
    changed: int = 0
    cells: int = 0
    rebuilt: int = 0  # workspaces whose local-time rollup was rebuilt (zone changed, full)
    seconds: float = 0.0
    watermark: datetime | None = None


def _slot(db: Session, column: Any) -> Any:
    """The UTC quarter-hour of a timestamp, in SQL (NULL stays NULL)."""
    if db.get_bind().dialect.name == "postgresql":
        return cast(func.floor(func.extract("epoch", column) / SLOT_SECONDS), BigInteger)
    return cast(func.strftime("%s", column), Integer) // SLOT_SECONDS


def _seconds(db: Session, later: Any, earlier: Any) -> Any:
    if db.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def _message_columns(db: Session) -> list[Any]:
    """A message's state in `Fact` order (the last one is its reply time in seconds)."""
    m, c, st = Message, Campaign, DripStep
    return [
        m.workspace_id,
        _slot(db, m.created_at),
        m.direction == Direction.INBOUND,
        m.status,
        func.coalesce(m.skip_reason, m.error_code),
        m.campaign_id,
        m.step_index,
        func.coalesce(c.type == CampaignType.DRIP, False),
        m.sender_id,
        func.coalesce(m.template_id, st.template_id, c.template_id),
        # AI-rewritten (a variant of the campaign's pool) or the original text: outbound text
        # of a campaign only (a template's text is Meta's, never rewritten).
        case(
            (
                and_(
                    m.direction == Direction.OUTBOUND,
                    m.campaign_id.is_not(None),
                    func.coalesce(m.template_id, st.template_id, c.template_id).is_(None),
                ),
                m.variant.is_not(None),
            ),
            else_=None,
        ),
        # Sent by the product on its own (app.replies): auto-responses, opt-out confirmations.
        func.coalesce(m.origin.in_(AUTO_ORIGINS), False),
        m.needs_review,
        _slot(db, m.sent_at),
        _slot(db, m.delivered_at),
        _slot(db, m.read_at),
        _slot(db, m.failed_at),
        _slot(db, m.replied_at),
        _slot(db, m.received_at),
        _seconds(db, m.replied_at, func.coalesce(m.sent_at, m.created_at)),
    ]


WIDTH = len(FACT_FIELDS)


def _new_fact(row: Any) -> Fact:
    values = list(row[1 : 1 + WIDTH])
    values[-1] = bucket_index(values[-1])
    return Fact(*values)


def _old_fact(row: Any) -> Fact | None:
    if row[1 + WIDTH] is None:
        return None
    return Fact(*row[2 + WIDTH : 2 + 2 * WIDTH])


def _read(db: Session, where: Any, after_id: int) -> list[Any]:
    m, f = Message, aliased(MessageFact)
    c, st = Campaign, DripStep
    stmt = (
        select(m.id, *_message_columns(db), f.message_id, *(getattr(f, n) for n in FACT_FIELDS))
        .outerjoin(f, f.message_id == m.id)
        .outerjoin(c, c.id == m.campaign_id)
        .outerjoin(
            st,
            and_(
                st.campaign_id == m.campaign_id,
                st.position == m.step_index,
                c.type == CampaignType.DRIP,
            ),
        )
        .where(where, m.id > after_id)
        .order_by(m.id)
        .limit(CHUNK)
    )
    return db.connection().execute(stmt).all()  # Core rows: no ORM loading per row


def _chunks(db: Session, *, full: bool, since: datetime | None) -> Iterator[list[Any]]:
    """The rows to look at, CHUNK at a time in id order: every row (full), or those changed
    since `since` — their ids found through the updated_at index first, so a small window
    never walks the primary key of the whole table."""
    if full or since is None:
        after = 0
        while rows := _read(db, Message.id > after, 0):
            yield rows
            after = rows[-1][0]
            if len(rows) < CHUNK:
                return
        return
    ids = sorted(db.scalars(select(Message.id).where(Message.updated_at >= since)))
    pg = db.get_bind().dialect.name == "postgresql"
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        # PostgreSQL: one array parameter, not CHUNK bind parameters to render each time
        match = Message.id == any_(cast(chunk, ARRAY(BigInteger))) if pg else Message.id.in_(chunk)
        yield _read(db, match, 0)


def _write_facts(db: Session, facts: list[tuple[int, Fact]]) -> None:
    rows = [{"message_id": mid, **{n: getattr(f, n) for n in FACT_FIELDS}} for mid, f in facts]
    upsert(
        db, MessageFact, rows, ["message_id"], ", ".join(f"{n} = EXCLUDED.{n}" for n in FACT_FIELDS)
    )


def _apply(db: Session, cells: Counter[Cell]) -> int:
    rows = [
        {"workspace_id": ws, "scope": s, "key": k, "slot": slot, "measure": m, "value": v}
        for (ws, s, k, slot, m), v in sorted(cells.items())
        if v
    ]
    upsert(
        db,
        AnalyticsCounter,
        rows,
        ["workspace_id", "scope", "key", "measure", "slot"],
        "value = analytics_counters.value + EXCLUDED.value",
        add=True,
    )
    return len(rows)


def _count_contacts(db: Session) -> None:
    """`total_contacts` per workspace, counted once per refresh instead of per request."""
    rows = [
        {
            "workspace_id": ws,
            "scope": "total",
            "key": "",
            "measure": "contacts",
            "slot": 0,
            "value": n,
        }
        for ws, n in db.execute(
            select(Workspace.id, func.count(Contact.id))
            .outerjoin(Contact, Contact.workspace_id == Workspace.id)
            .group_by(Workspace.id)
        )
    ]
    upsert(
        db,
        AnalyticsCounter,
        rows,
        ["workspace_id", "scope", "key", "measure", "slot"],
        "value = EXCLUDED.value",
    )


def _lock_state(db: Session, *, wait: bool = True) -> AnalyticsState | None:
    db.execute(
        dialect_insert(db)(AnalyticsState)
        .values(id=STATE_ID, last_changed=0)
        .on_conflict_do_nothing(index_elements=["id"])
    )
    stmt = select(AnalyticsState).where(AnalyticsState.id == STATE_ID)
    return db.execute(stmt.with_for_update(skip_locked=not wait)).scalar_one_or_none()


def refresh_if_stale(*, db: Session, max_age: float) -> bool:
    """Refresh first when the figures are older than `max_age` seconds and no other refresh
    is running (reads never queue behind one). True if it refreshed (the caller commits)."""
    if max_age <= 0:
        return False
    seen = as_of(db=db)
    if seen is not None and (utcnow() - seen).total_seconds() < max_age:
        return False
    state = _lock_state(db, wait=False)
    if state is None:
        return False
    refresh(db=db, state=state)
    return True


def refresh(
    *,
    db: Session,
    full: bool = False,
    now: datetime | None = None,
    state: AnalyticsState | None = None,
) -> RefreshReport:
    """Bring the rollups up to date with the messages table. Flushes; the caller commits."""
    began = time.perf_counter()
    state = state or _lock_state(db)
    assert state is not None
    started = now or utcnow()
    overlap = timedelta(seconds=settings.ANALYTICS_REFRESH_OVERLAP_SECONDS)
    since = state.watermark - overlap if state.watermark is not None else None
    report = RefreshReport()
    cells: Counter[Cell] = Counter()
    for rows in _chunks(db, full=full or state.watermark is None, since=since):
        report.read += len(rows)
        changed: list[tuple[int, Fact]] = []
        for row in rows:
            new = _new_fact(row)
            old = _old_fact(row)
            if old is not None and (old.created, old.workspace_id) != (
                new.created,
                new.workspace_id,
            ):
                old = None  # a reused id (SQLite): the deleted message keeps its counts
            if old == new:
                continue
            delta(old, new, cells)
            changed.append((row[0], new))
        _write_facts(db, changed)
        report.changed += len(changed)
    report.cells = _apply(db, cells)
    # engagement's rollup in local time; `full` also rebuilds it from the counters
    report.rebuilt = local.update(db=db, cells=cells, rebuild_all=full)
    _count_contacts(db)
    state.watermark = started
    state.refreshed_at = utcnow()
    state.last_changed = report.changed
    report.seconds = time.perf_counter() - began
    state.last_seconds = report.seconds
    report.watermark = started
    db.flush()
    return report


def prune_facts(*, db: Session) -> int:
    """Forget the facts of deleted messages (their counts stay). Only below the highest live
    id, so a fact is never dropped for a row that is about to be read."""
    top = db.scalar(select(func.max(Message.id))) or 0
    gone = ~select(Message.id).where(Message.id == MessageFact.message_id).exists()
    result = db.execute(
        delete(MessageFact)
        .where(MessageFact.message_id < top, gone)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


def as_of(*, db: Session) -> datetime | None:
    """When the rollups last read the messages table (figures include changes up to then)."""
    return db.scalar(select(AnalyticsState.watermark).where(AnalyticsState.id == STATE_ID))


__all__ = ["RefreshReport", "as_of", "prune_facts", "refresh"]
