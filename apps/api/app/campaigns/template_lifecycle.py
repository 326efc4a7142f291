"""Campaigns and the lifecycle of the templates they send (Meta pauses, disables, approves).

A template Meta paused or disabled fails every send (132015/132016), so the campaigns that use
it pause with a reason a person can read, and cannot resume until the template is APPROVED
again. Called from the account webhooks (app.inbound.account_updates) and on resume.
"""

from __future__ import annotations

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from app.campaigns.models import Campaign, DripStep
from app.core.db import utcnow
from app.core.enums import CampaignStatus, TemplateStatus
from app.core.errors import Conflict
from app.templates.models import Template

S = CampaignStatus


def pause_using_template(*, db: Session, workspace_id: int, template_id: int, reason: str) -> int:
    """Pause every running campaign that sends `template_id` (itself or in a drip step), with
    `reason` for a person to read. Returns how many were paused; a repeat pauses none."""
    in_steps = select(DripStep.campaign_id).where(DripStep.template_id == template_id)
    result = db.execute(
        update(Campaign)
        .where(
            Campaign.workspace_id == workspace_id,
            Campaign.status == S.RUNNING,
            or_(Campaign.template_id == template_id, Campaign.id.in_(in_steps)),
        )
        .values(status=S.PAUSED, status_reason=reason[:2000], updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


def unsendable_template(*, db: Session, campaign: Campaign) -> Template | None:
    """The first template the campaign sends that Meta does not allow now (not APPROVED)."""
    ids = {campaign.template_id} | set(
        db.scalars(select(DripStep.template_id).where(DripStep.campaign_id == campaign.id))
    )
    ids.discard(None)
    if not ids:
        return None
    return db.scalars(
        select(Template).where(Template.id.in_(ids), Template.status != TemplateStatus.APPROVED)
    ).first()


def require_sendable(*, db: Session, campaign: Campaign, action: str) -> None:
    """409 on `template_id` while a template the campaign sends is not APPROVED."""
    blocked = unsendable_template(db=db, campaign=campaign)
    if blocked is not None:
        raise Conflict(
            f"Template {blocked.name} ({blocked.language}) is {blocked.status}; "
            f"it must be APPROVED again before the campaign {action}",
            errors=[{"field": "template_id", "message": blocked.status_reason or blocked.status}],
        )


def pause_if_unsendable(*, db: Session, campaign: Campaign) -> None:
    """A scheduled campaign that started on its own while its template is not sendable waits,
    paused, with the reason (its rows exist; resume sends them once the template is back)."""
    blocked = unsendable_template(db=db, campaign=campaign)
    if blocked is not None and campaign.status == S.RUNNING:
        campaign.status = S.PAUSED
        campaign.status_reason = (
            f"paused at start: template {blocked.name} ({blocked.language}) is "
            f"{blocked.status} at Meta. {blocked.status_reason or ''}".strip()
        )
        db.flush()
