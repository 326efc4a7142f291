"""Template lifecycle and number quality from Meta's account webhooks.

- `message_template_status_update`: the template row's status (and why, in words); running
  campaigns that send a template Meta paused or disabled are paused with that reason.
- `message_template_quality_update`: the template's quality score (GREEN/YELLOW/RED).
- `phone_number_quality_update`: the number's quality rating (FLAGGED → RED, UNFLAGGED →
  GREEN; Meta sends no rating) and messaging limit (`current_limit`, or the portfolio's
  `max_daily_conversations_per_business`), which the pacing caps read.

The ban-risk monitor reads both quality signals from the rows. Every update is idempotent
(setting a value twice changes nothing) and ordered by the entry's `time`: an update older than
the last one applied to a template is ignored, so a late re-delivery cannot undo a pause.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from app.campaigns import template_lifecycle as campaigns
from app.core.config import settings
from app.core.db import utcnow
from app.core.enums import TemplateStatus
from app.inbound.parser import NUMBER_QUALITY, TEMPLATE_QUALITY, TEMPLATE_STATUS, AccountUpdate
from app.senders.limits import TIER_CAPS
from app.senders.models import SenderNumber
from app.templates.models import Template

log = logging.getLogger(__name__)

T = TemplateStatus
EVENT_STATUS = {
    "APPROVED": T.APPROVED,
    "REINSTATED": T.APPROVED,
    "PENDING": T.PENDING,
    "IN_APPEAL": T.PENDING,
    "REJECTED": T.REJECTED,
    "PAUSED": T.PAUSED,
    "DISABLED": T.DISABLED,
    "DELETED": T.DISABLED,
    "PENDING_DELETION": T.DISABLED,
    "ARCHIVED": T.DISABLED,
}
STOPS_SENDING = frozenset({T.PAUSED, T.DISABLED})
QUALITY_SCORES = frozenset({"GREEN", "YELLOW", "RED", "UNKNOWN"})
NUMBER_RATING = {"FLAGGED": "RED", "UNFLAGGED": "GREEN"}
_NON_DIGITS = re.compile(r"\D")


def _text(value: Any) -> str:
    return str(value).strip() if value is not None and not isinstance(value, dict | list) else ""


def _info(value: dict[str, Any], key: str) -> dict[str, Any]:
    info = value.get(key)
    return info if isinstance(info, dict) else {}


def status_reason(event: str, value: dict[str, Any]) -> str | None:
    """Why the template is in its new state, in words a person can act on (None: clear)."""
    reason = _text(value.get("reason")).upper()
    if event == "REJECTED":
        info = _info(value, "rejection_info")
        text = f"Meta rejected the template ({reason or 'no reason given'})"
        if _text(info.get("reason")):
            text += f": {_text(info.get('reason'))}"
        if _text(info.get("recommendation")):
            text += f" What to do: {_text(info.get('recommendation'))}"
        return text
    if event == "PAUSED":
        other = _info(value, "other_info")
        title = _text(other.get("title")) or "PAUSED"
        text = f"Meta paused the template ({title}) because recipients reported or blocked it"
        return text + (f": {_text(other.get('description'))}" if other.get("description") else "")
    if event in ("DISABLED", "DELETED", "PENDING_DELETION", "ARCHIVED"):
        verb = {"DISABLED": "disabled", "ARCHIVED": "archived"}.get(event, "deleted")
        why = " after repeated negative feedback" if event == "DISABLED" else ""
        return f"Meta {verb} the template{why}; it can no longer be sent"
    if event == "FLAGGED":
        return "Meta flagged the template: negative feedback; it may be paused or disabled soon"
    return None


def _normalise_language(raw: Any) -> str:
    return _text(raw).replace("-", "_")


def _templates(db: Session, update: AccountUpdate) -> list[Template]:
    """The template rows this update is about: by Meta's template id, else by name and
    language, in the workspaces whose numbers belong to the update's WABA."""
    value = update.value
    owners = SenderNumber.waba_id == update.waba_id
    if update.waba_id and update.waba_id == settings.WHATSAPP_BUSINESS_ACCOUNT_ID:
        owners = or_(owners, SenderNumber.waba_id.is_(None))
    workspaces = select(SenderNumber.workspace_id).where(owners)
    template_id = _text(value.get("message_template_id"))
    by_name = and_(
        Template.name == _text(value.get("message_template_name")),
        Template.language == _normalise_language(value.get("message_template_language")),
    )
    match = or_(Template.provider_template_id == template_id, by_name) if template_id else by_name
    stmt = select(Template).where(Template.workspace_id.in_(workspaces), match)
    return list(db.scalars(stmt.order_by(Template.id).with_for_update()))


def _stale(last: datetime | None, at: datetime | None) -> bool:
    return last is not None and at is not None and at < last


def apply_template_status(db: Session, update: AccountUpdate) -> int:
    """Returns how many template rows changed."""
    event = _text(update.value.get("event")).upper()
    new_status = EVENT_STATUS.get(event)
    changed = 0
    for template in _templates(db, update):
        if _stale(template.status_event_at, update.at):
            continue
        reason = status_reason(event, update.value)
        if new_status is None and reason is None:
            continue  # LOCKED, LIMIT_EXCEEDED, …: nothing a send depends on
        if new_status is not None and template.status != new_status:
            template.status = new_status
            changed += 1
        if template.status_reason != reason:
            template.status_reason = reason
        template.status_event_at = update.at or template.status_event_at
        if template.status in STOPS_SENDING:
            campaigns.pause_using_template(
                db=db,
                workspace_id=template.workspace_id,
                template_id=template.id,
                reason=f"paused: template {template.name} ({template.language}) is "
                f"{template.status} at Meta. {reason or ''}".strip()
                + " Resume once Meta approves it again (or switch to another template).",
            )
    db.flush()
    return changed


def apply_template_quality(db: Session, update: AccountUpdate) -> int:
    score = _text(update.value.get("new_quality_score")).upper()
    if score not in QUALITY_SCORES:
        return 0
    changed = 0
    for template in _templates(db, update):
        if _stale(template.quality_event_at, update.at) or template.quality_score == score:
            continue
        template.quality_score = score
        template.quality_event_at = update.at or template.quality_event_at
        changed += 1
    db.flush()
    return changed


def _sender(db: Session, update: AccountUpdate) -> SenderNumber | None:
    """The number by its display digits within the WABA; a WABA with one number is that one."""
    digits = _NON_DIGITS.sub("", _text(update.value.get("display_phone_number")))
    candidates = list(
        db.scalars(select(SenderNumber).where(SenderNumber.waba_id == update.waba_id))
    )
    for sender in candidates:
        if digits and _NON_DIGITS.sub("", sender.display_phone or "") == digits:
            return sender
    return candidates[0] if len(candidates) == 1 and not candidates[0].display_phone else None


def apply_number_quality(db: Session, update: AccountUpdate) -> int:
    sender = _sender(db, update)
    if sender is None:
        raise LookupError(
            f"phone_number_quality_update for unknown number "
            f"{_text(update.value.get('display_phone_number'))} (WABA {update.waba_id})"
        )
    event = _text(update.value.get("event")).upper()
    values: dict[str, str] = {}
    if event in NUMBER_RATING:
        values["quality_rating"] = NUMBER_RATING[event]
    for key in ("max_daily_conversations_per_business", "current_limit"):
        tier = _text(update.value.get(key)).upper()
        if tier in TIER_CAPS:
            values["messaging_tier"] = tier
            break
    changed = {k: v for k, v in values.items() if getattr(sender, k) != v}
    for key, value in changed.items():
        setattr(sender, key, value)
    if changed:
        sender.updated_at = utcnow()
        log.info("number %s: %s (%s)", sender.id, changed, event)
    db.flush()
    return int(bool(changed))


APPLY = {
    TEMPLATE_STATUS: apply_template_status,
    TEMPLATE_QUALITY: apply_template_quality,
    NUMBER_QUALITY: apply_number_quality,
}


def apply_all(db: Session, updates: list[AccountUpdate]) -> tuple[int, list[str]]:
    """Apply every update of a delivery; returns (rows changed, errors for the event row)."""
    changed, errors = 0, []
    for update in updates:
        try:
            with db.begin_nested():
                changed += APPLY[update.kind](db, update)
        except LookupError as exc:
            errors.append(str(exc)[:500])
    return changed, errors
