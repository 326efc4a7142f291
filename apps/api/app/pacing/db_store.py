"""Throttle for embedded mode (no Redis): the `messages` table itself is the counter.

A claim first takes the sender row's write lock (a no-op UPDATE: a row lock on PostgreSQL, the
database writer lock on SQLite), counts what the number used in each window and claims at most
the room left, all in one transaction. Claimed rows are `sending`, which counts, so the next
claimer sees them; a row that is skipped or put back stops counting by its status change, so
`release` has nothing to do.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.pacing.throttle import Slot, Usage, db_usage, room, usage_from_rows
from app.senders.limits import Caps


class DbThrottle:
    locks_at_claim = True

    def lock(self, *, db: Session, sender_id: int) -> None:
        from app.senders.models import SenderNumber

        db.execute(
            update(SenderNumber)
            .where(SenderNumber.id == sender_id)
            .values(status=SenderNumber.status)
        )

    def claim_room(self, *, db: Session, sender_id: int, caps: Caps, now: datetime) -> int:
        return room(self.usage(db=db, sender_id=sender_id, now=now), caps)

    def reserve(
        self, *, db: Session, sender_id: int, caps: Caps, slots: list[Slot], now: datetime
    ) -> dict[int, bool]:
        # Room was checked under the lock when these rows were claimed.
        return {slot.message_id: slot.new_recipient for slot in slots}

    def release(self, *, sender_id: int, slots: list[Slot], granted: dict[int, bool]) -> None:
        return None

    def usage(self, *, db: Session, sender_id: int, now: datetime) -> Usage:
        return usage_from_rows(db_usage(db=db, sender_id=sender_id, now=now), now)
