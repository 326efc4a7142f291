"""The engagement rollup: slot measures in workspace-local time.

Engagement groups a window of local days by local hour and weekday. From the quarter-hour
counters that means mapping 30 × 96 slots to local hours on every request; this rollup keeps
the result instead, in the workspace's zone: sends, reads and replies per (local day, local
hour) in `analytics_local_hours`, the reply-time histogram per local day in
`analytics_local_days` (it is only ever summed over the window).

It is keyed by *local* time, not by UTC hour shifted at read time, because offsets are not
always whole hours (Asia/Kolkata +05:30, Asia/Kathmandu +05:45, Australia/Lord_Howe's 30-minute
DST): only the quarter-hour slot maps to local time exactly in every zone. The price is that a
zone change makes the rows wrong, so each workspace's rows record their zone
(`analytics_local_zones`):

- the refresh (under the `analytics_state` lock) adds each changed slot counter to its local
  hour and day in the zone the rows are in, when that is still the workspace's zone; for a
  workspace whose zone changed (or that has no rows yet) it rebuilds the rows from the
  quarter-hour counters, which are kept forever — so a rebuild is exact and keeps history even
  after `cleanup_old_messages`;
- a reader checks the rows' zone in the same statement that reads them; when it is not the
  workspace's zone it gets None and falls back to the quarter-hour counters (exact, slower)
  until the next refresh.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, and_, cast, delete, func, select
from sqlalchemy.orm import Session

from app.analytics.bulk import upsert
from app.analytics.definitions import (
    LOCAL_DAY_MEASURES,
    LOCAL_HOUR_MEASURES,
    SLOT_SECONDS,
    Cell,
)
from app.analytics.models import AnalyticsCounter, LocalDayCounter, LocalHourCounter, LocalZone
from app.workspaces.models import Workspace

H, D = LocalHourCounter, LocalDayCounter
HOURLY = frozenset(LOCAL_HOUR_MEASURES)
DAILY = frozenset(LOCAL_DAY_MEASURES)
Grid = dict[tuple[int, int], Counter[str]]  # (ISO weekday, hour) → measure → value
HourCells = Counter[tuple[int, str, date, int]]  # workspace, measure, local day, hour
DayCells = Counter[tuple[int, str, date]]


@lru_cache(maxsize=65536)
def local_hour(slot: int, zone: str) -> tuple[date, int]:
    """The local day and hour a UTC quarter-hour falls in (exact: every zone's offset is a
    whole number of quarter-hours)."""
    at = datetime.fromtimestamp(slot * SLOT_SECONDS, ZoneInfo(zone))
    return at.date(), at.hour


def _zones(db: Session) -> dict[int, tuple[str, str | None]]:
    """Per workspace: its zone now, and the zone its local rows are in (None: no rows yet)."""
    stmt = select(Workspace.id, Workspace.timezone, LocalZone.zone).outerjoin(
        LocalZone, LocalZone.workspace_id == Workspace.id
    )
    return {ws: (current or "UTC", built) for ws, current, built in db.execute(stmt)}


def _add(
    hours: HourCells, days: DayCells, ws: int, measure: str, slot: int, v: int, zone: str
) -> None:
    if measure in HOURLY:
        day, hour = local_hour(slot, zone)
        hours[(ws, measure, day, hour)] += v
    elif measure in DAILY:
        days[(ws, measure, local_hour(slot, zone)[0])] += v


def _write(db: Session, hours: HourCells, days: DayCells) -> None:
    hour_rows = [
        {"workspace_id": ws, "measure": m, "day": day, "hour": hour, "value": v}
        for (ws, m, day, hour), v in sorted(hours.items())
        if v
    ]
    day_rows = [
        {"workspace_id": ws, "measure": m, "day": day, "value": v}
        for (ws, m, day), v in sorted(days.items())
        if v
    ]
    for table, rows, keys in (
        (H, hour_rows, ["workspace_id", "measure", "day", "hour"]),
        (D, day_rows, ["workspace_id", "measure", "day"]),
    ):
        name = table.__tablename__
        upsert(db, table, rows, keys, f"value = {name}.value + EXCLUDED.value", add=True)


def rebuild(*, db: Session, workspace_id: int, zone: str) -> None:
    """Recompute a workspace's local rows in `zone` from its quarter-hour counters."""
    db.execute(delete(H).where(H.workspace_id == workspace_id))
    db.execute(delete(D).where(D.workspace_id == workspace_id))
    C = AnalyticsCounter
    stmt = select(C.slot, C.measure, C.value).where(
        C.workspace_id == workspace_id,
        C.scope == "slot",
        C.key == "",
        C.measure.in_((*LOCAL_HOUR_MEASURES, *LOCAL_DAY_MEASURES)),
    )
    hours: HourCells = Counter()
    days: DayCells = Counter()
    for slot, measure, value in db.connection().execute(stmt):
        _add(hours, days, workspace_id, measure, slot, value, zone)
    _write(db, hours, days)
    upsert(
        db,
        LocalZone,
        [{"workspace_id": workspace_id, "zone": zone}],
        ["workspace_id"],
        "zone = EXCLUDED.zone",
    )


def update(*, db: Session, cells: Counter[Cell], rebuild_all: bool = False) -> int:
    """Fold a refresh's counter differences into the local rows (the caller holds the
    `analytics_state` lock and has applied `cells` already). Returns workspaces rebuilt."""
    zones = _zones(db)
    stale = {ws for ws, (current, built) in zones.items() if rebuild_all or current != built}
    hours: HourCells = Counter()
    days: DayCells = Counter()
    for (ws, scope, _, slot, measure), v in cells.items():
        if v and scope == "slot" and ws in zones and ws not in stale:
            _add(hours, days, ws, measure, slot, v, zones[ws][0])
    _write(db, hours, days)
    for ws in sorted(stale):
        rebuild(db=db, workspace_id=ws, zone=zones[ws][0])
    return len(stale)


def _weekday(db: Session, column: Any) -> Any:
    """ISO weekday (1 = Monday) of a date column, in SQL (SQLite gives 0 for Sunday)."""
    if db.get_bind().dialect.name == "postgresql":
        return cast(func.extract("isodow", column), Integer)
    return cast(func.strftime("%w", column), Integer)


def _in_zone(db: Session, stmt: Any, zone: str) -> list[Any] | None:
    """The rows of a statement that selects (zone, …, measure, sum) from an outer join of
    `analytics_local_zones`, without the zone; None when the rows' zone is not `zone`."""
    rows = db.connection().execute(stmt).all()
    if not rows or rows[0][0] != zone:
        return None
    return [r[1:] for r in rows if r[-2] is not None]  # measure NULL: the outer join's row


def engagement_counts(
    *, db: Session, workspace_id: int, zone: str, first_day: date, last_day: date
) -> tuple[Grid, Counter[str]] | None:
    """The by-hour measures of local days [first_day, last_day] by (weekday, hour), and the
    reply-time histogram over them; None when the rows are not in `zone` (changed since the
    last refresh): the caller then counts from the quarter-hour counters. Each statement
    checks the zone itself, so a rebuild between the two cannot mix zones."""
    Z = LocalZone
    dow = _weekday(db, H.day)
    by_hour = (
        select(Z.zone, dow, H.hour, H.measure, func.sum(H.value))
        .select_from(Z)
        .outerjoin(
            H,
            and_(
                H.workspace_id == Z.workspace_id,
                H.measure.in_(LOCAL_HOUR_MEASURES),
                H.day >= first_day,
                H.day <= last_day,
            ),
        )
        .where(Z.workspace_id == workspace_id)
        .group_by(Z.zone, dow, H.hour, H.measure)
    )
    histogram = (
        select(Z.zone, D.measure, func.sum(D.value))
        .select_from(Z)
        .outerjoin(
            D,
            and_(
                D.workspace_id == Z.workspace_id,
                D.measure.in_(LOCAL_DAY_MEASURES),
                D.day >= first_day,
                D.day <= last_day,
            ),
        )
        .where(Z.workspace_id == workspace_id)
        .group_by(Z.zone, D.measure)
    )
    hour_rows = _in_zone(db, by_hour, zone)
    day_rows = _in_zone(db, histogram, zone) if hour_rows is not None else None
    if hour_rows is None or day_rows is None:
        return None
    grid: Grid = {}
    for weekday, hour, measure, value in hour_rows:
        grid.setdefault((weekday or 7, hour), Counter())[measure] += int(value)
    return grid, Counter({measure: int(value) for measure, value in day_rows})


__all__ = ["engagement_counts", "local_hour", "rebuild", "update"]
