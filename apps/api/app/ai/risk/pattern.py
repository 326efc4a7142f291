"""Pattern risk of one sender number over a window: what its traffic looks like to Meta.

Metrics come from `messages` with a few grouped queries (the database is the source of truth):
volume per hour against the number's effective cap and warm-up day, near-duplicate share of its
last messages, response rate, opt-outs after our messages, Meta's failure codes that signal
spam/blocks/undeliverable/marketing limits, and the quality rating Meta reports.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from app.ai.risk.content import ContentSignals, content_signals
from app.ai.risk.similarity import near_duplicates
from app.campaigns.models import Campaign, DripStep
from app.contacts.models import Contact
from app.core.enums import CampaignStatus, Direction, MessageStatus
from app.messaging.models import Message
from app.senders.limits import effective_caps
from app.senders.models import SenderNumber
from app.templates.models import Template

# Meta error codes that speak about the sender's reputation (SPEC §5).
WATCHED_CODES = {
    "131048": "spam rate limit",
    "368": "policy block",
    "131026": "undeliverable (often blocked by the user)",
    "131049": "per-user marketing limit",
    "131031": "account locked",
}
BLOCK_CODES = ("131048", "368", "131031", "131042", "130497")
COUNTED_CODES = tuple(sorted(set(WATCHED_CODES) | set(BLOCK_CODES)))
MIN_SAMPLE = 20  # below this many messages a rate says little
SIMILARITY_SAMPLE = 1000  # the number's last messages compared for near-duplicates


def sender_metrics(
    *, db: Session, sender: SenderNumber, now: datetime, hours: int
) -> dict[str, Any]:
    since = now - timedelta(hours=hours)
    m = Message
    own_out = and_(m.sender_id == sender.id, m.direction == Direction.OUTBOUND)
    attempted, failed = db.execute(
        select(func.count(), func.count().filter(m.status == MessageStatus.FAILED)).where(
            own_out, m.claimed_at >= since
        )
    ).one()
    codes = dict(
        db.execute(
            select(m.error_code, func.count())
            .where(own_out, m.claimed_at >= since, m.error_code.in_(COUNTED_CODES))
            .group_by(m.error_code)
        ).all()
    )
    sent_times = list(db.scalars(select(m.sent_at).where(own_out, m.sent_at >= since)))
    per_hour = Counter(int((now - t).total_seconds() // 3600) for t in sent_times if t <= now)
    bodies = list(
        db.scalars(
            select(m.body)
            .where(own_out, m.sent_at >= since, m.body.is_not(None))
            .order_by(m.sent_at.desc(), m.id.desc())
            .limit(SIMILARITY_SAMPLE)
        )
    )
    sim = near_duplicates(bodies[::-1])
    worst_score, worst_text = _worst_content(bodies)
    out = aliased(Message)
    reached = db.scalar(
        select(func.count(func.distinct(m.contact_id))).where(own_out, m.sent_at >= since)
    )
    replied = db.scalar(
        select(func.count(func.distinct(m.contact_id))).where(
            m.direction == Direction.INBOUND,
            m.received_at >= since,
            exists().where(
                out.contact_id == m.contact_id,
                out.sender_id == sender.id,
                out.direction == Direction.OUTBOUND,
                out.sent_at >= since,
                out.sent_at <= m.received_at,
            ),
        )
    )
    opt_outs = db.scalar(
        select(func.count()).where(
            Contact.workspace_id == sender.workspace_id,
            Contact.opted_out_at >= since,
            exists().where(
                m.contact_id == Contact.id,
                m.sender_id == sender.id,
                m.direction == Direction.OUTBOUND,
                m.sent_at >= since,
                m.sent_at <= Contact.opted_out_at,
            ),
        )
    )
    caps = effective_caps(sender, today=now.date())
    reached = int(reached or 0)
    return {
        "window_hours": hours,
        "total_messages": int(attempted or 0),
        "attempted": int(attempted or 0),
        "failed": int(failed or 0),
        "sent": len(sent_times),
        "messages_per_hour": max(per_hour.values(), default=0),
        "sent_last_hour": per_hour.get(0, 0),
        "hourly_cap": caps.hourly,
        "daily_cap": caps.daily,
        "warmup_day": caps.warmup_day,
        "warmup_cap": caps.warmup_cap,
        "sent_last_24h": sum(n for h, n in per_hour.items() if h < 24),
        "error_codes": {str(k): int(v) for k, v in codes.items()},
        "blocked_count": sum(int(codes.get(c, 0)) for c in BLOCK_CODES),
        "contacts_reached": reached,
        "contacts_replied": int(replied or 0),
        "response_rate": round(int(replied or 0) / reached, 3) if reached else None,
        "opt_outs_after_messages": int(opt_outs or 0),
        "opt_out_rate": round(int(opt_outs or 0) / reached, 3) if reached else None,
        "similarity_compared": sim.compared,
        "near_duplicate_ratio": round(sim.ratio, 3),
        "max_similarity": round(sim.max_similarity, 1),
        "quality_rating": sender.quality_rating,
        "template_quality": _template_quality(db, sender),
        "content_risk_max": worst_score,
        "content_risk_example": worst_text,
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


def _worst_content(bodies: list[str], most: int = 5) -> tuple[int | None, str | None]:
    """Content risk of the number's most-sent texts (a campaign's template shows up as its
    most common body): the highest score and that text, shortened."""
    if not bodies:
        return None, None
    common = [text for text, _ in Counter(bodies).most_common(most)]
    scored = [(content_signals(text).score, text) for text in common]
    score, text = max(scored)
    return score, text[:120]


def pattern_signals(m: dict[str, Any]) -> ContentSignals:
    """Score the metrics; every factor says what it measured and what it added."""
    s = ContentSignals(metrics=m)
    attempted, reached = m["attempted"], m["contacts_reached"]
    if attempted >= MIN_SAMPLE and m["failed"] / attempted >= 0.05:
        rate = m["failed"] / attempted
        m["failure_rate"] = round(rate, 3)
        s.add(
            min(35, int(rate * 100)),
            f"failure rate {rate:.0%} over {attempted} messages",
            "Clean the contact list; check numbers and templates",
        )
    codes = m["error_codes"]
    if m["blocked_count"]:
        s.add(
            min(60, 30 * m["blocked_count"]),
            f"{m['blocked_count']} spam/policy block errors from Meta (131048/368)",
            "🚨 Stop sending for 24-48 hours and review Meta's account quality page",
        )
    undeliverable = codes.get("131026", 0)
    if attempted >= MIN_SAMPLE and undeliverable / attempted >= 0.05:
        s.add(
            min(20, int(undeliverable / attempted * 100)),
            f"{undeliverable} undeliverable (131026): users may have blocked the number",
            "Remove numbers that fail with 131026",
        )
    if codes.get("131049"):
        s.add(
            min(15, 3 * codes["131049"]),
            f"{codes['131049']} per-user marketing limits hit (131049)",
            "Send marketing less often to the same people",
        )
    cap = m["hourly_cap"]
    if cap and m["messages_per_hour"] > cap:
        s.add(
            25,
            f"Very high message volume ({m['messages_per_hour']}/hour, cap {cap})",
            f"Reduce message sending rate to <{cap}/hour",
        )
    elif cap and m["messages_per_hour"] >= 0.9 * cap:
        s.add(10, f"volume at the hourly cap ({m['messages_per_hour']}/{cap})")
    if m["warmup_cap"] and m["sent_last_24h"] > m["warmup_cap"]:
        s.add(
            20,
            f"{m['sent_last_24h']} sent in 24 h on warm-up day {m['warmup_day']} "
            f"(allowed {m['warmup_cap']})",
            "Follow the warm-up ramp",
        )
    if m["similarity_compared"] >= 10:
        ratio = m["near_duplicate_ratio"]
        points = 25 if ratio >= 0.5 else 10 if ratio >= 0.2 else 0
        s.add(
            points,
            f"Very similar messages detected ({ratio:.0%} near-duplicates, "
            f"up to {m['max_similarity']:.0f}% similarity)",
            "Use AI message rewriting for more variation (variants)",
        )
    rate = m["response_rate"]
    if rate is not None and reached >= MIN_SAMPLE and rate < 0.1:
        s.add(
            15 if rate < 0.05 else 8,
            f"Low response rate ({rate:.0%})",
            "Message people who expect you; make the first line personal",
        )
    if m["opt_outs_after_messages"] and reached:
        rate = m["opt_outs_after_messages"] / max(1, reached)
        s.add(
            min(30, max(5, int(rate * 300))),
            f"{m['opt_outs_after_messages']} opt-outs after our messages ({rate:.0%})",
            "Make content more relevant; send less often",
        )
    worst = m.get("content_risk_max")
    if worst is not None and worst >= 50:
        s.add(
            round(worst * 0.3),
            f"recent message content scores {worst}/100 for spam",
            "Check POST /api/v1/ai/ban-risk {message} for the campaign text and rewrite it",
        )
    quality = (m["quality_rating"] or "").upper()
    if quality in ("RED", "LOW"):
        s.add(40, "quality rating RED", "Pause marketing until the quality rating recovers")
    elif quality in ("YELLOW", "MEDIUM"):
        s.add(20, "quality rating YELLOW", "Slow down and review recent content")
    low = m.get("template_quality") or {}
    red = sorted(name for name, score in low.items() if score == "RED")
    if red:
        s.add(
            min(40, 20 * len(red)),
            "template quality RED: " + ", ".join(red),
            "Stop sending low-quality templates before Meta pauses them",
        )
    elif low:
        s.add(10, "template quality YELLOW: " + ", ".join(sorted(low)))
    s.score = min(100, s.score)
    return s
