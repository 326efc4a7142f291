from __future__ import annotations

from datetime import timedelta

from app.campaigns.models import Campaign
from app.core.db import utcnow
from app.messaging.models import Message
from tests.support.factories import make_contact, make_sender


def _campaign(db, ws_id, sender_id, name="Launch", status="running"):
    c = Campaign(
        workspace_id=ws_id,
        sender_id=sender_id,
        name=name,
        status=status,
        message_template="Hi {name}",
    )
    db.add(c)
    db.commit()
    return c


def _outbound(db, ws_id, contact, campaign, status, *, replied=False, created=None):
    m = Message(
        workspace_id=ws_id,
        contact_id=contact.id,
        campaign_id=campaign.id if campaign else None,
        step_index=0 if campaign else None,
        direction="outbound",
        status=status,
        body="hi",
        replied_at=utcnow() if replied else None,
    )
    if created:
        m.created_at = created
    db.add(m)
    db.commit()
    return m


def _inbound(db, ws_id, contact, body="hello", intent=None):
    m = Message(
        workspace_id=ws_id,
        contact_id=contact.id,
        direction="inbound",
        status="received",
        body=body,
        received_at=utcnow(),
        intent=intent,
    )
    db.add(m)
    db.commit()
    return m


def _seed(db, ws_id, n=10):
    sender = make_sender(db, ws_id, f"pn-{ws_id}")
    camp = _campaign(db, ws_id, sender.id)
    statuses = ["read"] * 4 + ["delivered"] * 3 + ["sent", "failed", "skipped"]
    contacts = []
    for i in range(n):
        contact = make_contact(db, ws_id, f"+1415555{ws_id:02d}{i:02d}")
        contacts.append(contact)
        _outbound(db, ws_id, contact, camp, statuses[i % len(statuses)], replied=i < 2)
    return camp, contacts


def test_campaign_analytics_counts_and_rates(client, db, workspace):
    camp, _ = _seed(db, workspace.id)
    r = client.get(f"/api/v1/analytics/campaigns/{camp.id}", headers=workspace.headers)
    assert r.status_code == 200
    body = r.json()
    assert body["campaign_name"] == "Launch" and body["status"] == "running"
    a = body["analytics"]
    # 9 attempted (skipped excluded), 7 delivered (read counts as delivered), 4 read, 2 replies
    assert (a["total_messages"], a["delivered_count"], a["read_count"]) == (9, 7, 4)
    assert (a["replied_count"], a["failed_count"], a["skipped_count"]) == (2, 1, 1)
    assert a["delivery_rate"] == round(700 / 9, 2)
    assert a["response_rate"] == round(200 / 9, 2)
    expected = 0.2 * a["delivery_rate"] + 0.3 * a["read_rate"] + 0.5 * a["response_rate"]
    assert a["engagement_score"] == round(expected, 2)


def test_campaign_analytics_other_workspace_is_404(client, db, workspace, other_workspace):
    camp, _ = _seed(db, other_workspace.id)
    r = client.get(f"/api/v1/analytics/campaigns/{camp.id}", headers=workspace.headers)
    assert r.status_code == 404
    assert (
        client.get("/api/v1/analytics/campaigns/999999", headers=workspace.headers).status_code
        == 404
    )


def test_dashboard_is_scoped_to_workspace(client, db, workspace, other_workspace):
    _, contacts = _seed(db, workspace.id)
    _seed(db, other_workspace.id, n=3)
    _inbound(db, workspace.id, contacts[0])
    r = client.get("/api/v1/analytics/dashboard", headers=workspace.headers)
    assert r.status_code == 200
    d = r.json()
    assert d["total_contacts"] == 10
    assert d["total_messages_sent"] == 8  # sent + delivered + read
    assert d["total_messages_received"] == 1
    assert (d["total_campaigns"], d["active_campaigns"]) == (1, 1)
    assert d["today_messages"] == 11 and d["this_week_messages"] == 11
    assert d["avg_response_rate"] == round(200 / 9, 2)


def test_timeline_has_every_day(client, db, workspace):
    sender = make_sender(db, workspace.id, "pn-t")
    camp = _campaign(db, workspace.id, sender.id)
    contact = make_contact(db, workspace.id, "+14155550199")
    _outbound(db, workspace.id, contact, camp, "delivered")
    old = make_contact(db, workspace.id, "+14155550198")
    _outbound(db, workspace.id, old, camp, "failed", created=utcnow() - timedelta(days=2))
    r = client.get("/api/v1/analytics/messages/timeline?days=3", headers=workspace.headers)
    assert r.status_code == 200
    series = r.json()
    assert len(series) == 3
    assert series[-1]["date"] == utcnow().date().isoformat()
    assert series[-1]["delivered"] == 1 and series[0]["failed"] == 1
    assert (
        client.get(
            "/api/v1/analytics/messages/timeline?days=0", headers=workspace.headers
        ).status_code
        == 422
    )
    assert (
        client.get(
            "/api/v1/analytics/messages/timeline?days=x", headers=workspace.headers
        ).status_code
        == 422
    )


def test_analytics_requires_auth(client):
    assert client.get("/api/v1/analytics/dashboard").status_code == 401


def test_periodic_jobs(db, workspace):
    from app.analytics.tasks import (
        generate_daily_report,
        update_campaign_analytics,
        update_lead_scores,
    )
    from app.contacts.models import Contact

    camp, contacts = _seed(db, workspace.id)
    for _ in range(3):
        _inbound(
            db,
            workspace.id,
            contacts[0],
            body="Yes I'm interested, what is the price?",
            intent="interested",
        )

    assert update_campaign_analytics() == 1
    db.expire_all()
    assert db.get(Campaign, camp.id).stats["total_messages"] == 9

    today = utcnow().date().isoformat()
    assert generate_daily_report(today) == 1
    assert generate_daily_report(today) == 1  # rerun overwrites, no duplicate row
    from app.analytics.models import DailyReport

    rows = db.query(DailyReport).filter_by(workspace_id=workspace.id).all()
    assert len(rows) == 1 and rows[0].data["messages_received"] == 3

    assert update_lead_scores() >= 1
    db.expire_all()
    hot = db.get(Contact, contacts[0].id)
    cold = db.get(Contact, contacts[5].id)
    assert hot.lead_score > cold.lead_score
    assert hot.lead_tier in ("hot", "warm") and cold.lead_tier == "cold"
    assert update_lead_scores() == 0  # nothing changed: idempotent
