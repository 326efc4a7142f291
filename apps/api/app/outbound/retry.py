"""What a failed send does to its row (SPEC §5), by the provider's error category.

Row-level retries are due times in the database (`next_attempt_at`), picked up by the
dispatcher or the reconciler, never Celery countdowns: they survive a broker loss, and a
backoff of hours (131049: a day) would exceed the broker's visibility timeout.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.core.config import settings
from app.core.enums import MessageStatus, SenderStatus
from app.integrations.whatsapp.base import ErrorCategory, WhatsAppError
from app.integrations.whatsapp.errors import MARKETING_OPT_OUT_CODES

MARKETING_DEFER = timedelta(days=1)
MARKETING_GIVE_UP = timedelta(days=7)
BLOCKING_STATUS_CODES = frozenset({368, 131031})  # account-level blocks, not a pause


@dataclass(frozen=True)
class ErrorOutcome:
    status: str  # queued (retry later) | failed | unknown
    next_attempt_at: datetime | None = None
    first_deferred_at: datetime | None = None
    event: str = "failed"
    release_slot: bool = True  # nothing reached Meta: give the pacing slot back
    undo_attempt: bool = False  # not a failed try (deferral, blocked number): don't count it
    block_sender: bool = False
    marketing_opt_out: bool = False


def backoff(attempts: int, retry_after: float | None) -> timedelta:
    """2^n minutes after the n-th attempt, or Meta's Retry-After when longer."""
    wait = timedelta(minutes=2 ** max(1, attempts))
    if retry_after:
        wait = max(wait, timedelta(seconds=retry_after))
    return wait


def outcome_for(
    err: WhatsAppError, *, attempts: int, first_deferred_at: datetime | None, now: datetime
) -> ErrorOutcome:
    """`attempts` counts provider calls including this one (the claim incremented it)."""
    category = err.category
    if category == ErrorCategory.AMBIGUOUS:
        return ErrorOutcome(MessageStatus.UNKNOWN, event="unknown", release_slot=False)
    if category == ErrorCategory.SENDER_BLOCKED:
        # Nothing was sent: the row waits for the number to be resumed.
        return ErrorOutcome(
            MessageStatus.QUEUED, now, event="sender_blocked", block_sender=True, undo_attempt=True
        )
    if category in (ErrorCategory.RETRY, ErrorCategory.RECIPIENT_RATE):
        if attempts > settings.SEND_MAX_RETRIES:
            return ErrorOutcome(MessageStatus.FAILED, event="retries_exhausted")
        due = now + backoff(attempts, err.retry_after)
        return ErrorOutcome(MessageStatus.QUEUED, due, event="retry_scheduled")
    if category == ErrorCategory.MARKETING_LIMIT:
        first = first_deferred_at or now
        if now - first >= MARKETING_GIVE_UP:
            return ErrorOutcome(MessageStatus.FAILED, first_deferred_at=first)
        return ErrorOutcome(
            MessageStatus.QUEUED,
            now + MARKETING_DEFER,
            first,
            event="marketing_deferred",
            undo_attempt=True,
        )

    return ErrorOutcome(MessageStatus.FAILED, marketing_opt_out=err.code in MARKETING_OPT_OUT_CODES)


def sender_status_for(err: WhatsAppError) -> str:

    return SenderStatus.BLOCKED if err.code in BLOCKING_STATUS_CODES else SenderStatus.PAUSED
