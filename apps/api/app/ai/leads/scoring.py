"""The lead score of one contact from its message history: pure, explainable, time-decayed.

Four parts as in the seed — engagement (40), profile (15), behaviour (30), timing (15). Every
point comes from a named signal with its own cap; older activity counts less (half-life
HALF_LIFE_DAYS); a part over its cap, or below zero, gets an explicit adjustment line, so the
explanation always adds up to the total.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from statistics import median
from typing import Any

from app.core.enums import LeadTier

LOOKBACK_DAYS = 90
HALF_LIFE_DAYS = 14.0
RECENCY_HALF_LIFE_DAYS = 3.0
HOT, WARM = 70, 40
PART_CAPS = {"engagement": 40, "profile": 15, "behavior": 30, "timing": 15}
BUYING_INTENTS = {"interested", "pricing", "meeting_request", "purchase", "already_customer"}
QUESTION_INTENTS = {"question"}
NEGATIVE_INTENTS = {"not_interested", "complaint", "wrong_number"}


@dataclass(frozen=True)
class Event:
    direction: str  # inbound | outbound
    at: datetime
    intent: str | None = None
    length: int = 0
    read: bool = False


@dataclass
class Line:
    category: str
    signal: str
    points: int
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "signal": self.signal,
            "points": self.points,
            "detail": self.detail,
        }


@dataclass
class LeadScore:
    total_score: int
    quality_tier: str
    priority: str
    breakdown: dict[str, int]
    explanation: list[Line] = field(default_factory=list)
    insights: list[str] = field(default_factory=list)
    next_actions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Profile:
    name: str | None
    email: str | None
    attributes: int
    tags: int
    opted_out: bool
    last_inbound_at: datetime | None = None


def tier_for(score: int) -> str:
    if score >= HOT:
        return LeadTier.HOT
    return LeadTier.WARM if score >= WARM else LeadTier.COLD


def decay(at: datetime, now: datetime, half_life: float = HALF_LIFE_DAYS) -> float:
    age_days = max(0.0, (now - at).total_seconds() / 86400)
    return 0.5 ** (age_days / half_life)


def score(profile: Profile, events: list[Event], *, now: datetime) -> LeadScore:
    if profile.opted_out:
        line = Line("engagement", "opted_out", 0, "Contact opted out: never scored above 0")
        return LeadScore(
            0,
            LeadTier.COLD,
            "low",
            dict.fromkeys(PART_CAPS, 0),
            [line],
            ["Opted out of messages"],
            ["Do not contact (opted out)"],
        )
    events = sorted(events, key=lambda e: e.at)
    inbound = [e for e in events if e.direction == "inbound"]
    outbound = [e for e in events if e.direction == "outbound"]
    lines: list[Line] = []
    lines += _engagement(inbound, outbound, events, now)
    lines += _profile(profile)
    lines += _behavior(inbound, now)
    lines += _timing(inbound, profile, now)
    lines = _apply_caps(lines)
    breakdown = {part: sum(x.points for x in lines if x.category == part) for part in PART_CAPS}
    total = sum(breakdown.values())
    tier = tier_for(total)
    priority = {"hot": "high", "warm": "medium"}.get(tier, "low")
    result = LeadScore(total, tier, priority, breakdown, [x for x in lines if x.points])
    result.insights, result.next_actions = _advice(result, inbound, lines)
    return result


def _engagement(
    inbound: list[Event], outbound: list[Event], events: list[Event], now: datetime
) -> Iterator[Line]:
    weight = sum(decay(e.at, now) for e in inbound)
    yield Line(
        "engagement",
        "replies",
        min(24, round(8 * weight)),
        f"{len(inbound)} replies (time-decayed weight {weight:.1f}, 8 points each, cap 24)",
    )
    if outbound:
        sent = sum(decay(e.at, now) for e in outbound)
        read = sum(decay(e.at, now) for e in outbound if e.read)
        rate = read / sent if sent else 0.0
        yield Line(
            "engagement",
            "read_rate",
            min(10, round(10 * rate)),
            f"read {rate:.0%} of our messages (cap 10)",
        )
    waits = _reply_minutes(events)
    if waits:
        typical = median(waits)
        points = 6 if typical <= 30 else 3 if typical <= 240 else 0
        yield Line("engagement", "reply_speed", points, f"replies in ~{typical:.0f} minutes")


def _reply_minutes(events: list[Event]) -> list[float]:
    waits, last_out = [], None
    for e in events:
        if e.direction == "outbound":
            last_out = e.at
        elif last_out is not None:
            waits.append((e.at - last_out).total_seconds() / 60)
            last_out = None
    return waits


def _profile(p: Profile) -> Iterator[Line]:
    yield Line("profile", "name", 4 if p.name else 0, "name known")
    yield Line("profile", "email", 4 if p.email else 0, "e-mail known")
    yield Line("profile", "attributes", 4 if p.attributes >= 2 else 0, "2+ custom attributes")
    yield Line("profile", "tags", 3 if p.tags else 0, "tagged")


def _behavior(inbound: list[Event], now: datetime) -> Iterator[Line]:
    buying = [e for e in inbound if e.intent in BUYING_INTENTS]
    weight = sum(decay(e.at, now) for e in buying)
    yield Line(
        "behavior",
        "buying_intent",
        min(24, round(8 * weight)),
        f"{len(buying)} replies showing interest, pricing or meeting requests (cap 24)",
    )
    questions = [e for e in inbound if e.intent in QUESTION_INTENTS]
    weight = sum(decay(e.at, now) for e in questions)
    yield Line(
        "behavior",
        "questions",
        min(8, round(4 * weight)),
        f"{len(questions)} questions asked (cap 8)",
    )
    if inbound:
        avg = sum(e.length for e in inbound) / len(inbound)
        points = 6 if avg >= 40 else 3 if avg >= 15 else 0
        yield Line("behavior", "detailed_replies", points, f"replies average {avg:.0f} characters")
    negative = [e for e in inbound if e.intent in NEGATIVE_INTENTS]
    weight = sum(decay(e.at, now) for e in negative)
    yield Line(
        "behavior",
        "negative_replies",
        -min(20, round(10 * weight)),
        f"{len(negative)} not-interested/complaint replies (cap -20)",
    )


def _timing(inbound: list[Event], p: Profile, now: datetime) -> Iterator[Line]:
    last = inbound[-1].at if inbound else p.last_inbound_at
    if last is None:
        yield Line("timing", "recency", 0, "never replied")
        return
    days = max(0.0, (now - last).total_seconds() / 86400)
    points = round(15 * decay(last, now, RECENCY_HALF_LIFE_DAYS))
    yield Line("timing", "recency", points, f"last reply {days:.1f} days ago (half-life 3 days)")


def _apply_caps(lines: list[Line]) -> list[Line]:
    """Explicit lines for a part over its cap or below zero: the sum always matches."""
    out = list(lines)
    for part, cap in PART_CAPS.items():
        total = sum(x.points for x in lines if x.category == part)
        if total > cap:
            out.append(Line(part, "part_cap", cap - total, f"{part} is capped at {cap}"))
        elif total < 0:
            out.append(Line(part, "floor", -total, f"{part} does not go below 0"))
    return out


def _advice(
    result: LeadScore, inbound: list[Event], lines: list[Line]
) -> tuple[list[str], list[str]]:
    points = {x.signal: x.points for x in lines}
    insights, actions = [], []
    if result.quality_tier == LeadTier.HOT:
        insights.append("🔥 Highly engaged lead - prioritize immediate follow-up")
        actions.append("📞 Call or schedule a meeting within 24 hours")
    if points.get("buying_intent"):
        insights.append("Showed buying intent (interest, pricing or a meeting request)")
        actions.append("💰 Send pricing and a proposal")
    if points.get("questions"):
        insights.append("Asked specific questions")
    if points.get("reply_speed", 0) >= 6:
        insights.append("Responds quickly (typically within 30 minutes)")
    if points.get("negative_replies"):
        insights.append("Said not interested or complained recently")
        actions.append("Pause promotions; address the concern personally")
    if not inbound:
        insights.append("Has not replied yet")
    if result.quality_tier == LeadTier.WARM:
        actions.append("Send a helpful follow-up in 2-3 days")
    elif result.quality_tier == LeadTier.COLD and not points.get("negative_replies"):
        actions.append("Keep in a low-frequency nurture sequence")
    return insights, actions
