"""Reply intent model: TF-IDF word + character n-grams and a multinomial logistic regression
(scikit-learn), with temperature-scaled probabilities.

Why this shape:
- Character n-grams (`char_wb`, 1-4) carry typos, Hinglish spellings and emoji; word uni/bigrams
  carry phrasing; concept tokens (app.ai.concepts) link words of the same meaning across the
  seven languages. All are cheap and train in seconds on a laptop.
- Logistic regression scores are turned into probabilities with one temperature fitted on
  out-of-fold scores (minimum log-loss), so `confidence` means roughly "right this often" and a
  Rasa-style confidence gate has something to stand on.
- Prediction does not go through scikit-learn's per-call machinery: the analyzers are
  scikit-learn's own, the rest is a dictionary lookup and one small dot product (< 0.1 ms).
- `to_bytes()` is an `.npz` (weights, idf) plus JSON (vocabulary, labels, settings), loaded with
  `allow_pickle=False`: a stored model can never execute code.

    from app.ai.intents import IntentModel
    m = IntentModel.train(texts, labels)
    m.predict(["how much?"])          # ["pricing"]
    m.predict_proba(["how much?"])    # [{"pricing": 0.91, ...}]
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import re
import threading
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Callable, Sequence
from itertools import chain, repeat
from typing import Any

import numpy as np

from app.ai.concepts import DIGEST as CONCEPTS_DIGEST
from app.ai.concepts import concept_tokens

FORMAT = "swa-intent-model/2"  # /2: concept tokens in the word block
BUILTIN_INTENTS = (
    "interested", "question", "pricing", "meeting_request", "not_interested", "opt_out",
    "complaint", "already_customer", "wrong_number", "auto_reply", "other",
)  # fmt: skip
# A workspace model's "none of my intents" class, learnt from the built-in training replies:
# when it wins, the built-in model decides. Custom intent names cannot start with "_".
FALLBACK_LABEL = "_builtin"
WORD_PARAMS: dict[str, Any] = {
    "analyzer": "word",
    "ngram_range": (1, 2),
    "token_pattern": r"(?u)\b\w+\b",
    "lowercase": False,
    "sublinear_tf": True,
    "max_features": 30_000,
}
CHAR_PARAMS: dict[str, Any] = {
    "analyzer": "char_wb",
    "ngram_range": (1, 4),
    "lowercase": False,
    "sublinear_tf": True,
    "max_features": 80_000,
}
C = 30.0  # inverse regularisation; chosen by grouped cross-validation on the train split only
MAX_CALIBRATION_FOLDS = 3
_WORD_MARK = "\x00"
_REPEATS = re.compile(r"(.)\1{2,}")
_DIGITS = re.compile(r"\d")


def normalize_text(text: str) -> str:
    """Lower case, accents stripped, 3+ repeated characters cut to 2, digits to 0: "Yesssss
    ¿Cuánto?" and "yess cuanto" look alike to the model."""
    text = text.lower()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _DIGITS.sub("0", _REPEATS.sub(r"\1\1", text)).strip()


class _Features:
    """One fitted TF-IDF vectorizer reduced to what prediction needs."""

    def __init__(self, params: dict[str, Any], vocab: list[str], idf: np.ndarray) -> None:
        self.params = params
        self.terms = vocab
        self.index = {t: i for i, t in enumerate(vocab)}
        self.idf = idf


Analyzed = tuple[Counter[str], ...]
Vector = tuple[np.ndarray, np.ndarray]  # (columns, values) of one text


def analyze(text: str) -> Analyzed:
    """Term counts of one text for each feature block. Every IntentModel uses the same
    analyzers, so one analysis serves several models (intent and sentiment)."""
    doc = normalize_text(text)
    return tuple(Counter(f(doc)) for f in _analyzers())


_ANALYZERS: list[Callable[[str], list[str]]] = []
_ANALYZERS_LOCK = threading.Lock()


def _analyzers() -> list[Callable[[str], list[str]]]:
    """(words + cross-lingual concept tokens, character n-grams), scikit-learn's analyzers.
    Built once under a lock and published whole: concurrent first calls must not each append."""
    if not _ANALYZERS:
        with _ANALYZERS_LOCK:
            if not _ANALYZERS:
                _ANALYZERS[:] = _build_analyzers()
    return _ANALYZERS


def _build_analyzers() -> list[Callable[[str], list[str]]]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    word = TfidfVectorizer(**WORD_PARAMS).build_analyzer()

    def words_and_concepts(doc: str) -> list[str]:
        terms = word(doc)
        terms.extend(concept_tokens(doc))
        return terms

    return [words_and_concepts, TfidfVectorizer(**CHAR_PARAMS).build_analyzer()]


def _vectorizers() -> list[Any]:
    """Unfitted vectorizers that tokenise exactly as `analyze()` does."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    words, chars = _analyzers()
    keep = ("sublinear_tf", "max_features")
    return [
        TfidfVectorizer(analyzer=words, lowercase=False, **{k: WORD_PARAMS[k] for k in keep}),
        TfidfVectorizer(analyzer=chars, lowercase=False, **{k: CHAR_PARAMS[k] for k in keep}),
    ]


class IntentModel:
    """A trained intent classifier. Build with `train()` or `from_bytes()`."""

    def __init__(
        self,
        *,
        labels: list[str],
        features: list[_Features],
        coef: np.ndarray,  # (n_features_total, n_labels)
        intercept: np.ndarray,  # (n_labels,)
        temperature: float,
        n_examples: int,
    ) -> None:
        self.labels = labels
        self._features = features
        # One lookup table over both blocks (word terms marked with a NUL prefix so they never
        # meet a character n-gram): a text is vectorised in a single pass.
        self._n_word = len(features[0].terms)
        self._index = {_WORD_MARK + t: i for i, t in enumerate(features[0].terms)}
        self._index.update({t: self._n_word + i for i, t in enumerate(features[1].terms)})
        self._idf = np.concatenate([f.idf for f in features])
        self._coef = coef
        self._intercept = intercept
        self.temperature = temperature
        self.n_examples = n_examples
        self._digest: str | None = None

    # --- training ----------------------------------------------------------------------------

    @classmethod
    def train(cls, texts: list[str], labels: list[str], *, seed: int = 0) -> IntentModel:
        """Fit on labelled texts (at least 2 distinct labels). 10,000 examples: seconds."""
        if len(texts) != len(labels):
            raise ValueError("texts and labels differ in length")
        classes = sorted(set(labels))
        if len(classes) < 2:
            raise ValueError("need at least two distinct labels")
        from threadpoolctl import threadpool_limits

        docs = [normalize_text(t) for t in texts]
        y = np.array([classes.index(lab) for lab in labels])
        vectorizers = _vectorizers()
        # One BLAS thread: on a small shared machine, threads only fight each other here.
        with threadpool_limits(1):
            X = _hstack([v.fit_transform(docs) for v in vectorizers])
            coef, intercept = _fit_lr(X, y, len(classes), seed)
            temperature = _calibrate(X, y, len(classes), seed)
        features = [
            _Features(dict(params), _vocab_list(v), v.idf_.astype(np.float64))
            for v, params in zip(vectorizers, (WORD_PARAMS, CHAR_PARAMS), strict=True)
        ]
        return cls(
            labels=classes,
            features=features,
            coef=coef,
            intercept=intercept,
            temperature=temperature,
            n_examples=len(texts),
        )

    # --- prediction --------------------------------------------------------------------------

    def vectorize(self, text: str | Analyzed) -> Vector:
        """The tf-idf vector of one text (or of its `analyze()` result) in this model's
        feature space: (columns, values), as the two TfidfVectorizers (sublinear tf, l2 norm
        per block) compute it. The lookups run in C through map/fromiter."""
        words, chars = analyze(text) if isinstance(text, str) else text
        keys = [_WORD_MARK + t for t in words]
        keys.extend(chars)
        n = len(keys)
        cols = np.fromiter(map(self._index.get, keys, repeat(-1, n)), np.intp, n)
        keep = cols >= 0
        tf = np.fromiter(chain(words.values(), chars.values()), float, n)[keep]
        cols = cols[keep]
        if not len(cols):
            return cols, tf
        vals = (1.0 + np.log(tf)) * self._idf[cols]
        split = int(np.count_nonzero(cols < self._n_word))  # word columns come first
        for part in (vals[:split], vals[split:]):
            norm = math.sqrt(float(part @ part))
            if norm:
                part /= norm
        return cols, vals

    def shares_features(self, other: IntentModel) -> bool:
        """Same vocabulary and idf (e.g. two models trained on the same texts): one
        `vectorize()` then serves both."""
        return self is other or self._feature_digest() == other._feature_digest()

    def _feature_digest(self) -> str:
        if self._digest is None:
            h = hashlib.sha256()
            for f in self._features:
                h.update("\n".join(f.terms).encode())
                h.update(np.ascontiguousarray(f.idf, dtype=np.float64).tobytes())
            self._digest = h.hexdigest()
        return self._digest

    def scores_vec(self, vector: Vector) -> np.ndarray:
        cols, vals = vector
        if not len(cols):
            return self._intercept.copy()
        return vals @ self._coef[cols] + self._intercept

    def scores_one(self, text: str | Analyzed) -> np.ndarray:
        """Raw (uncalibrated) class scores of one text (or its `analyze()` result)."""
        return self.scores_vec(self.vectorize(text))

    def proba_vec(self, vector: Vector) -> np.ndarray:
        return _softmax(self.scores_vec(vector) / self.temperature)

    def proba_one(self, text: str | Analyzed) -> np.ndarray:
        """Calibrated probabilities, in the order of `labels`."""
        return self.proba_vec(self.vectorize(text))

    def predict_proba(self, texts: Sequence[str]) -> list[dict[str, float]]:
        return [dict(zip(self.labels, p.tolist(), strict=True)) for p in map(self.proba_one, texts)]

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [self.labels[int(np.argmax(self.scores_one(t)))] for t in texts]

    def top_terms(
        self, text: str | Analyzed, label: str, k: int = 3, *, vector: Vector | None = None
    ) -> list[str]:
        """The words/bigrams of `text` that pushed it most towards `label` (explanations,
        key phrases). The reply's words only: character n-grams and concept tokens are not
        readable."""
        cols, vals = vector if vector is not None else self.vectorize(text)
        words = cols < self._n_word
        cols, vals = cols[words], vals[words]
        if not len(cols) or label not in self.labels:
            return []
        weight = vals * self._coef[cols, self.labels.index(label)]
        picked: list[str] = []
        f = self._features[0]
        for i in np.argsort(-weight):
            if weight[i] <= 0 or len(picked) >= k:
                break
            term = f.terms[cols[i]]
            if term.startswith("\x01"):
                continue  # a concept token, not the reply's own words
            if not any(term in p or p in term for p in picked):
                picked.append(term)
        return picked

    # --- storage -----------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        meta = {
            "format": FORMAT,
            "labels": self.labels,
            "temperature": self.temperature,
            "n_examples": self.n_examples,
            "concepts": CONCEPTS_DIGEST,
            "features": [{"params": _jsonable(f.params), "vocab": f.terms} for f in self._features],
        }
        arrays = {f"idf{i}": f.idf for i, f in enumerate(self._features)}
        buf = io.BytesIO()
        np.savez_compressed(
            buf,
            meta=np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), dtype=np.uint8),
            coef=self._coef.astype(np.float32),
            intercept=self._intercept,
            **arrays,
        )
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> IntentModel:
        """Load a stored model; raises ValueError on anything that is not one."""
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as z:
                meta = json.loads(z["meta"].tobytes().decode())
                if meta.get("format") != FORMAT:
                    raise ValueError(f"not an intent model ({meta.get('format')!r})")
                features = [
                    _Features(_params(spec["params"]), list(spec["vocab"]), z[f"idf{i}"])
                    for i, spec in enumerate(meta["features"])
                ]
                settings = [f.params for f in features], meta.get("concepts")
                if settings != ([WORD_PARAMS, CHAR_PARAMS], CONCEPTS_DIGEST):
                    raise ValueError("trained with other feature settings: retrain it")
                return cls(
                    labels=list(meta["labels"]),
                    features=features,
                    coef=z["coef"].astype(np.float64),
                    intercept=z["intercept"].astype(np.float64),
                    temperature=float(meta["temperature"]),
                    n_examples=int(meta["n_examples"]),
                )
        except (
            OSError, EOFError, KeyError, TypeError, AttributeError, zipfile.BadZipFile,
            json.JSONDecodeError, UnicodeDecodeError,
        ) as exc:  # fmt: skip
            raise ValueError(f"not an intent model: {exc}") from exc


# --- helpers ---------------------------------------------------------------------------------


def _hstack(parts: list[Any]) -> Any:
    import scipy.sparse as sp

    return sp.hstack(parts, format="csr")


def _vocab_list(vectorizer: Any) -> list[str]:
    vocab = [""] * len(vectorizer.vocabulary_)
    for term, i in vectorizer.vocabulary_.items():
        vocab[i] = term
    return vocab


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}


def _params(spec: dict[str, Any]) -> dict[str, Any]:
    allowed = set(WORD_PARAMS) | set(CHAR_PARAMS)
    if not set(spec) <= allowed or spec.get("analyzer") not in ("word", "char_wb"):
        raise ValueError("unexpected vectorizer settings")
    return {k: tuple(v) if isinstance(v, list) else v for k, v in spec.items()}


def _fit_lr(X: Any, y: np.ndarray, n_classes: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients as (n_features, n_classes); a binary model gets two symmetric columns so
    the softmax equals the logistic function."""
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(
        C=C, solver="newton-cg", max_iter=200, class_weight="balanced", random_state=seed
    )
    lr.fit(X, y)
    coef, intercept = lr.coef_, lr.intercept_
    if n_classes == 2:
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
    return np.ascontiguousarray(coef.T, dtype=np.float64), intercept.astype(np.float64)


def _calibrate(X: Any, y: np.ndarray, n_classes: int, seed: int) -> float:
    """Temperature minimising the log-loss of out-of-fold scores (1.0 when data is too thin)."""
    from scipy.optimize import minimize_scalar
    from sklearn.model_selection import StratifiedKFold

    folds = min(MAX_CALIBRATION_FOLDS, int(np.bincount(y).min()))
    if folds < 2:
        return 1.0
    scores = np.zeros((len(y), n_classes))
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for fit_idx, out_idx in cv.split(np.zeros(len(y)), y):
        if len(set(y[fit_idx])) < n_classes:
            return 1.0
        coef, intercept = _fit_lr(X[fit_idx], y[fit_idx], n_classes, seed)
        scores[out_idx] = X[out_idx] @ coef + intercept

    def nll(log_t: float) -> float:
        z = scores / math.exp(log_t)
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-logp[np.arange(len(y)), y].mean())

    best = minimize_scalar(nll, bounds=(math.log(0.05), math.log(20.0)), method="bounded")
    return float(math.exp(best.x))


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max()
    e = np.exp(z)
    return e / e.sum()


# --- the built-in model ----------------------------------------------------------------------

_lock = threading.Lock()
_builtin: IntentModel | None = None


def builtin_model() -> IntentModel:
    """The built-in intent model, trained from the train split at first use (about a second)
    and kept for the life of the process."""
    global _builtin
    if _builtin is None:
        with _lock:
            if _builtin is None:
                from app.ai.classifier.model import load_replies

                rows = load_replies("train")
                _builtin = IntentModel.train([r["text"] for r in rows], [r["intent"] for r in rows])
    return _builtin
