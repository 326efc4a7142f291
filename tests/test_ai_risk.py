"""Ban-risk detector: content rules + learned score, and a number's sending pattern."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sklearn.metrics import roc_auc_score

from app.ai.risk import service
from app.ai.risk.model import load_split, spam_probability, train
from app.ai.risk.similarity import THRESHOLD, near_duplicates
from app.core.config import settings
from app.core.db import utcnow
from tests.engine_support import make_contacts
from tests.support.ai import add_inbound, add_outbound
from tests.support.factories import make_sender

SEED_SPAM = "FREE!!! CLICK NOW!!! LIMITED TIME!!!!"
NORMAL = "Hi Maria, your order #48213 has shipped and should arrive on Thursday."


def points(factors: list[str]) -> int:
    return sum(int(m) for f in factors for m in re.findall(r"\(\+(\d+)\)$", f))


def test_seed_spam_is_high_and_a_normal_update_is_low():
    spam = service.assess_message(SEED_SPAM)
    normal = service.assess_message(NORMAL)
    assert spam.risk_level in ("high", "critical") and spam.risk_score >= 60
    assert normal.risk_level == "low" and normal.risk_score < 25
    assert spam.metrics["punctuation_runs"] == 3 and spam.metrics["caps_ratio"] == 1.0
    assert any("punctuation" in r for r in spam.recommendations)
    # the explanation adds up: every point is named by a factor
    assert points(spam.factors) == spam.risk_score
    assert points(normal.factors) == normal.risk_score


@pytest.mark.parametrize(
    ("text", "factor"),
    [
        ("Claim your reward at bit.ly/abc123 today", "shortened link"),
        ("Big sale on all shoes this week, 20% off everything", "opt-out line"),
        ("Hello,\n" + "we have news. " * 90, "long message"),
        ("LOOK AT THIS AMAZING OFFER FOR YOU", "shouting"),
    ],
)
def test_each_content_rule_names_its_factor(text, factor):
    report = service.assess_message(text)
    assert any(factor in f for f in report.factors), report.factors


def test_opt_out_line_removes_the_marketing_factor():
    with_line = service.assess_message("Big sale this week, 20% off. Reply STOP to opt out.")
    assert not any("opt-out line" in f for f in with_line.factors)


def test_learned_score_separates_the_held_out_set():
    texts, labels = load_split("heldout")
    assert roc_auc_score(labels, spam_probability(texts)) >= 0.95
    final = [service.assess_message(t).risk_score for t in texts]
    assert roc_auc_score(labels, final) >= 0.95


def test_training_is_reproducible_and_learns_from_the_data():
    texts, labels = load_split("train")
    a = train(texts, labels).predict_proba(["WIN A FREE PRIZE NOW!!!"])[0, 1]
    b = train(texts, labels).predict_proba(["WIN A FREE PRIZE NOW!!!"])[0, 1]
    assert a == b and a > 0.5
    flipped = train(texts, [1 - y for y in labels]).predict_proba(["WIN A FREE PRIZE NOW!!!"])
    assert flipped[0, 1] < 0.5  # the score comes from the labels, not from hard-coded rules


def test_near_duplicates():
    same = near_duplicates([f"Hi Contact {i}, our sale starts Friday. Come by!" for i in range(30)])
    assert same.compared == 29 and same.ratio == 1.0 and same.max_similarity >= THRESHOLD
    varied = near_duplicates(
        ["Your order shipped", "Dentist tomorrow at 10", "Invoice 55 attached", "See you Friday"]
    )
    assert varied.ratio == 0.0


def test_ban_risk_content_route(client, auth, db):
    from app.ai.models import RiskAssessment

    r = client.post("/api/v1/ai/ban-risk", json={"message": SEED_SPAM}, headers=auth)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) >= {"risk_score", "risk_level", "factors", "recommendations", "metrics"}
    assert body["risk_level"] in ("high", "critical") and body["scope"] == "message"
    (row,) = db.query(RiskAssessment).all()  # kept for the audit trail
    assert row.scope == "message" and row.risk_score == body["risk_score"]


def test_pattern_risk_of_a_bulk_identical_unanswered_number(client, db, workspace):
    sender = make_sender(db, workspace.id, max_per_hour=50)
    contacts = make_contacts(db, workspace.id, 120)
    add_outbound(db, workspace.id, sender.id, contacts, "Hi! Our big sale starts now, come by.")
    calm = make_sender(db, workspace.id, "100000000000002")
    few = make_contacts(db, workspace.id, 25, first=500)
    texts = [t for t, label in zip(*load_split("train"), strict=True) if label == 0][:25]
    add_outbound(db, workspace.id, calm.id, few, texts, spacing=timedelta(minutes=20))
    for contact_id in few[:10]:
        add_inbound(db, workspace.id, contact_id, "Thanks, see you then")

    r = client.post(
        "/api/v1/ai/ban-risk",
        json={"phone_number_id": sender.id, "hours": 24},
        headers=workspace.headers,
    )
    assert r.status_code == 200, r.text
    risky = r.json()
    m = risky["metrics"]
    assert m["total_messages"] == 120 and m["messages_per_hour"] == 120 and m["hourly_cap"] == 50
    assert m["near_duplicate_ratio"] == 1.0 and m["response_rate"] == 0.0
    joined = " | ".join(risky["factors"])
    assert "volume" in joined and "similar" in joined and "response rate" in joined
    assert risky["risk_level"] in ("high", "critical")
    assert points(risky["factors"]) == risky["risk_score"]
    assert m["content_risk_example"].startswith("Hi! Our big sale")

    r = client.post(
        "/api/v1/ai/ban-risk", json={"phone_number_id": calm.id}, headers=workspace.headers
    )
    quiet = r.json()
    assert quiet["risk_level"] == "low", quiet
    assert (
        quiet["metrics"]["response_rate"] == 0.4 and quiet["metrics"]["near_duplicate_ratio"] < 0.2
    )


def test_spammy_campaign_text_counts_in_the_numbers_risk(db, workspace):
    sender = make_sender(db, workspace.id)
    contacts = make_contacts(db, workspace.id, 12)
    add_outbound(db, workspace.id, sender.id, contacts, SEED_SPAM, spacing=timedelta(minutes=10))
    report = service.assess_sender(db=db, workspace_id=workspace.id, sender_id=sender.id)
    assert report.metrics["content_risk_max"] >= 60
    assert any("recent message content" in f for f in report.factors)


def test_failure_codes_and_quality_are_factors(db, workspace):
    sender = make_sender(db, workspace.id, quality_rating="YELLOW")
    contacts = make_contacts(db, workspace.id, 40)
    add_outbound(
        db, workspace.id, sender.id, contacts[:20], "x", status="failed", error_code="131026"
    )
    add_outbound(
        db, workspace.id, sender.id, contacts[20:25], "y", status="failed", error_code="131049"
    )
    add_outbound(db, workspace.id, sender.id, contacts[25:], "Your code is 1234")
    report = service.assess_sender(db=db, workspace_id=workspace.id, sender_id=sender.id)
    joined = " | ".join(report.factors)
    assert "131026" in joined and "131049" in joined and "YELLOW" in joined
    assert report.metrics["error_codes"] == {"131026": 20, "131049": 5}


def test_another_workspaces_number_is_404(client, db, workspace, other_workspace):
    theirs = make_sender(db, other_workspace.id)
    r = client.post(
        "/api/v1/ai/ban-risk", json={"phone_number_id": theirs.id}, headers=workspace.headers
    )
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_disabled_feature_is_409_and_monitor_does_nothing(client, auth, db, monkeypatch):
    monkeypatch.setattr(settings, "AI_BAN_RISK_DETECTION_ENABLED", False)
    r = client.post("/api/v1/ai/ban-risk", json={"message": "hello"}, headers=auth)
    assert r.status_code == 409 and r.json()["code"] == "feature_disabled"
    assert "AI_BAN_RISK_DETECTION_ENABLED" in r.json()["detail"]
    assert service.monitor(db=db, now=utcnow()) == []


def test_missing_data_leaves_the_rules_answering(monkeypatch, tmp_path):
    from app.ai.risk import model

    model._default_model.cache_clear()
    monkeypatch.setattr(settings, "AI_DATA_DIR", str(tmp_path))
    try:
        report = service.assess_message(SEED_SPAM)
    finally:
        model._default_model.cache_clear()
    assert report.metrics["learned_spam_probability"] is None
    assert "AI_DATA_DIR" in report.metrics["learned_score_unavailable"]
    assert report.risk_score >= 40  # caps, !!! and phrases still count


def test_fast_scorer_matches_scikit_learn():
    from app.ai.risk.model import _default_model

    pipeline, fast = _default_model()
    texts, _ = load_split("heldout")
    texts += ["", "🙂", "x" * 3000, "ÀÉÎ straße ünïcode"]
    expected = pipeline.predict_proba(texts)[:, 1]
    for text, p in zip(texts, expected, strict=True):
        assert abs(fast.probability(text) - p) < 1e-9, text


def test_warm_up_and_opt_outs_after_messages_are_factors(db, workspace, monkeypatch):
    from sqlalchemy import update

    from app.contacts.models import Contact

    monkeypatch.setattr(settings, "WARMUP_ENABLED", True)
    sender = make_sender(db, workspace.id, warmup_started_on=utcnow().date())  # day 1: 20/day
    contacts = make_contacts(db, workspace.id, 30)
    texts = [t for t, label in zip(*load_split("train"), strict=True) if label == 0][:30]
    add_outbound(db, workspace.id, sender.id, contacts, texts, spacing=timedelta(minutes=3))
    db.execute(update(Contact).where(Contact.id.in_(contacts[:6])).values(opted_out_at=utcnow()))
    db.commit()
    report = service.assess_sender(db=db, workspace_id=workspace.id, sender_id=sender.id)
    joined = " | ".join(report.factors)
    assert "warm-up day 1" in joined and "(allowed 20)" in joined
    assert "6 opt-outs after our messages" in joined
    assert report.metrics["opt_out_rate"] == 0.2 and report.metrics["warmup_cap"] == 20
