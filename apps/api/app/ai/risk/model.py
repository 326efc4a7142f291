"""The learned part of the content score: P(spam) for a message text.

TF-IDF over word 1–2-grams and character 2–5-grams (robust to typos, `!!!`, shorteners and
languages without a tokenizer), logistic regression on top. Trained at first use from the
labelled set in `tests/data/risk/train.jsonl` (or `$AI_DATA_DIR/risk/`; about a second) and
cached in-process; no model file is ever written or shipped. The held-out split is never used
here.
"""

from __future__ import annotations

import json
import math
import threading
from functools import cache
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from app.core.config import settings

SPAM = "spam"
_lock = threading.Lock()


class ModelUnavailable(RuntimeError):
    """The labelled data is not where AI_DATA_DIR (or the source checkout) says."""


def data_dir() -> Path:
    root = settings.AI_DATA_DIR or Path(__file__).resolve().parents[5] / "tests" / "data"
    return Path(root) / "risk"


def load_split(split: str, folder: Path | None = None) -> tuple[list[str], list[int]]:
    """(texts, labels) of one split; label 1 = spam."""
    path = (folder or data_dir()) / f"{split}.jsonl"
    if not path.is_file():
        raise ModelUnavailable(f"labelled risk data not found at {path} (set AI_DATA_DIR)")
    texts, labels = [], []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                texts.append(row["text"])
                labels.append(1 if row["label"] == SPAM else 0)
    return texts, labels


def build_pipeline(seed: int = 0) -> Pipeline:
    features = FeatureUnion(
        [
            (
                "words",
                TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True, lowercase=True),
            ),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    min_df=2,
                    sublinear_tf=True,
                    lowercase=False,  # keep case: shouting is a signal
                ),
            ),
        ]
    )
    classifier = LogisticRegression(C=4.0, max_iter=2000, random_state=seed)
    return Pipeline([("features", features), ("clf", classifier)])


def train(texts: list[str], labels: list[int], *, seed: int = 0) -> Pipeline:
    return build_pipeline(seed).fit(texts, labels)


class FastScorer:
    """The fitted pipeline's exact arithmetic for one text at a time, without scikit-learn's
    per-call overhead (~10 ms per single-text predict_proba; this is ~0.1 ms).

    Per vectorizer: sublinear tf × idf, L2-normalised, dotted with that block of the logistic
    regression's coefficients; the blocks add up (FeatureUnion concatenates), plus the
    intercept, through the logistic function. `tests/test_ai_risk.py` checks it matches
    `predict_proba`.
    """

    def __init__(self, pipeline: Pipeline) -> None:
        union, clf = pipeline.named_steps["features"], pipeline.named_steps["clf"]
        coef = clf.coef_[0]
        self.intercept = float(clf.intercept_[0])
        self.blocks = []
        offset = 0
        for _, vectorizer in union.transformer_list:
            vocab = vectorizer.vocabulary_
            idf = vectorizer.idf_
            table = {t: (float(idf[i]), float(coef[offset + i])) for t, i in vocab.items()}
            self.blocks.append((vectorizer.build_analyzer(), table))
            offset += len(vocab)

    def probability(self, text: str) -> float:
        z = self.intercept
        for analyze, table in self.blocks:
            counts: dict[str, int] = {}
            for token in analyze(text):
                if token in table:
                    counts[token] = counts.get(token, 0) + 1
            norm, dot = 0.0, 0.0
            for token, n in counts.items():
                idf, weight = table[token]
                value = (1.0 + math.log(n)) * idf
                norm += value * value
                dot += value * weight
            if norm:
                z += dot / math.sqrt(norm)
        return 1.0 / (1.0 + math.exp(-z))


@cache
def _default_model() -> tuple[Pipeline, FastScorer]:
    texts, labels = load_split("train")
    pipeline = train(texts, labels)
    return pipeline, FastScorer(pipeline)


def default_model() -> Pipeline:
    """The model trained on the repository's train split (built once per process)."""
    with _lock:  # two first requests at once train once
        return _default_model()[0]


def spam_probability(texts: list[str]) -> list[float]:
    """P(spam) per text: the fast scorer for a few texts, scikit-learn for a batch."""
    with _lock:
        pipeline, fast = _default_model()
    if len(texts) <= 16:
        return [fast.probability(t) for t in texts]
    return [float(p) for p in pipeline.predict_proba(texts)[:, 1]]
