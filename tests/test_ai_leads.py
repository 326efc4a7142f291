"""Lead scorer: time decay, per-signal caps, an explanation that adds up, storage, routes, and
the update_lead_scores crash on a workspace without recent messages."""

from __future__ import annotations

from datetime import timedelta

from app.ai.leads.scoring import Event, Profile, score
from app.ai.leads.service import rescore_workspace
from app.contacts.models import Contact
from app.core.config import settings
from app.core.db import utcnow
from tests.support.ai import add_inbound, add_outbound
from tests.support.factories import make_contact, make_sender

PROFILE = Profile(name="Ann", email="ann@example.com", attributes=2, tags=1, opted_out=False)


def history(now, *, days_ago: float, replies: int = 3, intent: str = "pricing") -> list[Event]:
    events = []
    for i in range(replies):
        sent = now - timedelta(days=days_ago, minutes=60 * i + 20)
        events.append(Event("outbound", sent, read=True))
        events.append(
            Event("inbound", sent + timedelta(minutes=10), intent, len("What is the price?"))
        )
    return events


def adds_up(result) -> bool:
    parts = sum(result.breakdown.values())
    lines = sum(x.points for x in result.explanation)
    return parts == lines == result.total_score


def test_recent_engagement_scores_hot_and_explains_every_point():
    now = utcnow()
    result = score(PROFILE, history(now, days_ago=0.1), now=now)
    assert result.quality_tier == "hot" and result.priority == "high"
    assert adds_up(result)
    signals = {x.signal for x in result.explanation}
    assert {"replies", "buying_intent", "reply_speed", "recency", "read_rate"} <= signals
    assert any("pricing" in a.lower() for a in result.next_actions)


def test_time_decay_lowers_old_activity():
    now = utcnow()
    fresh = score(PROFILE, history(now, days_ago=0.1), now=now)
    month = score(PROFILE, history(now, days_ago=30), now=now)
    quarter = score(PROFILE, history(now, days_ago=80), now=now)
    assert fresh.total_score > month.total_score > quarter.total_score
    assert fresh.breakdown["timing"] == 15 and month.breakdown["timing"] == 0
    assert adds_up(month) and adds_up(quarter)


def test_per_signal_and_part_caps_hold():
    now = utcnow()
    result = score(PROFILE, history(now, days_ago=0, replies=40), now=now)
    lines = {x.signal: x.points for x in result.explanation}
    assert lines["replies"] == 24 and lines["buying_intent"] == 24
    assert result.breakdown["engagement"] <= 40 and result.breakdown["behavior"] <= 30
    assert result.total_score <= 100 and adds_up(result)


def test_negative_replies_subtract_but_a_part_never_goes_below_zero():
    now = utcnow()
    events = history(now, days_ago=0.1, replies=3, intent="not_interested")
    result = score(Profile(None, None, 0, 0, False), events, now=now)
    assert result.breakdown["behavior"] == 0
    assert any(x.signal == "negative_replies" and x.points < 0 for x in result.explanation)
    assert any(x.signal == "floor" for x in result.explanation)
    assert adds_up(result)


def test_opted_out_is_zero():
    now = utcnow()
    out = Profile("Ann", "a@example.com", 3, 1, opted_out=True)
    result = score(out, history(now, days_ago=0.1), now=now)
    assert result.total_score == 0 and result.quality_tier == "cold"


def test_update_lead_scores_with_a_quiet_workspace_does_not_crash(db, workspace, other_workspace):
    """The bug: a workspace with no messages in 30 days raised
    TypeError: unsupported operand type(s) for |: 'bool' and 'BinaryExpression'."""
    from app.analytics.tasks import update_lead_scores

    make_contact(db, other_workspace.id, "+14155550999")  # no messages at all
    ann = make_contact(db, workspace.id, "+14155550101", name="Ann")
    sender = make_sender(db, workspace.id)
    add_outbound(db, workspace.id, sender.id, [ann.id], "Our new range is in", read=True)
    add_inbound(db, workspace.id, ann.id, "How much is it? Can we meet Tuesday?", intent="pricing")

    assert update_lead_scores() == 1
    db.expire_all()
    assert db.get(Contact, ann.id).lead_score > 0
    assert update_lead_scores() == 0  # unchanged: nothing rewritten


def test_rescore_walks_the_workspace_in_batches_and_decays_stored_scores(db, workspace):
    ids = []
    for i in range(7):
        c = make_contact(db, workspace.id, f"+1415555020{i}", name=f"C{i}")
        add_inbound(db, workspace.id, c.id, "Yes please, interested!", intent="interested")
        ids.append(c.id)
    assert rescore_workspace(db=db, workspace_id=workspace.id, batch=3) == 7
    db.commit()
    later = utcnow() + timedelta(days=120)  # every reply is outside the lookback by then
    assert rescore_workspace(db=db, workspace_id=workspace.id, now=later, batch=3) == 7
    db.commit()
    scores = [db.get(Contact, i).lead_score for i in ids]
    assert all(s == 4 for s in scores), scores  # only the profile's name is left


def test_score_lead_route_stores_and_explains(client, db, workspace):
    ann = make_contact(db, workspace.id, "+14155550101", name="Ann", email="ann@example.com")
    sender = make_sender(db, workspace.id)
    add_outbound(db, workspace.id, sender.id, [ann.id], "Hi Ann, the new range is in", read=True)
    add_inbound(db, workspace.id, ann.id, "Great! What does it cost?", intent="pricing")

    r = client.post("/api/v1/ai/score-lead", json={"contact_id": ann.id}, headers=workspace.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body["breakdown"]) == {"engagement", "profile", "behavior", "timing"}
    assert sum(body["breakdown"].values()) == body["total_score"]
    assert sum(x["points"] for x in body["explanation"]) == body["total_score"]
    assert body["priority"] in ("high", "medium", "low") and body["insights"]
    db.expire_all()
    stored = db.get(Contact, ann.id)
    assert stored.lead_score == body["total_score"] and stored.lead_tier == body["quality_tier"]


def test_score_lead_of_another_workspace_is_404(client, db, workspace, other_workspace):
    theirs = make_contact(db, other_workspace.id, "+14155550102")
    for contact_id in (theirs.id, 999_999):
        r = client.post(
            "/api/v1/ai/score-lead", json={"contact_id": contact_id}, headers=workspace.headers
        )
        assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_hot_leads_and_refresh(client, db, workspace, other_workspace):
    a = make_contact(db, workspace.id, "+14155550103", lead_score=90, lead_tier="hot")
    b = make_contact(db, workspace.id, "+14155550104", lead_score=75, lead_tier="hot")
    make_contact(db, workspace.id, "+14155550105", lead_score=30, lead_tier="cold")
    make_contact(db, other_workspace.id, "+14155550106", lead_score=99, lead_tier="hot")
    r = client.get("/api/v1/ai/hot-leads?threshold=70&limit=20", headers=workspace.headers)
    assert r.status_code == 200
    assert [x["contact_id"] for x in r.json()] == [a.id, b.id]
    r = client.get("/api/v1/ai/hot-leads?threshold=80&limit=1", headers=workspace.headers)
    assert [x["contact_id"] for x in r.json()] == [a.id]

    r = client.post("/api/v1/ai/lead-scores/refresh", headers=workspace.headers)
    assert r.status_code == 200 and r.json()["rescored"] == 3  # stored scores without history
    assert client.get("/api/v1/ai/hot-leads", headers=workspace.headers).json() == []


def test_lead_scoring_disabled_is_409(client, auth, monkeypatch):
    monkeypatch.setattr(settings, "AI_LEAD_SCORING_ENABLED", False)
    for method, path, body in (
        ("post", "/api/v1/ai/score-lead", {"contact_id": 1}),
        ("get", "/api/v1/ai/hot-leads", None),
        ("post", "/api/v1/ai/lead-scores/refresh", None),
    ):
        r = client.request(method, path, json=body, headers=auth)
        assert r.status_code == 409 and r.json()["code"] == "feature_disabled", path
