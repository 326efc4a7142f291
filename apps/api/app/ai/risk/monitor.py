"""Per-number ban-risk monitoring and auto-pause (SPEC §8, seed "monitor_ban_risks").

A simple, explainable score from the last RISK_WINDOW_HOURS of a number's outbound traffic:
failure rate, block codes (131048 spam limit, 368 policy block, …), opt-outs that followed our
messages, Meta's quality rating and volume against the hourly cap. At `critical` the number's
running campaigns are paused with a status_reason naming the factors; a person resumes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.orm import Session

from app.ai.models import RiskAssessment
from app.campaigns.models import Campaign, DripStep
from app.contacts.models import Contact
from app.core.config import settings
from app.core.enums import CampaignStatus, Direction, MessageStatus, RiskLevel, SenderStatus
from app.messaging.models import Message
from app.senders.limits import effective_caps
from app.senders.models import SenderNumber
from app.templates.models import Template

BLOCK_CODES = ("131048", "368", "131031", "131042", "130497")
MIN_SAMPLE = 20  # below this many attempts the failure rate says little
LEVELS = ((75, RiskLevel.CRITICAL), (50, RiskLevel.HIGH), (25, RiskLevel.MEDIUM))


@dataclass
class Verdict:
    score: int
    level: str
    factors: list[str] = field(default_factory=list)
    recommendations: list[str] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)


def level_for(score: int) -> str:
    for floor, level in LEVELS:
        if score >= floor:
            return level
    return RiskLevel.LOW


def _metrics(db: Session, sender: SenderNumber, now: datetime, hours: int) -> dict[str, Any]:
    since = now - timedelta(hours=hours)
    out = and_(
        Message.sender_id == sender.id,
        Message.direction == Direction.OUTBOUND,
        Message.claimed_at >= since,
    )
    attempted, failed, blocks = db.execute(
        select(
            func.count(),
            func.count().filter(Message.status == MessageStatus.FAILED),
            func.count().filter(Message.error_code.in_(BLOCK_CODES)),
        ).where(out)
    ).one()
    sent_last_hour = db.scalar(
        select(func.count()).where(
            Message.sender_id == sender.id,
            Message.direction == Direction.OUTBOUND,
            Message.sent_at >= now - timedelta(hours=1),
        )
    )
    opt_outs = db.scalar(
        select(func.count()).where(
            Contact.opted_out_at >= since,
            exists().where(
                Message.contact_id == Contact.id,
                Message.sender_id == sender.id,
                Message.direction == Direction.OUTBOUND,
                Message.sent_at >= since,
                Message.sent_at <= Contact.opted_out_at,
            ),
        )
    )
    return {
        "window_hours": hours,
        "attempted": int(attempted or 0),
        "failed": int(failed or 0),
        "block_codes": int(blocks or 0),
        "opt_outs_after_messages": int(opt_outs or 0),
        "sent_last_hour": int(sent_last_hour or 0),
        "hourly_cap": effective_caps(sender, today=now.date()).hourly,
        "quality_rating": sender.quality_rating,
        "template_quality": _template_quality(db, sender),
    }


def _template_quality(db: Session, sender: SenderNumber) -> dict[str, str]:
    """Meta's YELLOW/RED quality scores of the templates this number's running campaigns send
    (message_template_quality_update): a low score precedes a paused template."""
    running = select(Campaign.id).where(
        Campaign.sender_id == sender.id, Campaign.status == CampaignStatus.RUNNING
    )
    used = (
        select(Campaign.template_id)
        .where(Campaign.id.in_(running))
        .union(select(DripStep.template_id).where(DripStep.campaign_id.in_(running)))
    )
    rows = db.execute(
        select(Template.name, Template.language, Template.quality_score).where(
            Template.id.in_(used), Template.quality_score.in_(("YELLOW", "RED"))
        )
    )
    return {f"{name} ({language})": score for name, language, score in rows}


def assess(*, db: Session, sender: SenderNumber, now: datetime) -> Verdict:
    m = _metrics(db, sender, now, settings.RISK_WINDOW_HOURS)
    v = Verdict(score=0, level=RiskLevel.LOW, metrics=m)
    attempted = m["attempted"]
    if attempted >= MIN_SAMPLE:
        rate = m["failed"] / attempted
        m["failure_rate"] = round(rate, 3)
        if rate >= 0.05:
            v.score += min(35, int(rate * 100))
            v.factors.append(f"failure rate {rate:.0%} over {attempted} messages")
            v.recommendations.append("Clean the contact list; check numbers and templates")
    if m["block_codes"]:
        v.score += min(60, 30 * m["block_codes"])
        v.factors.append(f"{m['block_codes']} spam/policy block errors from Meta")
        v.recommendations.append("Stop sending and review Meta's account quality page")
    sent = max(1, attempted - m["failed"])
    if m["opt_outs_after_messages"]:
        rate = m["opt_outs_after_messages"] / sent
        v.score += min(30, int(rate * 300))
        v.factors.append(f"{m['opt_outs_after_messages']} opt-outs after our messages")
        v.recommendations.append("Make content more relevant; send less often")
    quality = (m["quality_rating"] or "").upper()
    if quality in ("RED", "LOW"):
        v.score += 40
        v.factors.append("quality rating RED")
        v.recommendations.append("Pause marketing until the quality rating recovers")
    elif quality in ("YELLOW", "MEDIUM"):
        v.score += 20
        v.factors.append("quality rating YELLOW")
    low = m["template_quality"]
    red = sorted(name for name, score in low.items() if score == "RED")
    if red:
        v.score += min(40, 20 * len(red))
        v.factors.append("template quality RED: " + ", ".join(red))
        v.recommendations.append("Stop sending low-quality templates before Meta pauses them")
    elif low:
        v.score += 10
        v.factors.append("template quality YELLOW: " + ", ".join(sorted(low)))
    if m["hourly_cap"] and m["sent_last_hour"] >= 0.9 * m["hourly_cap"]:
        v.score += 10
        v.factors.append("volume at the hourly cap")
    v.score = min(100, v.score)
    v.level = level_for(v.score)
    return v


def monitor(*, db: Session, now: datetime) -> list[RiskAssessment]:
    """Assess every active number; store each verdict; auto-pause at critical."""
    stored: list[RiskAssessment] = []
    senders = db.scalars(
        select(SenderNumber).where(SenderNumber.status == SenderStatus.ACTIVE)
    ).all()
    for sender in senders:
        v = assess(db=db, sender=sender, now=now)
        action = None
        if v.level == RiskLevel.CRITICAL:
            reason = "auto-paused: ban risk critical (" + "; ".join(v.factors) + ")"
            paused = db.execute(
                update(Campaign)
                .where(Campaign.sender_id == sender.id, Campaign.status == CampaignStatus.RUNNING)
                .values(status=CampaignStatus.PAUSED, status_reason=reason[:1000], updated_at=now)
            ).rowcount
            action = f"paused_campaigns:{paused}" if paused else None
        row = RiskAssessment(
            workspace_id=sender.workspace_id,
            sender_id=sender.id,
            scope="number",
            risk_score=v.score,
            risk_level=v.level,
            factors=v.factors,
            recommendations=v.recommendations,
            metrics=v.metrics,
            action_taken=action,
            created_at=now,
        )
        db.add(row)
        stored.append(row)
    db.flush()
    return stored
