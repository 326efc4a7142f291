"""Offline reply classifier.

# PLACEHOLDER (owner: h9b) — h9b's branch replaces this file with the real statistical model
# (TF-IDF + logistic regression trained from tests/data/replies, calibrated, with a confidence
# gate). This stand-in only keeps the contract callable: opt-out from the explicit keyword rules,
# sentiment from the VADER lexicon, every other reply "other" with low confidence and human
# review. It makes no claim of intent quality.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from app.ai.classifier.schemas import AutoResponse, Classification
from app.contacts.optout_keywords import match_opt_out


@cache
def _vader() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def classify_local(
    reply_text: str, original_message: str | None = None, *, custom_model: Any = None
) -> Classification:
    opt_out = match_opt_out(reply_text) is not None
    compound = _vader().polarity_scores(reply_text)["compound"]
    sentiment = "positive" if compound >= 0.05 else "negative" if compound <= -0.05 else "neutral"
    if opt_out:
        return Classification(
            intent="opt_out",
            sentiment=sentiment,
            confidence=100,
            key_phrases=[reply_text.strip()[:40]],
            suggested_action="Opt the contact out; send nothing more",
            urgency="high",
            auto_response=AutoResponse(
                should_respond=False, suggested_response=None, requires_human_review=False
            ),
            language="und",
            opt_out=True,
        )
    return Classification(
        intent="other",
        sentiment=sentiment,
        confidence=0,
        key_phrases=[],
        suggested_action="Flag for human review",
        urgency="medium",
        auto_response=AutoResponse(
            should_respond=False,
            suggested_response="Flag for human review",
            requires_human_review=True,
        ),
        language="und",
        opt_out=False,
    )
