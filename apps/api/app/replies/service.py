"""A workspace's auto-response settings and per-intent rules. Callers commit."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.errors import NotFound, ValidationFailed
from app.replies.models import AutoResponseRule, ReplySettings
from app.replies.schemas import ReplySettingsIn, RuleIn

# Never answered automatically: an opt-out gets the confirmation (once) and nothing else; an
# auto-reply is another machine, and answering it is how bot ping-pong starts.
NEVER_ANSWERED = frozenset({"opt_out", "auto_reply"})


@dataclass(frozen=True)
class Effective:
    """The settings in force (the stored row, or the defaults)."""

    auto_respond: bool = False
    confidence_threshold: int = 70
    cooldown_hours: float = 24.0
    optout_confirmation: str | None = None


def get_settings(*, db: Session, workspace_id: int) -> Effective:
    row = db.scalar(select(ReplySettings).where(ReplySettings.workspace_id == workspace_id))
    if row is None:
        return Effective()
    return Effective(
        row.auto_respond, row.confidence_threshold, row.cooldown_hours, row.optout_confirmation
    )


def update_settings(*, db: Session, workspace_id: int, data: ReplySettingsIn) -> Effective:
    """Change only the fields given; `optout_confirmation: null` turns the confirmation off."""
    row = db.scalar(
        select(ReplySettings).where(ReplySettings.workspace_id == workspace_id).with_for_update()
    )
    if row is None:
        defaults = Effective()
        row = ReplySettings(workspace_id=workspace_id, **defaults.__dict__)
        db.add(row)
    for name in data.model_fields_set:
        value = getattr(data, name)
        if value is None and name != "optout_confirmation":
            raise ValidationFailed(f"{name} cannot be null", field=name)
        setattr(row, name, value)
    db.flush()
    return get_settings(db=db, workspace_id=workspace_id)


def list_rules(*, db: Session, workspace_id: int) -> list[AutoResponseRule]:
    stmt = (
        select(AutoResponseRule)
        .where(AutoResponseRule.workspace_id == workspace_id)
        .order_by(AutoResponseRule.intent)
    )
    return list(db.scalars(stmt))


def rules_by_intent(*, db: Session, workspace_id: int) -> dict[str, AutoResponseRule]:
    return {r.intent: r for r in list_rules(db=db, workspace_id=workspace_id)}


def put_rule(*, db: Session, workspace_id: int, intent: str, data: RuleIn) -> AutoResponseRule:
    if intent in NEVER_ANSWERED and data.response is not None:
        raise ValidationFailed(
            f"{intent} replies are never answered automatically "
            "(an opt-out gets the opt-out confirmation of the settings)",
            field="intent",
        )
    rule = db.scalar(
        select(AutoResponseRule)
        .where(AutoResponseRule.workspace_id == workspace_id, AutoResponseRule.intent == intent)
        .with_for_update()
    )
    if rule is None:
        rule = AutoResponseRule(workspace_id=workspace_id, intent=intent)
        db.add(rule)
    rule.response, rule.enabled = data.response, data.enabled
    db.flush()
    return rule


def delete_rule(*, db: Session, workspace_id: int, intent: str) -> None:
    rule = db.scalar(
        select(AutoResponseRule).where(
            AutoResponseRule.workspace_id == workspace_id, AutoResponseRule.intent == intent
        )
    )
    if rule is None:
        raise NotFound("Auto-response rule", intent)
    db.delete(rule)
    db.flush()
