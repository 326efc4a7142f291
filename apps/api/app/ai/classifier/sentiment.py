"""Reply sentiment: positive | neutral | negative.

Two signals, blended: a TF-IDF + logistic-regression model trained on the sentiment labels of
the labelled replies (it reads Hinglish, Portuguese and emoji), and VADER's lexicon compound
score (strong on English intensity: "worst service ever!!!"). VADER only speaks when it found
sentiment-bearing words; the blend weight was chosen by cross-validation on the train split.
"""

from __future__ import annotations

import string
import threading

import numpy as np

from app.ai.classifier.model import load_replies
from app.ai.intents import Analyzed, IntentModel, Vector

LABELS = ("negative", "neutral", "positive")
VADER_WEIGHT = 0.35
_lock = threading.Lock()
_model: IntentModel | None = None
_vader = None


def sentiment_model() -> IntentModel:
    """Trained at first use from the train split's sentiment labels, kept for the process."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                rows = load_replies("train")
                texts = [r["text"] for r in rows]
                _model = IntentModel.train(texts, [r["sentiment"] for r in rows])
    return _model


def vader_proba(text: str) -> np.ndarray | None:
    """VADER's compound score as a (negative, neutral, positive) distribution, or None when
    it found nothing to score."""
    global _vader
    if _vader is None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        _vader = SentimentIntensityAnalyzer()
    if text.isascii() and not _may_score(text, _vader.lexicon):
        return None  # VADER scores 0 without a lexicon word; skip its ~30 µs of work
    compound = float(_vader.polarity_scores(text)["compound"])
    if compound == 0.0:
        return None
    return np.array([max(-compound, 0.0), 1.0 - abs(compound), max(compound, 0.0)])


def _may_score(text: str, lexicon: dict[str, float]) -> bool:
    """Whether any token, as VADER reads it (punctuation stripped unless that leaves two
    characters or fewer, e.g. emoticons), is in its lexicon. Non-ASCII text (emoji, which
    VADER spells out) is always scored."""
    for token in text.lower().split():
        stripped = token.strip(string.punctuation)
        if token in lexicon or stripped in lexicon:
            return True
    return False


def sentiment_proba(
    text: str,
    *,
    model: IntentModel | None = None,
    weight: float = VADER_WEIGHT,
    analyzed: Analyzed | None = None,
    vector: Vector | None = None,
) -> dict[str, float]:
    """`vector`: the text already vectorised in the sentiment model's feature space."""
    m = model or sentiment_model()
    learned = m.proba_vec(vector) if vector is not None else m.proba_one(analyzed or text)
    p = np.array([learned[m.labels.index(label)] for label in LABELS])
    lexicon = vader_proba(text)
    if lexicon is not None and weight > 0:
        p = (1.0 - weight) * p + weight * lexicon
    return dict(zip(LABELS, p.tolist(), strict=True))


def classify_sentiment(text: str) -> str:
    proba = sentiment_proba(text)
    return max(proba, key=proba.__getitem__)
