# PLACEHOLDER (owner: h9b) — a few keyword rules standing in for the trained local model, so
# issue 10 (classified replies, auto-responses, inbox) can run end to end before h9b's model
# lands. Same signature and guarantees as AI_CONTRACT.md: sync, pure, opt-out by the explicit
# rules first.
"""Offline reply classifier (placeholder rules)."""

from __future__ import annotations

import re
from typing import Any

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from app.ai.classifier.schemas import AutoResponse, Classification
from app.contacts.optout_keywords import match_opt_out

_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (intent, re.compile(pattern, re.I))
    for intent, pattern in (
        ("auto_reply", r"out of (the )?office|automatic reply|auto-?reply|away until|on leave"),
        ("wrong_number", r"wrong number|who is this|don't know you"),
        (
            "opt_out",
            r"\b(unsubscribe|stop (texting|messaging|sending)|remove me|leave me alone)"
            r"|don.?t want (these|your|any)",
        ),
        ("complaint", r"\b(terrible|awful|worst|angry|complain|scam|ripped off|disappointed)"),
        ("not_interested", r"not interested|no thanks|not (right )?now|no,? thank"),
        ("meeting_request", r"\b(call me|meeting|meet|schedule|book a|appointment|demo)\b"),
        ("pricing", r"how much|\bprice|\bpricing|\bcost|\bfee|\bquote\b"),
        ("already_customer", r"already (a customer|bought|have|ordered)"),
        ("interested", r"\b(yes|interested|sounds good|sign me up|i want|i'd like|love to)\b"),
        ("question", r"\?\s*$|^(what|when|where|how|can|could|do|does|is|are)\b"),
    )
)
_ACTIONS = {
    "pricing": "Send pricing details",
    "meeting_request": "Propose a time",
    "complaint": "Escalate to a person",
    "opt_out": "Confirm the opt-out",
    "question": "Answer the question",
    "interested": "Follow up",
}
_VADER = SentimentIntensityAnalyzer()


def classify_local(
    reply_text: str, original_message: str | None = None, *, custom_model: Any = None
) -> Classification:
    text = (reply_text or "").strip()
    keyword = match_opt_out(text)
    intent, confidence = "other", 35
    if keyword:
        intent, confidence = "opt_out", 99
    elif custom_model is not None and text:
        probs = custom_model.predict_proba([text])[0]
        intent = max(probs, key=probs.__getitem__)
        confidence = round(probs[intent] * 100)
    else:
        for name, pattern in _RULES:
            if pattern.search(text):
                intent, confidence = name, 55 if name == "question" else 85
                break
    compound = _VADER.polarity_scores(text)["compound"] if text else 0.0
    sentiment = "positive" if compound >= 0.3 else "negative" if compound <= -0.3 else "neutral"
    review = intent in ("complaint", "meeting_request") or confidence < 60
    return Classification(
        intent=intent,
        sentiment=sentiment,
        confidence=confidence,
        key_phrases=[],
        suggested_action=_ACTIONS.get(intent, "Review"),
        urgency="high" if intent in ("complaint", "meeting_request") else "medium",
        auto_response=AutoResponse(
            should_respond=not review, suggested_response=None, requires_human_review=review
        ),
        language="en" if re.search(r"[a-z]", text, re.I) else "und",
        opt_out=bool(keyword),
    )
