"""What a `failed` status webhook's error code does beyond failing the row (SPEC §5).

Meta reports most delivery-time refusals in a failed STATUS, not in the send response:
131049 (per-user marketing limit), 131048 (spam rate limit), 368/131031 (blocks), 131056
(pair rate limit). Each is classified with the engine's table (`errors.classify`) and handled
by the engine's own policy (`retry.outcome_for`, `results.stop_sender`):

- SENDER_BLOCKED → the number is paused (or blocked) and its running campaigns paused, with
  the reason; the row stays failed.
- MARKETING_LIMIT / RECIPIENT_RATE → the row goes back to `queued`, due when the policy says
  (131049: a day later, for up to 7 days from `first_deferred_at`, then it stays failed). This
  is the one move out of `failed`, safe because Meta did not deliver the message. The attempt's
  wamid is cleared (the resend gets a new one) and kept in the requeue event, so a duplicate of
  this webhook — by wamid or by our callback id — never matches the new attempt. The failed
  send still counts in the pacing windows (`past_sends`, `past_sent_at`). A row of a cancelled
  campaign is cancelled instead of waiting in the queue forever (`campaigns.orphans`).
- anything else (PERMANENT, unknown codes) stays failed with its code.

Nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.campaigns.models import Campaign
from app.campaigns.orphans import cancel_orphaned
from app.core.enums import CampaignStatus, MessageStatus
from app.inbound.parser import StatusUpdate
from app.integrations.whatsapp.base import ErrorCategory, WhatsAppError
from app.integrations.whatsapp.errors import classify
from app.messaging.models import MessageEvent
from app.outbound import retry
from app.outbound.results import stop_sender

if TYPE_CHECKING:
    from app.inbound.statuses import _Row

REQUEUE_CATEGORIES = frozenset({ErrorCategory.MARKETING_LIMIT, ErrorCategory.RECIPIENT_RATE})
REQUEUE_EVENTS = ("marketing_deferred", "retry_scheduled")
# A failed status is not an HTTP answer: an unknown code is permanent, never "retry".
_NOT_HTTP_RETRYABLE = 400


@dataclass
class FailureEffects:
    """Side effects of a batch's failed statuses, written once after the rows."""

    blocked: dict[int, WhatsAppError] = field(default_factory=dict)  # sender id → first error
    reopen: set[int] = field(default_factory=set)  # completed campaigns with a requeued row
    requeued: set[int] = field(default_factory=set)  # message ids put back in the queue
    events: list[dict[str, Any]] = field(default_factory=list)


def webhook_error(update_: StatusUpdate) -> WhatsAppError:
    """The first error of a failed status as the engine's classified error."""
    err = update_.errors[0] if update_.errors else {}
    try:
        code = int(err.get("code"))
    except (TypeError, ValueError):
        code = None
    message = str(err.get("message") or err.get("title") or f"Cloud API error {code}")
    return WhatsAppError(message=message, code=code, category=classify(code, _NOT_HTTP_RETRYABLE))


def after_failed(
    row: _Row, update_: StatusUpdate, *, now: datetime, effects: FailureEffects
) -> str | None:
    """Act on the code of a failed status just applied to `row` (in memory). Returns the
    attempt's wamid when the row was requeued (the caller forgets that wamid), else None."""
    err = webhook_error(update_)
    if err.category == ErrorCategory.SENDER_BLOCKED:
        if row.sender_id is not None:
            effects.blocked.setdefault(row.sender_id, err)
        return None
    if err.category not in REQUEUE_CATEGORIES:
        return None
    outcome = retry.outcome_for(
        err, attempts=row.attempts, first_deferred_at=row.first_deferred_at, now=now
    )
    if outcome.first_deferred_at is not None:
        row.first_deferred_at = outcome.first_deferred_at
    if outcome.status != MessageStatus.QUEUED:
        return None  # retries / the 7 days used up: it stays failed
    old = row.wamid or update_.wamid
    # That send reached Meta: it keeps counting in the pacing windows after the resend.
    row.past_sends += 1
    row.past_sent_at = row.sent_at or now
    row.status = MessageStatus.QUEUED
    row.next_attempt_at = outcome.next_attempt_at or now
    if outcome.undo_attempt:
        row.attempts = max(0, row.attempts - 1)
    row.wamid = row.sent_at = row.failed_at = None
    effects.events.append(
        {
            "message_id": row.id,
            "event": outcome.event,
            "occurred_at": now,
            "data": {
                "source": "webhook",
                "wamid": old,
                "code": err.code,
                "reason": str(err.category),
                "until": row.next_attempt_at.isoformat(),
            },
        }
    )
    effects.requeued.add(row.id)
    if row.campaign_id is not None:
        effects.reopen.add(row.campaign_id)
    return old


def past_attempts(db: Session, message_ids: set[int]) -> set[tuple[int, str]]:
    """(message id, wamid) of the requeued attempts of these messages: a status naming one of
    them belongs to an attempt Meta already failed, not to the row's current one."""
    if not message_ids:
        return set()
    rows = db.execute(
        select(MessageEvent.message_id, MessageEvent.data).where(
            MessageEvent.message_id.in_(message_ids), MessageEvent.event.in_(REQUEUE_EVENTS)
        )
    )
    return {
        (r.message_id, str(r.data["wamid"]))
        for r in rows
        if isinstance(r.data, dict) and r.data.get("source") == "webhook" and r.data.get("wamid")
    }


def write_effects(*, db: Session, effects: FailureEffects, now: datetime) -> None:
    """Stop blocked numbers (the engine's own `stop_sender`) and reopen completed campaigns
    that got a row back, so the dispatcher picks it up when due."""

    for sender_id in sorted(effects.blocked):
        stop_sender(db=db, sender_id=sender_id, err=effects.blocked[sender_id], now=now)
    if effects.reopen:
        db.execute(
            update(Campaign)
            .where(
                Campaign.id.in_(sorted(effects.reopen)),
                Campaign.status == CampaignStatus.COMPLETED,
            )
            .values(status=CampaignStatus.RUNNING, completed_at=None, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    # A cancelled campaign is not reopened: its requeued rows are cancelled instead.
    cancel_orphaned(db=db, message_ids=sorted(effects.requeued), now=now)
