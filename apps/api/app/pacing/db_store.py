"""Throttle for embedded mode (no Redis): the `messages` table itself is the counter.

A claim first locks the sender rows of the number's business portfolio (every number of its
WABA share Meta's tier window; PostgreSQL row locks in id order, the database writer lock on
SQLite), counts what the number used in each window, and what the portfolio reached, and
claims at most the room left, all in one transaction. Claimed rows are `sending`, which counts,
so the next claimer sees them; a row that is skipped or put back stops counting by its status
change, so `release` has nothing to do.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from app.pacing.throttle import Slot, Usage, db_reach, db_usage, room, usage_from_rows
from app.senders.limits import Caps
from app.senders.models import SenderNumber


class DbThrottle:
    locks_at_claim = True

    def lock(self, *, db: Session, sender_id: int, portfolio: str | None = None) -> None:

        mine = SenderNumber.id == sender_id
        if db.get_bind().dialect.name == "postgresql":
            scope = or_(mine, SenderNumber.waba_id == portfolio) if portfolio else mine
            db.execute(
                select(SenderNumber.id).where(scope).order_by(SenderNumber.id).with_for_update()
            ).all()
            return
        # SQLite: any write takes the database's single writer lock.
        db.execute(update(SenderNumber).where(mine).values(status=SenderNumber.status))

    def claim_room(
        self,
        *,
        db: Session,
        sender_id: int,
        caps: Caps,
        now: datetime,
        portfolio: str | None = None,
    ) -> int:
        return room(self.usage(db=db, sender_id=sender_id, now=now, portfolio=portfolio), caps)

    def reserve(
        self,
        *,
        db: Session,
        sender_id: int,
        caps: Caps,
        slots: list[Slot],
        now: datetime,
        portfolio: str | None = None,
    ) -> dict[int, bool]:
        # Room was checked under the lock when these rows were claimed.
        return {slot.message_id: slot.new_recipient for slot in slots}

    def release(
        self,
        *,
        sender_id: int,
        slots: list[Slot],
        granted: dict[int, bool],
        portfolio: str | None = None,
    ) -> None:
        return None

    def usage(
        self, *, db: Session, sender_id: int, now: datetime, portfolio: str | None = None
    ) -> Usage:
        rows = db_usage(db=db, sender_id=sender_id, now=now)
        reach = db_reach(db=db, sender_id=sender_id, portfolio=portfolio, now=now)
        return usage_from_rows(rows, now, reach)
