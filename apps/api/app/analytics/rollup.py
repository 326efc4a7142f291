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
4. moves the watermark to the time the read started.

A message that is deleted (retention cleanup, a deleted contact) is simply never read again:
its fact and its counts stay, which is why `cleanup_old_messages` never changes history.
`full=True` walks the whole table instead (first run, or to re-check after a restore).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, select
from sqlalchemy.orm import Session, aliased

from app.analytics.definitions import FACT_FIELDS, Cell, Fact, delta
from app.analytics.models import AnalyticsCounter, AnalyticsState, MessageFact
from app.campaigns.models import Campaign, DripStep
from app.core.config import settings
from app.core.db import dialect_insert, utcnow
from app.core.enums import CampaignType, Direction
from app.messaging.models import Message

STATE_ID = 1
CHUNK = 5000


@dataclass
class RefreshReport:
    read: int = 0
    changed: int = 0
    cells: int = 0
    seconds: float = 0.0
    watermark: datetime | None = None


def _message_columns() -> list[Any]:
    m, c, st = Message, Campaign, DripStep
    failed_or_skipped = func.coalesce(m.skip_reason, m.error_code)
    return [
        m.id,
        m.workspace_id,
        m.created_at,
        (m.direction == Direction.INBOUND).label("inbound"),
        m.status,
        failed_or_skipped.label("reason"),
        m.campaign_id,
        m.step_index,
        m.sender_id,
        func.coalesce(m.template_id, st.template_id, c.template_id).label("template_id"),
        m.rewritten,
        and_(
            m.direction == Direction.OUTBOUND,
            m.in_reply_to_id.is_not(None),
            m.campaign_id.is_(None),
        ).label("auto_reply"),
        m.needs_review,
        m.sent_at,
        m.delivered_at,
        m.read_at,
        m.failed_at,
        m.replied_at,
        m.received_at,
    ]


def _fact_of(row: Any, offset: int) -> Fact:
    values = row[offset : offset + len(FACT_FIELDS)]
    return Fact(**dict(zip(FACT_FIELDS, values, strict=True)))


def _read(db: Session, where: Any, after_id: int) -> list[Any]:
    m, f = Message, aliased(MessageFact)
    c, st = Campaign, DripStep
    stmt = (
        select(*_message_columns(), f.message_id, *(getattr(f, n) for n in FACT_FIELDS))
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
    return list(db.execute(stmt))


def _write_facts(db: Session, facts: list[tuple[int, Fact]]) -> None:
    if not facts:
        return
    rows = [{"message_id": mid, **{n: getattr(f, n) for n in FACT_FIELDS}} for mid, f in facts]
    ins = dialect_insert(db)(MessageFact)
    stmt = ins.on_conflict_do_update(
        index_elements=["message_id"], set_={n: getattr(ins.excluded, n) for n in FACT_FIELDS}
    )
    for start in range(0, len(rows), 1000):
        db.execute(stmt, rows[start : start + 1000])


def _apply(db: Session, cells: Counter[Cell]) -> int:
    rows = [
        {"workspace_id": ws, "scope": s, "key": k, "slot": slot, "measure": m, "value": v}
        for (ws, s, k, slot, m), v in sorted(cells.items())
        if v
    ]
    if not rows:
        return 0
    ins = dialect_insert(db)(AnalyticsCounter)
    stmt = ins.on_conflict_do_update(
        index_elements=["workspace_id", "scope", "key", "slot", "measure"],
        set_={"value": AnalyticsCounter.value + ins.excluded.value},
    )
    for start in range(0, len(rows), 1000):
        db.execute(stmt, rows[start : start + 1000])
    return len(rows)


def _lock_state(db: Session) -> AnalyticsState:
    db.execute(
        dialect_insert(db)(AnalyticsState)
        .values(id=STATE_ID, last_changed=0)
        .on_conflict_do_nothing(index_elements=["id"])
    )
    return db.execute(
        select(AnalyticsState).where(AnalyticsState.id == STATE_ID).with_for_update()
    ).scalar_one()


def refresh(*, db: Session, full: bool = False, now: datetime | None = None) -> RefreshReport:
    """Bring the rollups up to date with the messages table. Flushes; the caller commits."""
    began = time.perf_counter()
    state = _lock_state(db)
    started = now or utcnow()
    overlap = timedelta(seconds=settings.ANALYTICS_REFRESH_OVERLAP_SECONDS)
    if full or state.watermark is None:
        where: Any = Message.id > 0
    else:
        where = Message.updated_at >= state.watermark - overlap
    report = RefreshReport()
    cells: Counter[Cell] = Counter()
    after = 0
    width = len(_message_columns())
    while True:
        rows = _read(db, where, after)
        if not rows:
            break
        after = rows[-1][0]
        report.read += len(rows)
        changed: list[tuple[int, Fact]] = []
        for row in rows:
            new = _fact_of(row, 1)
            old = _fact_of(row, width + 1) if row[width] is not None else None
            if old is not None and old.created_at != new.created_at:
                old = None  # a reused id (SQLite): the deleted message keeps its counts
            if old == new:
                continue
            delta(old, new, cells)
            changed.append((row[0], new))
        _write_facts(db, changed)
        report.changed += len(changed)
        if len(rows) < CHUNK:
            break
    report.cells = _apply(db, cells)
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
