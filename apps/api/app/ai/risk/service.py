"""Ban-risk verdicts for a message or a sender number, and the periodic monitor.

`monitor` keeps what the engine's first monitor did (same signature): assess every active
number over RISK_WINDOW_HOURS, store a RiskAssessment per number, and pause the number's
running campaigns at `critical` with a status_reason naming the factors; a person resumes them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.ai.models import RiskAssessment
from app.ai.risk.content import ContentSignals, content_signals
from app.ai.risk.pattern import pattern_signals, sender_metrics
from app.ai.risk.schemas import RiskReport
from app.campaigns.models import Campaign
from app.core.config import settings
from app.core.db import utcnow
from app.core.enums import CampaignStatus, RiskLevel, SenderStatus
from app.core.errors import NotFound
from app.senders.models import SenderNumber

LEVELS = ((75, RiskLevel.CRITICAL), (50, RiskLevel.HIGH), (25, RiskLevel.MEDIUM))


def level_for(score: int) -> RiskLevel:
    for floor, level in LEVELS:
        if score >= floor:
            return level
    return RiskLevel.LOW


def _report(s: ContentSignals, scope: str) -> RiskReport:
    recommendations = list(s.recommendations)
    if not recommendations:
        recommendations = ["No action needed"]
    return RiskReport(
        risk_score=s.score,
        risk_level=level_for(s.score),
        factors=s.factors,
        recommendations=recommendations,
        metrics=s.metrics,
        scope=scope,
    )


def assess_message(text: str) -> RiskReport:
    """Content risk of one message text."""
    return _report(content_signals(text), "message")


def assess_sender(
    *, db: Session, workspace_id: int, sender_id: int, hours: int = 24, now: datetime | None = None
) -> RiskReport:
    sender = db.get(SenderNumber, sender_id)
    if sender is None or sender.workspace_id != workspace_id:
        raise NotFound("Phone number", sender_id)
    return _assess(db=db, sender=sender, hours=hours, now=now or utcnow())


def _assess(*, db: Session, sender: SenderNumber, hours: int, now: datetime) -> RiskReport:
    metrics = sender_metrics(db=db, sender=sender, now=now, hours=hours)
    return _report(pattern_signals(metrics), "number")


def monitor(*, db: Session, now: datetime) -> list[RiskAssessment]:
    """Assess every active number; store each verdict; auto-pause at critical."""
    if not settings.AI_BAN_RISK_DETECTION_ENABLED:
        return []
    stored: list[RiskAssessment] = []
    senders = db.scalars(
        select(SenderNumber).where(SenderNumber.status == SenderStatus.ACTIVE)
    ).all()
    for sender in senders:
        report = _assess(db=db, sender=sender, hours=settings.RISK_WINDOW_HOURS, now=now)
        action = None
        if report.risk_level == RiskLevel.CRITICAL:
            reason = "auto-paused: ban risk critical (" + "; ".join(report.factors) + ")"
            paused = db.execute(
                update(Campaign)
                .where(Campaign.sender_id == sender.id, Campaign.status == CampaignStatus.RUNNING)
                .values(status=CampaignStatus.PAUSED, status_reason=reason[:1000], updated_at=now)
            ).rowcount
            action = f"paused_campaigns:{paused}" if paused else None
        stored.append(
            record(
                db=db,
                workspace_id=sender.workspace_id,
                sender_id=sender.id,
                report=report,
                action=action,
                now=now,
            )
        )
    db.flush()
    return stored


def record(
    *,
    db: Session,
    workspace_id: int,
    sender_id: int | None,
    report: RiskReport,
    action: str | None = None,
    now: datetime | None = None,
) -> RiskAssessment:
    """Keep a verdict for the audit trail (added to the session; the caller commits)."""
    row = RiskAssessment(
        workspace_id=workspace_id,
        sender_id=sender_id,
        scope=report.scope,
        risk_score=report.risk_score,
        risk_level=report.risk_level,
        factors=report.factors,
        recommendations=report.recommendations,
        metrics=report.metrics,
        action_taken=action,
        created_at=now or utcnow(),
    )
    db.add(row)
    return row
