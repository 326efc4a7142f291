"""Content risk of one message: explainable rule factors plus the learned text score.

Rules measure what Meta's spam reports react to and what a person can fix (shouting caps,
`!!!` runs, spam phrases, shortened links, marketing without an opt-out line, length); the
learned score (`model.py`) catches the rest — scams written politely, lower-case spam. Each
factor names its points, so `factors` explains the score.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from app.ai.facts import URL_RE

SHORTENERS = (
    "bit.ly",
    "tinyurl.com",
    "goo.gl",
    "t.co",
    "cutt.ly",
    "is.gd",
    "rb.gy",
    "ow.ly",
    "tiny.cc",
    "shorturl.at",
    "buff.ly",
    "rebrand.ly",
)
SPAM_PHRASES = (
    "click here",
    "click now",
    "click the link",
    "buy now",
    "order now",
    "act now",
    "call now",
    "shop now",
    "limited time",
    "last chance",
    "final notice",
    "don't miss",
    "hurry",
    "free gift",
    "free money",
    "you won",
    "you have won",
    "winner",
    "claim your",
    "claim now",
    "congratulations",
    "guaranteed",
    "risk free",
    "risk-free",
    "no credit check",
    "make money",
    "earn money",
    "double your",
    "100% free",
    "work from home",
    "lottery",
    "prize",
    "bank details",
    "card details",
    "verify your account",
)
MARKETING_WORDS = re.compile(
    r"\b(?:offer|discount|sale|promo\w*|deal|% off|off everything|shop|coupon|buy|"
    r"oferta|descuento|promoção|desconto|soldes|rabatt)\b",
    re.I,
)
OPT_OUT_LINE = re.compile(
    r"\b(?:stop|unsubscribe|opt[ -]?out|baja|sair|désinscri\w*|abmelden|berhenti)\b", re.I
)
PUNCT_RUN = re.compile(r"[!?]{2,}")
SHOUT_WORD = re.compile(r"\b[A-Z]{4,}\b")
LEARNED_WEIGHT = 45  # points at P(spam) = 1


@dataclass
class ContentSignals:
    score: int = 0
    factors: list[str] = field(default_factory=list)
    recommendations: list[str] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)

    def add(self, points: int, factor: str, recommendation: str | None = None) -> None:
        if points <= 0:
            return
        self.score += points
        self.factors.append(f"{factor} (+{points})")
        if recommendation and recommendation not in self.recommendations:
            self.recommendations.append(recommendation)


def rule_signals(text: str) -> ContentSignals:
    s = ContentSignals()
    letters = [c for c in text if c.isalpha()]
    caps_ratio = sum(c.isupper() for c in letters) / len(letters) if letters else 0.0
    shouting = SHOUT_WORD.findall(text)
    runs = PUNCT_RUN.findall(text)
    lower = text.lower()
    phrases = [p for p in SPAM_PHRASES if p in lower]
    links = URL_RE.findall(text)
    short = [u for u in links if any(u.lower().split("//")[-1].startswith(d) for d in SHORTENERS)]
    marketing = bool(MARKETING_WORDS.search(text))
    s.metrics = {
        "length": len(text),
        "caps_ratio": round(caps_ratio, 3),
        "shouting_words": len(shouting),
        "punctuation_runs": len(runs),
        "spam_phrases": phrases,
        "links": len(links),
        "shortened_links": len(short),
        "marketing": marketing,
        "has_opt_out_line": bool(OPT_OUT_LINE.search(text)),
    }
    if len(letters) >= 8 and caps_ratio >= 0.3:
        s.add(
            min(20, round(caps_ratio * 25)),
            f"shouting: {caps_ratio:.0%} capital letters",
            "Write in normal sentence case",
        )
    elif len(shouting) >= 2:
        s.add(5, f"{len(shouting)} all-caps words", "Write in normal sentence case")
    if runs:
        s.add(
            min(15, 5 * len(runs)),
            f"{len(runs)} runs of !!!/???",
            "Use one punctuation mark, not '!!!'",
        )
    if phrases:
        s.add(
            min(30, 8 * len(phrases)),
            "spam phrases: " + ", ".join(phrases[:5]),
            "Drop pushy phrases like 'click now' or 'limited time'; say what the offer is",
        )
    if short:
        s.add(20, f"{len(short)} shortened link(s)", "Use your own full domain, not a shortener")
    if len(links) > 2:
        s.add(8, f"{len(links)} links", "Send at most one or two links")
    if marketing and not s.metrics["has_opt_out_line"]:
        s.add(8, "marketing text without an opt-out line", "Add 'Reply STOP to opt out'")
    if len(text) > 1000:
        s.add(5, f"long message ({len(text)} characters)", "Keep WhatsApp messages short")
    return s


def content_signals(text: str, *, learned: float | None = None) -> ContentSignals:
    """Rules plus the learned score (`learned` = P(spam), computed here when not given)."""
    from app.ai.risk.model import ModelUnavailable, spam_probability

    s = rule_signals(text)
    try:
        p = spam_probability([text])[0] if learned is None else learned
    except ModelUnavailable as exc:  # rules still answer; say what is missing
        s.metrics["learned_spam_probability"] = None
        s.metrics["learned_score_unavailable"] = str(exc)
        s.score = min(100, s.score)
        return s
    s.metrics["learned_spam_probability"] = round(p, 3)
    s.add(
        round(LEARNED_WEIGHT * p),
        f"reads like spam to the text model ({p:.0%})",
        "Rewrite the message (POST /api/v1/ai/rewrite) so it reads like a personal note",
    )
    s.score = min(100, s.score)
    return s
