"""IntentModel: the library API of issue 9 (train / predict / predict_proba / bytes)."""

from __future__ import annotations

import io
import pickle

import numpy as np
import pytest

from app.ai import intents
from app.ai.classifier.model import load_replies
from app.ai.intents import IntentModel, builtin_model, normalize_text

TEXTS = [
    "how much is it", "what's the price", "price please", "how much for two", "cost?",
    "is it expensive", "the parcel never arrived", "item arrived broken", "refund me now",
    "worst service, package damaged", "charged twice!!", "nobody answers my emails",
    "thanks", "thank you so much", "ok thanks", "cheers mate", "thx", "many thanks",
]  # fmt: skip
LABELS = ["pricing"] * 6 + ["complaint"] * 6 + ["thanks"] * 6


@pytest.fixture(scope="module")
def model() -> IntentModel:
    return IntentModel.train(TEXTS, LABELS)


def test_predicts_labels_and_probabilities(model):
    assert model.labels == ["complaint", "pricing", "thanks"]
    assert model.predict(["how much does it cost?", "my parcel arrived broken", "thanks!"]) == [
        "pricing",
        "complaint",
        "thanks",
    ]
    (proba,) = model.predict_proba(["how much does it cost?"])
    assert set(proba) == set(model.labels)
    assert sum(proba.values()) == pytest.approx(1.0)
    assert max(proba, key=proba.get) == "pricing"
    assert model.temperature > 0


def test_fast_path_equals_scikit_learn(model):
    """Prediction skips scikit-learn's per-call machinery; its scores must be what a plain
    TfidfVectorizer + LogisticRegression pipeline computes from the same training data."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from app.ai.concepts import concept_tokens

    docs = [normalize_text(t) for t in TEXTS]
    word = TfidfVectorizer(**intents.WORD_PARAMS).build_analyzer()
    params = {k: v for k, v in intents.WORD_PARAMS.items() if k in ("sublinear_tf", "max_features")}
    vecs = [
        TfidfVectorizer(analyzer=lambda d: word(d) + concept_tokens(d), **params),
        TfidfVectorizer(**intents.CHAR_PARAMS),
    ]
    X = hstack([v.fit_transform(docs) for v in vecs], format="csr")
    lr = LogisticRegression(
        C=intents.C, solver="newton-cg", max_iter=200, class_weight="balanced"
    ).fit(X, LABELS)
    probe = ["how much?", "arrived broken, refund", "danke", "✨", "berapa harganya kak"]
    Xp = hstack([v.transform([normalize_text(t) for t in probe]) for v in vecs], format="csr")
    expected = lr.decision_function(Xp)
    got = np.array([model.scores_one(t) for t in probe])
    assert np.allclose(got, expected, atol=1e-6)


def test_bytes_round_trip_keeps_predictions(model):
    blob = model.to_bytes()
    again = IntentModel.from_bytes(blob)
    assert again.labels == model.labels and again.n_examples == len(TEXTS)
    probe = ["price?", "never arrived", "thank u", "random words"]
    for a, b in zip(model.predict_proba(probe), again.predict_proba(probe), strict=True):
        assert a.keys() == b.keys()
        assert all(abs(a[k] - b[k]) < 1e-5 for k in a)  # weights are stored as float32


@pytest.mark.parametrize(
    "blob",
    [b"", b"not a model", pickle.dumps({"a": 1}), b"PK\x03\x04garbage"],
    ids=["empty", "text", "pickle", "broken-zip"],
)
def test_from_bytes_refuses_anything_else(blob):
    with pytest.raises(ValueError):
        IntentModel.from_bytes(blob)


def test_from_bytes_never_unpickles():
    """An .npz whose arrays are pickled objects (code could run on load) is refused."""
    buf = io.BytesIO()
    np.savez(buf, meta=np.array([{"format": intents.FORMAT}], dtype=object))
    with pytest.raises(ValueError):
        IntentModel.from_bytes(buf.getvalue())


def test_from_bytes_refuses_another_format(model):
    import json

    with np.load(io.BytesIO(model.to_bytes()), allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(arrays["meta"].tobytes())
    meta["format"] = "something-else/9"
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    with pytest.raises(ValueError, match="not an intent model"):
        IntentModel.from_bytes(buf.getvalue())


def test_binary_model():
    m = IntentModel.train(TEXTS[:12], LABELS[:12])
    assert m.predict(["what does it cost", "it arrived broken"]) == ["pricing", "complaint"]
    (p,) = m.predict_proba(["what does it cost"])
    assert sum(p.values()) == pytest.approx(1.0)


def test_bad_training_input():
    with pytest.raises(ValueError, match="two distinct"):
        IntentModel.train(["a", "b"], ["x", "x"])
    with pytest.raises(ValueError, match="length"):
        IntentModel.train(["a", "b"], ["x"])


def test_thin_data_still_trains():
    """One example per label: no calibration folds possible, temperature stays 1."""
    m = IntentModel.train(["yes please", "no thanks"], ["yes", "no"])
    assert m.temperature == 1.0
    assert m.predict(["yes please!"]) == ["yes"]


def test_top_terms_explain_the_label(model):
    terms = model.top_terms("how much is the price", "pricing")
    assert terms and {"much", "price", "how much"} & set(terms)
    assert model.top_terms("🙂", "pricing") == []


def test_normalize_text():
    assert normalize_text("Yesssss ¿CUÁNTO? 1234") == "yess ¿cuanto? 0000"


def test_builtin_model_is_trained_from_the_train_split_once():
    m = builtin_model()
    assert m is builtin_model()
    assert m.n_examples == len(load_replies("train"))
    assert set(m.labels) == set(intents.BUILTIN_INTENTS)
    assert m.predict(["how much is the 6 month plan?"]) == ["pricing"]


def test_missing_training_data_is_a_clear_error(monkeypatch, tmp_path):
    from app.core.config import settings

    monkeypatch.setattr(settings, "AI_DATA_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="AI_DATA_DIR"):
        load_replies("train")


def test_models_trained_on_the_same_texts_share_one_vectorisation(model):
    other = IntentModel.train(TEXTS, ["a"] * 9 + ["b"] * 9)  # same texts, other labels
    assert model.shares_features(other) and model.shares_features(
        IntentModel.from_bytes(model.to_bytes())
    )
    assert not model.shares_features(IntentModel.train(TEXTS[:12], LABELS[:12]))
    vector = model.vectorize("how much is it?")
    assert np.allclose(other.proba_vec(vector), other.proba_one("how much is it?"))


def test_concurrent_first_use_builds_the_analyzers_once(monkeypatch):
    """Several requests classifying at once right after start must not each add analyzers
    (that broke every later analysis and training in the process)."""
    import threading

    monkeypatch.setattr(intents, "_ANALYZERS", [])
    barrier = threading.Barrier(8)
    results = []

    def first_use() -> None:
        barrier.wait()
        results.append(len(intents.analyze("berapa harganya kak")))

    threads = [threading.Thread(target=first_use) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [2] * 8 and len(intents._ANALYZERS) == 2
