"""Custom intents per workspace: `/api/v1/ai/intents` (examples, train, status) and
`load_model` for the classify service. Real PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.ai.classifier.local import classify_local
from app.ai.custom_intents import service
from app.ai.custom_intents.models import IntentExample, WorkspaceIntentModel
from app.ai.intents import IntentModel

EXAMPLES = {
    "refund": ["where is my refund", "I want my money back", "refund please",
               "when will I get the refund?", "still no refund for order 1234"],
    "order_status": ["where is my order", "has my parcel shipped?", "tracking number please",
                     "when will my order arrive", "order status?"],
    "gift_wrap": ["can you gift wrap it", "is gift wrapping available?", "wrap it as a present",
                  "add a gift note please", "gift wrap for my order"],
}  # fmt: skip


def _body(examples: dict[str, list[str]] = EXAMPLES) -> dict:
    return {"examples": [{"text": t, "intent": i} for i, ts in examples.items() for t in ts]}


def test_add_train_and_classify(client, db, workspace):
    auth = workspace.headers
    r = client.post("/api/v1/ai/intents/examples", json=_body(), headers=auth)
    assert r.status_code == 200, r.text
    assert r.json() == {"added": 15, "relabelled": 0, "total_examples": 15}

    status = client.get("/api/v1/ai/intents", headers=auth).json()
    assert status["has_custom_model"] is False and status["ready_to_train"] is True
    assert status["examples_per_intent"] == {"gift_wrap": 5, "order_status": 5, "refund": 5}
    assert "pricing" in status["builtin_labels"]

    r = client.post("/api/v1/ai/intents/train", headers=auth)
    assert r.status_code == 200, r.text
    trained = r.json()
    assert trained["has_custom_model"] and trained["version"] == 1
    assert trained["labels"] == ["gift_wrap", "order_status", "refund"]
    assert trained["trained_examples"] == 15 and trained["training_seconds"] >= 0

    model = service.load_model(db=db, workspace_id=workspace.id)
    assert model is not None and model.predict(["where's my refund??"]) == ["refund"]
    assert classify_local("could you gift wrap it?", custom_model=model).intent == "gift_wrap"
    # what the model cannot tell falls back to the built-in intents
    assert classify_local("How much is the 6 month plan?", custom_model=model).intent == "pricing"


def test_the_classify_route_uses_the_workspace_model_and_only_for_it(
    client, workspace, other_workspace
):
    service._cache.clear()
    client.post("/api/v1/ai/intents/examples", json=_body(), headers=workspace.headers)
    assert client.post("/api/v1/ai/intents/train", headers=workspace.headers).status_code == 200
    body = {"reply_text": "could you gift wrap it please?"}
    ours = client.post("/api/v1/ai/classify", json=body, headers=workspace.headers).json()
    theirs = client.post("/api/v1/ai/classify", json=body, headers=other_workspace.headers).json()
    assert ours["intent"] == "gift_wrap" and ours["provider"] == "local"
    assert theirs["intent"] != "gift_wrap"  # another workspace gets the built-in intents
    price = {"reply_text": "How much is the 6 month plan?"}
    fallback = client.post("/api/v1/ai/classify", json=price, headers=workspace.headers).json()
    assert fallback["intent"] == "pricing"  # what the custom model cannot tell: built-in


def test_relabel_and_retrain_bumps_the_version(client, db, workspace):
    auth = workspace.headers
    client.post("/api/v1/ai/intents/examples", json=_body(), headers=auth)
    assert client.post("/api/v1/ai/intents/train", headers=auth).json()["version"] == 1
    first = service.load_model(db=db, workspace_id=workspace.id)

    r = client.post(
        "/api/v1/ai/intents/examples",
        json={"examples": [{"text": "refund please", "intent": "Order_Status"},  # relabel
                           {"text": "  new text  ", "intent": "refund"},
                           {"text": "new text", "intent": "gift_wrap"}]},  # last one wins
        headers=auth,
    )  # fmt: skip
    assert r.json() == {"added": 1, "relabelled": 1, "total_examples": 16}
    db.expire_all()
    labels = dict(db.execute(select(IntentExample.text, IntentExample.intent)).all())
    assert labels["refund please"] == "order_status" and labels["new text"] == "gift_wrap"

    assert client.post("/api/v1/ai/intents/train", headers=auth).json()["version"] == 2
    second = service.load_model(db=db, workspace_id=workspace.id)
    assert second is not first  # the cache follows the version
    assert service.load_model(db=db, workspace_id=workspace.id) is second


def test_too_few_examples_is_a_clear_422(client, workspace):
    auth = workspace.headers
    r = client.post("/api/v1/ai/intents/train", headers=auth)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "examples"
    client.post(
        "/api/v1/ai/intents/examples",
        json=_body({"refund": EXAMPLES["refund"], "gift_wrap": ["wrap it", "gift wrap"]}),
        headers=auth,
    )
    r = client.post("/api/v1/ai/intents/train", headers=auth)
    assert r.status_code == 422
    assert "gift_wrap" in r.json()["detail"] and "at least 2 intents" in r.json()["detail"]
    assert client.get("/api/v1/ai/intents", headers=auth).json()["ready_to_train"] is False


def test_intents_with_too_few_examples_are_left_out(client, db, workspace):
    examples = {**EXAMPLES, "rare": ["only once"]}
    client.post("/api/v1/ai/intents/examples", json=_body(examples), headers=workspace.headers)
    r = client.post("/api/v1/ai/intents/train", headers=workspace.headers)
    assert r.status_code == 200 and "rare" not in r.json()["labels"]
    assert r.json()["trained_examples"] == 15


def test_workspaces_never_see_each_other(client, db, workspace, other_workspace):
    client.post("/api/v1/ai/intents/examples", json=_body(), headers=workspace.headers)
    client.post("/api/v1/ai/intents/train", headers=workspace.headers)

    theirs = client.get("/api/v1/ai/intents", headers=other_workspace.headers).json()
    assert theirs["total_examples"] == 0 and theirs["has_custom_model"] is False
    r = client.post("/api/v1/ai/intents/train", headers=other_workspace.headers)
    assert r.status_code == 422  # workspace A's examples do not count for B
    assert service.load_model(db=db, workspace_id=other_workspace.id) is None

    # the same text in B is B's own row
    r = client.post(
        "/api/v1/ai/intents/examples",
        json={"examples": [{"text": "refund please", "intent": "other_label"}]},
        headers=other_workspace.headers,
    )
    assert r.json() == {"added": 1, "relabelled": 0, "total_examples": 1}
    mine = client.get("/api/v1/ai/intents", headers=workspace.headers).json()
    assert mine["examples_per_intent"]["refund"] == 5


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "examples"),
        ({"examples": []}, "examples"),
        ({"examples": "refund"}, "examples"),
        ({"examples": [{"text": "", "intent": "refund"}]}, "examples.0.text"),
        ({"examples": [{"text": "   ", "intent": "refund"}]}, "examples.0.text"),
        ({"examples": [{"text": "x" * 501, "intent": "refund"}]}, "examples.0.text"),
        ({"examples": [{"text": 5, "intent": "refund"}]}, "examples.0.text"),
        ({"examples": [{"text": "hi", "intent": "Not valid!"}]}, "examples.0.intent"),
        ({"examples": [{"text": "hi", "intent": "9lives"}]}, "examples.0.intent"),
        ({"examples": [{"text": "hi", "intent": "x" * 41}]}, "examples.0.intent"),
        ({"examples": [{"text": "hi"}]}, "examples.0.intent"),
        ({"examples": [{"text": "h\u0000i", "intent": "refund"}]}, "examples"),
        ({"examples": [{"text": "hi", "intent": "refund"}] * 1001}, "examples"),
    ],
)
def test_bad_examples_are_refused(client, db, workspace, body, field):
    r = client.post("/api/v1/ai/intents/examples", json=body, headers=workspace.headers)
    assert r.status_code == 422, r.text
    fields = [e["field"] for e in r.json()["errors"]]
    assert any(f == field or f.startswith(field) for f in fields), fields
    assert db.scalar(select(IntentExample.id)) is None


def test_malformed_and_deeply_nested_json(client, workspace):
    headers = {**workspace.headers, "Content-Type": "application/json"}
    for raw in (b"{not json", b"[" * 5000 + b"]" * 5000, b'{"examples": ' + b"[" * 3000):
        r = client.post("/api/v1/ai/intents/examples", content=raw, headers=headers)
        assert 400 <= r.status_code < 500, r.status_code


def test_unicode_heavy_text_fits(client, workspace):
    text = "😡" * 500  # 2,000 bytes: the unique index holds it
    r = client.post(
        "/api/v1/ai/intents/examples",
        json={"examples": [{"text": text, "intent": "angry"}]},
        headers=workspace.headers,
    )
    assert r.status_code == 200, r.text


def test_workspace_example_limit(client, db, workspace, monkeypatch):
    monkeypatch.setattr(service, "MAX_EXAMPLES", 12)
    assert (
        client.post(
            "/api/v1/ai/intents/examples", json=_body(), headers=workspace.headers
        ).status_code
        == 422
    )
    assert db.scalar(select(IntentExample.id)) is None
    small = {k: v[:4] for k, v in EXAMPLES.items()}
    r = client.post("/api/v1/ai/intents/examples", json=_body(small), headers=workspace.headers)
    assert r.json()["total_examples"] == 12
    # relabelling stored texts is always allowed at the limit
    relabel = {"examples": [{"text": EXAMPLES["refund"][0], "intent": "gift_wrap"}]}
    r = client.post("/api/v1/ai/intents/examples", json=relabel, headers=workspace.headers)
    assert r.json() == {"added": 0, "relabelled": 1, "total_examples": 12}


def test_needs_an_api_key(client):
    assert client.get("/api/v1/ai/intents").status_code == 401
    assert client.post("/api/v1/ai/intents/train").status_code == 401
    assert client.post("/api/v1/ai/intents/examples", json=_body()).status_code == 401


def test_disabled_classification_is_a_409(client, workspace, monkeypatch):
    from app.core.config import settings

    monkeypatch.setattr(settings, "AI_REPLY_CLASSIFICATION_ENABLED", False)
    for path, body in (("/examples", _body()), ("/train", None)):
        r = client.post(f"/api/v1/ai/intents{path}", json=body, headers=workspace.headers)
        assert r.status_code == 409 and r.json()["code"] == "feature_disabled"


def test_a_corrupt_stored_model_is_not_loaded(db, workspace, client):
    service._cache.clear()
    db.add(WorkspaceIntentModel(workspace_id=workspace.id, model=b"junk", labels=[], n_examples=0))
    db.commit()
    with pytest.raises(ValueError):
        IntentModel.from_bytes(b"junk")
    assert service.load_model(db=db, workspace_id=workspace.id) is None
    r = client.post(
        "/api/v1/ai/classify", json={"reply_text": "how much is it?"}, headers=workspace.headers
    )
    assert r.status_code == 200 and r.json()["intent"] == "pricing"


def test_a_model_trained_with_other_features_is_not_used(db, workspace, monkeypatch):
    """After an upgrade changes the features, a stored model would read texts differently:
    it is ignored (the built-in model decides) until the workspace retrains."""
    import app.ai.intents as intents

    service._cache.clear()
    model = IntentModel.train(["how much", "price?", "call me", "ring me"], ["p", "p", "m", "m"])
    blob = model.to_bytes()
    db.add(
        WorkspaceIntentModel(workspace_id=workspace.id, model=blob, labels=["m", "p"], n_examples=4)
    )
    db.commit()
    assert service.load_model(db=db, workspace_id=workspace.id) is not None
    service._cache.clear()
    assert service.status(db=db, workspace_id=workspace.id).needs_retraining is False
    service._cache.clear()
    monkeypatch.setattr(intents, "CONCEPTS_DIGEST", "another-lexicon")
    assert service.load_model(db=db, workspace_id=workspace.id) is None
    status = service.status(db=db, workspace_id=workspace.id)
    assert status.has_custom_model and status.needs_retraining
