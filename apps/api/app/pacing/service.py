"""What a number may still send, by the engine's own accounting (the status route)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from app.core.db import utcnow
from app.pacing.db_store import DbThrottle
from app.pacing.throttle import next_room_at, room
from app.senders import limits
from app.senders.models import SenderNumber
from app.senders.schemas import SenderStatusOut


def quota_status(
    *, db: Session, sender: SenderNumber, now: datetime | None = None
) -> SenderStatusOut:
    """Caps and what is left of them now, by the engine's own accounting (`app.pacing`): the
    same caps, rows (in-flight included), sliding windows and portfolio-wide tier window,
    read from the messages table (the source of truth of either throttle store)."""
    now = now or utcnow()
    caps = limits.effective_caps(sender, today=now.astimezone(UTC).date())
    usage = DbThrottle().usage(db=db, sender_id=sender.id, now=now, portfolio=sender.waba_id)
    hour, day, recipients = len(usage.hour), len(usage.day), len(usage.recipients)
    day_start = limits.utc_day_start(now)
    sendable = room(usage, caps)
    return SenderStatusOut(
        id=sender.id,
        status=sender.status,
        status_reason=sender.status_reason,
        warmup_day=caps.warmup_day,
        warmup_cap=caps.warmup_cap,
        tier_cap=caps.tier_cap,
        hourly_cap=caps.hourly,
        daily_cap=caps.daily,
        sent_last_hour=hour,
        sent_last_24h=day,
        recipients_last_24h=recipients,
        sent_today=sum(1 for stamp in usage.day if stamp >= day_start),
        remaining_this_hour=max(0, min(caps.hourly - hour, caps.daily - day)),
        remaining_24h=max(0, caps.daily - day),
        remaining_recipients_24h=(
            None if caps.tier_cap is None else max(0, caps.tier_cap - recipients)
        ),
        sendable_now=sendable,
        next_room_at=None if sendable else next_room_at(usage, caps, now),
        quality_rating=sender.quality_rating,
        messaging_tier=sender.messaging_tier,
    )
