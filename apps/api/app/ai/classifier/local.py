"""The offline (`local`) reply classifier: sync, pure, well under 5 ms a reply.

Decision order, and why:
1. Opt-out: explicit multilingual rules (`match_opt_out(sentences=True)`) — a legal decision,
   never the model alone and never sentiment. When the rules did not match but the intent
   model says "opt_out" or the opt-out review model (optout_model) reads a request to stop,
   the reply is a `probable_opt_out` and goes to a person instead.
2. Intent: the workspace's custom model when it is sure and the reply is one of its intents
   (not its FALLBACK_LABEL "none of mine" class), else the built-in model
   (app.ai.intents), behind a Rasa-style confidence gate: top probability below THRESHOLD, or
   the top two closer than AMBIGUITY, means `requires_human_review`.
3. Sentiment (model + VADER), language (packaged fastText model), key phrases (the words that
   drove the intent), urgency, suggested action and a suggested auto-response.

`original_message` is accepted for the contract; the local model reads the reply alone (the
LLM path uses the context).
"""

from __future__ import annotations

import re

import numpy as np

from app.ai.classifier.language import detect_language
from app.ai.classifier.optout_model import THRESHOLD as OPT_OUT_REVIEW_AT
from app.ai.classifier.optout_model import opt_out_probability
from app.ai.classifier.schemas import AutoResponse, Classification
from app.ai.classifier.sentiment import sentiment_model, sentiment_proba
from app.ai.intents import FALLBACK_LABEL, IntentModel, analyze, builtin_model
from app.contacts.optout_keywords import match_opt_out

THRESHOLD = 0.5  # Rasa's FallbackClassifier `threshold`
AMBIGUITY = 0.1  # Rasa's `ambiguity_threshold`: top-two gap below this is ambiguous
MAX_CHARS = 4000  # the model reads the start of very long replies

# Intents a person should always handle, whatever the confidence.
ALWAYS_REVIEW = frozenset({"complaint", "question", "meeting_request"})
ACTIONS = {
    "interested": "Follow up with details and next steps",
    "question": "Answer the question",
    "pricing": "Send pricing details",
    "meeting_request": "Schedule the call or visit",
    "not_interested": "Stop the sequence for this contact; no follow-up",
    "opt_out": "Contact opted out: send nothing more",
    "complaint": "Escalate to support and reply personally",
    "already_customer": "Exclude from acquisition campaigns; tag as customer",
    "wrong_number": "Mark the number as wrong; stop messaging it",
    "auto_reply": "Ignore (automatic reply); keep the follow-up schedule",
    "other": "No action needed",
}
PROBABLE_OPT_OUT_ACTION = "Check whether the contact asked to stop messages; opt them out if so"
# English suggestions a workspace may send automatically (only when confident, in English).
RESPONSES = {
    "interested": "Great! A member of our team will send you the details shortly.",
    "pricing": "Thanks for asking! A teammate will send you our current prices shortly.",
    "meeting_request": "Happy to set that up! What day and time work best for you?",
    "not_interested": "No problem, thanks for letting us know!",
    "opt_out": "You're unsubscribed and won't receive more messages from us.",
    "already_customer": "Thanks for being a customer! Let us know if you need anything.",
    "wrong_number": "Sorry for the mix-up, we'll update our records.",
}
_URGENT = re.compile(
    r"\b(urgent\w*|asap|immediately|emergency|right now|urgente|dringend|sofort|jaldi|turant|"
    r"segera|secepatnya|urgence)\b",
    re.I,
)


def _gate(proba: np.ndarray) -> tuple[int, bool]:
    """(top index, confident?) in Rasa's sense."""
    order = np.argsort(-proba)
    top, second = float(proba[order[0]]), float(proba[order[1]]) if len(order) > 1 else 0.0
    return int(order[0]), top >= THRESHOLD and top - second >= AMBIGUITY


def _urgency(intent: str, sentiment: str, neg: float, text: str) -> str:
    if intent == "complaint" or _URGENT.search(text) or (sentiment == "negative" and neg > 0.8):
        return "high"
    if intent in ("meeting_request", "pricing", "interested", "question", "opt_out"):
        return "medium"
    return "low"


def classify_local(
    reply_text: str,
    original_message: str | None = None,
    *,
    custom_model: IntentModel | None = None,
) -> Classification:
    text = (reply_text or "").strip()[:MAX_CHARS]
    if not text:
        return _empty()
    rule = match_opt_out(text, sentences=True)
    analyzed = analyze(text)  # shared by every model below
    builtin = builtin_model()
    b_vector = builtin.vectorize(analyzed)
    model, vector = builtin, b_vector
    proba = builtin.proba_vec(b_vector)
    top, confident = _gate(proba)
    if custom_model is not None:
        c_vector = custom_model.vectorize(analyzed)
        custom = custom_model.proba_vec(c_vector)
        c_top, c_confident = _gate(custom)
        # the built-in model is the fallback: "none of mine", or less sure than the built-in
        if custom_model.labels[c_top] != FALLBACK_LABEL and (c_confident or not confident):
            model, vector, proba = custom_model, c_vector, custom
            top, confident = c_top, c_confident
    intent = model.labels[top]
    confidence = round(float(proba[top]) * 100)
    review = not confident or intent in ALWAYS_REVIEW
    probable = not rule and (
        intent == "opt_out" or opt_out_probability(analyzed) >= OPT_OUT_REVIEW_AT
    )
    if rule:
        intent, confidence, review = "opt_out", 100, False
        model, vector = builtin, b_vector
    elif probable:
        review = True  # the models alone never opt anyone out: a person decides
    smodel = sentiment_model()
    s_vector = b_vector if smodel.shares_features(builtin) else smodel.vectorize(analyzed)
    senti = sentiment_proba(text, model=smodel, vector=s_vector)
    sentiment = max(senti, key=senti.__getitem__)
    language = detect_language(text)
    suggested = RESPONSES.get(intent)
    action = ACTIONS.get(intent, f"Handle as {intent.replace('_', ' ')}")
    if probable:
        action = PROBABLE_OPT_OUT_ACTION
    return Classification(
        intent=intent,
        sentiment=sentiment,
        confidence=confidence,
        key_phrases=model.top_terms(analyzed, intent, vector=vector),
        suggested_action=action,
        urgency=_urgency(intent, sentiment, senti["negative"], text),
        auto_response=AutoResponse(
            should_respond=bool(suggested) and not review and language in ("en", "und"),
            suggested_response=suggested,
            requires_human_review=review,
        ),
        language=language,
        provider="local",
        opt_out=bool(rule),
        probable_opt_out=probable,
    )


def _empty() -> Classification:
    return Classification(
        intent="other",
        sentiment="neutral",
        confidence=0,
        key_phrases=[],
        suggested_action=ACTIONS["other"],
        urgency="low",
        auto_response=AutoResponse(
            should_respond=False, suggested_response=None, requires_human_review=False
        ),
        language="und",
        provider="local",
        opt_out=False,
    )
