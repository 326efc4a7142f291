"""Every figure against fixtures counted by hand (definitions: docs/analytics.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.analytics import performance, reports, service
from app.analytics.tasks import generate_daily_report, update_campaign_analytics
from app.campaigns.models import Campaign
from app.core.db import utcnow
from app.messaging.models import Message
from tests.support.factories import make_contact, make_sender

T0 = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)


def _campaign(db, ws_id, sender_id, name="Launch", status="running", type_="broadcast"):
    c = Campaign(workspace_id=ws_id, sender_id=sender_id, name=name, status=status, type=type_)
    db.add(c)
    db.commit()
    return c


def _msg(db, ws_id, contact, campaign, status, *, at=T0, **fields):
    """An outbound row as the engine leaves it: timestamps for the statuses it passed."""
    stamps = {}
    if status in ("sent", "delivered", "read"):
        stamps["sent_at"] = at
    if status in ("delivered", "read"):
        stamps["delivered_at"] = at + timedelta(minutes=1)
    if status == "read":
        stamps["read_at"] = at + timedelta(minutes=2)
    if status == "failed":
        stamps["failed_at"] = at
    stamps.update(fields)
    m = Message(
        workspace_id=ws_id,
        contact_id=contact.id,
        sender_id=campaign.sender_id if campaign else None,
        campaign_id=campaign.id if campaign else None,
        step_index=stamps.pop("step_index", 0) if campaign else None,
        direction="outbound",
        status=status,
        body="hi",
        created_at=at - timedelta(minutes=5),
        **stamps,
    )
    db.add(m)
    db.commit()
    return m


def _inbound(db, ws_id, contact, *, at=T0, campaign=None):
    m = Message(
        workspace_id=ws_id,
        contact_id=contact.id,
        campaign_id=campaign.id if campaign else None,
        direction="inbound",
        status="received",
        body="hello",
        received_at=at,
        created_at=at,
    )
    db.add(m)
    db.commit()
    return m


def _ten(db, ws_id, tag="a"):
    """10 recipients: read×3 (2 replied: after 4 min and after 3 h), delivered×2, sent×1,
    failed×2 (131026, 131047), skipped×1 (outside_service_window), queued×1."""
    sender = make_sender(db, ws_id, f"pn-{tag}-{ws_id}")
    camp = _campaign(db, ws_id, sender.id)
    plan = [
        ("read", {"replied_at": T0 + timedelta(minutes=4)}),
        ("read", {"replied_at": T0 + timedelta(hours=3)}),
        ("read", {}),
        ("delivered", {}),
        ("delivered", {}),
        ("sent", {}),
        ("failed", {"error_code": "131026"}),
        ("failed", {"error_code": "131047"}),
        ("skipped", {"skip_reason": "outside_service_window"}),
        ("queued", {}),
    ]
    contacts = []
    for i, (status, extra) in enumerate(plan):
        contact = make_contact(db, ws_id, f"+1415{ws_id:03d}{i:04d}")
        contacts.append(contact)
        _msg(db, ws_id, contact, camp, status, **extra)
    return camp, contacts


def test_campaign_figures_counted_by_hand(client, db, workspace, other_workspace):
    camp, _ = _ten(db, workspace.id)
    _ten(db, other_workspace.id, "b")  # never counted for `workspace`
    update_campaign_analytics()
    r = client.get(f"/api/v1/analytics/campaigns/{camp.id}", headers=workspace.headers)
    assert r.status_code == 200
    body = r.json()
    a = body["analytics"]
    assert (a["recipients"], a["total_messages"], a["sent_count"]) == (10, 8, 6)
    assert (a["delivered_count"], a["read_count"], a["replied_count"]) == (5, 3, 2)
    assert (a["failed_count"], a["skipped_count"], a["pending_count"]) == (2, 1, 1)
    assert (a["delivery_rate"], a["read_rate"], a["response_rate"]) == (62.5, 37.5, 25.0)
    assert a["reach_rate"] == 50.0  # 5 delivered of 10 recipients
    assert a["engagement_score"] == round(0.2 * 62.5 + 0.3 * 37.5 + 0.5 * 25.0, 2)
    assert body["skipped_by_reason"] == {"outside_service_window": 1}
    assert body["failed_by_code"] == {"131026": 1, "131047": 1}
    assert [(s["stage"], s["count"]) for s in body["funnel"]] == [
        ("recipients", 10),
        ("attempted", 8),
        ("sent", 6),
        ("delivered", 5),
        ("read", 3),
        ("replied", 2),
    ]
    assert body["funnel"][3]["pct_of_previous"] == round(500 / 6, 2)
    reply = body["time_to_first_reply"]
    assert reply["replies_timed"] == 2
    assert (reply["p50_within_seconds"], reply["p90_within_seconds"]) == (300, 14400)
    assert body["progress"] == {"total": 10, "pending": 1, "done": 9, "sent": 6, "percent": 90.0}
    assert body["as_of"] is not None


def test_empty_campaign_has_zero_rates_not_errors(client, db, workspace):
    sender = make_sender(db, workspace.id, "pn-empty")
    camp = _campaign(db, workspace.id, sender.id, status="draft")
    update_campaign_analytics()
    body = client.get(f"/api/v1/analytics/campaigns/{camp.id}", headers=workspace.headers).json()
    assert body["analytics"]["total_messages"] == 0
    assert body["analytics"]["delivery_rate"] == 0.0 and body["analytics"]["reach_rate"] == 0.0
    assert all(s["count"] == 0 for s in body["funnel"])
    assert body["time_to_first_reply"]["p50_within_seconds"] is None
    assert body["progress"]["percent"] == 0.0
    top = client.get("/api/v1/analytics/top-performers", headers=workspace.headers).json()
    assert top["campaign"] == {"ranked": [], "insufficient_data": []}


def test_other_workspace_campaign_is_404(client, db, workspace, other_workspace):
    camp, _ = _ten(db, other_workspace.id)
    for path in (f"/api/v1/analytics/campaigns/{camp.id}", "/api/v1/analytics/campaigns/999999"):
        assert client.get(path, headers=workspace.headers).status_code == 404


def test_dashboard_counts_only_sent_messages_as_messages(db, workspace, other_workspace):
    camp, contacts = _ten(db, workspace.id)
    _ten(db, other_workspace.id, "b")
    _inbound(db, workspace.id, contacts[0], campaign=camp)
    _inbound(db, workspace.id, contacts[1])
    update_campaign_analytics()
    d = service.dashboard(db=db, workspace_id=workspace.id, now=T0 + timedelta(hours=5))
    assert d["total_contacts"] == 10 and d["total_campaigns"] == 1 and d["active_campaigns"] == 1
    assert d["total_messages_sent"] == 6  # accepted by WhatsApp: sent + delivered + read
    assert d["total_messages_received"] == 2
    # today = sent today; the skipped, failed, queued and inbound rows are not "messages sent"
    assert d["today_messages"] == 6 and d["this_week_messages"] == 6
    assert d["today_received"] == 2
    assert d["avg_response_rate"] == 25.0  # 2 replied of 8 attempted campaign messages
    assert d["skipped_by_reason"] == {"outside_service_window": 1}
    assert (d["delivery_rate"], d["reach_rate"]) == (62.5, 50.0)
    tomorrow = service.dashboard(db=db, workspace_id=workspace.id, now=T0 + timedelta(days=1))
    assert tomorrow["today_messages"] == 0 and tomorrow["this_week_messages"] == 6


def _kolkata(db, workspace_id):
    from app.workspaces.models import Workspace

    db.get(Workspace, workspace_id).timezone = "Asia/Kolkata"  # UTC+05:30
    db.commit()


def test_days_are_the_workspace_s_days(db, workspace):
    """18:25Z is 23:55 in Kolkata (10 June), 18:35Z is 00:05 (11 June)."""
    sender = make_sender(db, workspace.id, "pn-tz")
    camp = _campaign(db, workspace.id, sender.id)
    a = make_contact(db, workspace.id, "+14155550101")
    b = make_contact(db, workspace.id, "+14155550102")
    _msg(db, workspace.id, a, camp, "delivered", at=datetime(2026, 6, 10, 18, 25, tzinfo=UTC))
    _msg(db, workspace.id, b, camp, "sent", at=datetime(2026, 6, 10, 18, 35, tzinfo=UTC))
    _inbound(db, workspace.id, a, at=datetime(2026, 6, 10, 18, 29, tzinfo=UTC))
    update_campaign_analytics()
    now = datetime(2026, 6, 10, 20, 0, tzinfo=UTC)  # 01:30 on 11 June in Kolkata
    utc = service.timeline(db=db, workspace_id=workspace.id, days=2, now=now)
    assert [(p["date"], p["sent"]) for p in utc] == [("2026-06-09", 0), ("2026-06-10", 2)]
    _kolkata(db, workspace.id)
    local = service.timeline(db=db, workspace_id=workspace.id, days=3, now=now)
    assert [(p["date"], p["sent"], p["delivered"], p["received"]) for p in local] == [
        ("2026-06-09", 0, 0, 0),
        ("2026-06-10", 1, 1, 1),
        ("2026-06-11", 1, 0, 0),
    ]
    d = service.dashboard(db=db, workspace_id=workspace.id, now=now)
    assert (d["today_messages"], d["this_week_messages"], d["timezone"]) == (1, 2, "Asia/Kolkata")


def test_timezone_is_settable_and_validated(client, workspace):
    r = client.patch(
        "/api/v1/workspace", json={"timezone": "Asia/Kolkata"}, headers=workspace.headers
    )
    assert r.status_code == 200 and r.json()["timezone"] == "Asia/Kolkata"
    bad = client.patch(
        "/api/v1/workspace", json={"timezone": "Mars/Base"}, headers=workspace.headers
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"].endswith("timezone")
    series = client.get("/api/v1/analytics/messages/timeline?days=3", headers=workspace.headers)
    assert series.status_code == 200 and len(series.json()) == 3
    assert all(p["sent"] == 0 for p in series.json())  # fresh install: zeros, not gaps
    for q in ("days=0", "days=x", "days=366"):
        r = client.get(f"/api/v1/analytics/messages/timeline?{q}", headers=workspace.headers)
        assert r.status_code == 422


def test_engagement_by_local_hour_and_weekday(db, workspace, monkeypatch):
    from app.core.config import settings

    monkeypatch.setattr(settings, "ANALYTICS_MIN_SAMPLE", 2)
    sender = make_sender(db, workspace.id, "pn-eng")
    camp = _campaign(db, workspace.id, sender.id)
    _kolkata(db, workspace.id)
    # Sent 03:30Z (09:00 local, Wednesday 10 June): 3 messages, 2 answered at 03:40Z and 05:00Z.
    # Sent 12:30Z (18:00 local): 2 messages, none answered.
    at9 = datetime(2026, 6, 10, 3, 30, tzinfo=UTC)
    at18 = datetime(2026, 6, 10, 12, 30, tzinfo=UTC)
    replies = [at9 + timedelta(minutes=10), at9 + timedelta(minutes=90), None]
    for i, rep in enumerate(replies):
        c = make_contact(db, workspace.id, f"+1415666{i:04d}")
        _msg(db, workspace.id, c, camp, "read", at=at9, replied_at=rep)
    for i in range(2):
        c = make_contact(db, workspace.id, f"+1415777{i:04d}")
        _msg(db, workspace.id, c, camp, "delivered", at=at18)
    update_campaign_analytics()
    e = performance.engagement(db=db, workspace_id=workspace.id, days=7, now=T0 + timedelta(days=1))
    assert e["replies_by_hour"][9] == 1 and e["replies_by_hour"][10] == 1  # 09:10, 10:30 local
    assert sum(e["replies_by_hour"]) == 2
    assert e["reads_by_hour"][9] == 3  # read 2 minutes after 09:00 local
    assert e["replies_by_weekday"]["Wed"] == 2 and e["reads_by_weekday"]["Wed"] == 3
    hour9 = e["sending_hours"][9]
    assert (hour9["sent"], hour9["replied"], hour9["response_rate"]) == (3, 2, round(200 / 3, 2))
    assert e["sending_hours"][18]["sent"] == 2 and e["sending_hours"][18]["replied"] == 0
    assert e["best_sending_hours"] == [9, 18]
    assert e["reply_time"] == {
        "replies_timed": 2,
        "p50_within_seconds": 900,
        "p90_within_seconds": 7200,
        "p95_within_seconds": 7200,
    }


def test_wilson_interval_known_values():
    assert performance.wilson(120, 400) == (25.72, 34.66)
    assert performance.wilson(1, 1) == (20.65, 100.0)
    assert performance.wilson(0, 0) == (0.0, 0.0)


def _bulk(db, ws_id, camp, n, replied, *, rewritten=None, prefix="9"):
    contact = make_contact(db, ws_id, f"+1415{prefix}{ws_id:03d}0001")
    rows = [
        Message(
            workspace_id=ws_id,
            contact_id=contact.id,
            sender_id=camp.sender_id,
            campaign_id=camp.id,
            step_index=i,
            direction="outbound",
            status="read",
            body="hi",
            variant=0 if rewritten else None,
            sent_at=T0,
            delivered_at=T0,
            read_at=T0,
            replied_at=T0 + timedelta(hours=1) if i < replied else None,
        )
        for i in range(n)
    ]
    db.add_all(rows)
    db.commit()


def test_top_performers_need_a_sample_and_rank_by_interval(client, db, workspace, other_workspace):
    sender = make_sender(db, workspace.id, "pn-top")
    lucky = _campaign(db, workspace.id, sender.id, name="Lucky")
    steady = _campaign(db, workspace.id, sender.id, name="Steady")
    middling = _campaign(db, workspace.id, sender.id, name="Middling")
    _bulk(db, workspace.id, lucky, 1, 1, prefix="1")  # 1 of 1: 100%, interval 20.65-100
    _bulk(db, workspace.id, steady, 400, 120, rewritten=True, prefix="2")  # 30%, 25.72-34.66
    _bulk(db, workspace.id, middling, 60, 12, rewritten=False, prefix="3")  # 20%
    other_sender = make_sender(db, other_workspace.id, "pn-top-other")
    _bulk(db, other_workspace.id, _campaign(db, other_workspace.id, other_sender.id), 50, 50)
    update_campaign_analytics()
    r = client.get("/api/v1/analytics/top-performers?min_sample=1", headers=workspace.headers)
    ranked = r.json()["campaign"]["ranked"]
    assert [e["label"] for e in ranked] == ["Steady", "Lucky", "Middling"]
    assert (ranked[0]["ci_low"], ranked[0]["ci_high"]) == (25.72, 34.66)
    default = client.get("/api/v1/analytics/top-performers", headers=workspace.headers).json()
    assert default["min_sample"] == 30
    assert [e["label"] for e in default["campaign"]["ranked"]] == ["Steady", "Middling"]
    assert [e["label"] for e in default["campaign"]["insufficient_data"]] == ["Lucky"]
    variants = {e["key"]: e for e in default["variant"]["ranked"]}
    assert variants["rewritten"]["attempted"] == 400 and variants["rewritten"]["replied"] == 120
    # the original text: Middling's 60 and Lucky's one message (no variant either)
    assert variants["original"]["attempted"] == 61 and variants["original"]["replied"] == 13
    senders = default["sender"]["ranked"]
    assert len(senders) == 1 and senders[0]["attempted"] == 461  # the other workspace's 50 not


def test_sender_health(client, db, workspace):
    from app.ai.models import RiskAssessment

    sender = make_sender(
        db, workspace.id, "pn-health", warmup_started_on=utcnow().date() - timedelta(days=2)
    )
    camp = _campaign(db, workspace.id, sender.id)
    now = utcnow()
    for i in range(4):
        c = make_contact(db, workspace.id, f"+1415888{i:04d}")
        _msg(db, workspace.id, c, camp, "delivered", at=now - timedelta(minutes=10))
    c = make_contact(db, workspace.id, "+14158889999")
    _msg(db, workspace.id, c, camp, "failed", at=now, error_code="131049")
    for level, score in (("low", 10), ("high", 70)):
        db.add(
            RiskAssessment(
                workspace_id=workspace.id,
                sender_id=sender.id,
                scope="number",
                risk_score=score,
                risk_level=level,
            )
        )
        db.commit()
    update_campaign_analytics()
    [h] = client.get("/api/v1/analytics/senders", headers=workspace.headers).json()
    assert h["warmup"]["day"] == 3 and h["warmup"]["cap"] == 50
    assert h["caps"]["sent_last_hour"] == 4 and h["caps"]["daily_cap"] == 50
    assert h["caps"]["daily_use_percent"] == 8.0
    assert h["failed_by_code"] == {"131049": 1}
    assert h["delivery_rate"] == 80.0
    assert h["risk_level"] == "high" and [r["level"] for r in h["risk_history"]] == ["high", "low"]


def test_daily_report_now_and_formats(client, db, workspace):
    camp, contacts = _ten(db, workspace.id)
    today = utcnow()
    _msg(db, workspace.id, contacts[0], camp, "read", at=today, step_index=5)
    r = client.post("/api/v1/analytics/daily-reports", json={}, headers=workspace.headers)
    assert r.status_code == 201
    data = r.json()["data"]
    day = r.json()["report_date"]
    assert day == today.date().isoformat() and data["complete"] is False
    assert data["messages_sent"] == 1 and data["read_rate"] == 100.0
    assert sum(data["hourly"]["sent"]) == 1
    past = client.post(
        "/api/v1/analytics/daily-reports", json={"date": "2026-06-10"}, headers=workspace.headers
    ).json()["data"]
    assert past["complete"] is True and past["messages_sent"] == 6 and past["failed"] == 2
    assert past["delivery_rate"] == round(500 / 6, 2)  # of the 6 sent that day, 5 delivered
    listed = client.get("/api/v1/analytics/daily-reports", headers=workspace.headers).json()
    assert [x["report_date"] for x in listed] == [day, "2026-06-10"]
    csv_ = client.get(
        "/api/v1/analytics/daily-reports/2026-06-10?format=csv", headers=workspace.headers
    )
    assert csv_.headers["content-type"].startswith("text/csv")
    assert "messages_sent,6" in csv_.text and "09:00,6,5,3,1,0" in csv_.text
    html = client.get(
        "/api/v1/analytics/daily-reports/2026-06-10?format=html", headers=workspace.headers
    )
    assert html.status_code == 200 and "/dashboard/static/plotly.min.js" in html.text
    missing = client.get("/api/v1/analytics/daily-reports/2020-01-01", headers=workspace.headers)
    assert missing.status_code == 404
    bad = client.post(
        "/api/v1/analytics/daily-reports", json={"date": "June"}, headers=workspace.headers
    )
    assert bad.status_code == 422


def test_daily_reports_are_due_at_two_in_each_zone(db, workspace, other_workspace):
    from app.workspaces.models import Workspace

    db.get(Workspace, workspace.id).timezone = "Asia/Kolkata"
    db.get(Workspace, other_workspace.id).timezone = "America/Los_Angeles"
    db.commit()
    # 21:00Z = 02:30 in Kolkata (11 June), 14:00 in Los Angeles (10 June; its 02:00 was at 09:00Z)
    now = datetime(2026, 6, 10, 21, 0, tzinfo=UTC)
    assert sorted(reports.due(db=db, now=now)) == sorted(
        [(workspace.id, date(2026, 6, 10)), (other_workspace.id, date(2026, 6, 9))]
    )
    early = datetime(2026, 6, 10, 20, 0, tzinfo=UTC)  # 01:30 in Kolkata: not yet
    assert [w for w, _ in reports.due(db=db, now=early)] == [other_workspace.id]
    reports.store(db=db, workspace_id=workspace.id, day=date(2026, 6, 10), now=now)
    db.commit()
    assert [w for w, _ in reports.due(db=db, now=now)] == [other_workspace.id]
    assert generate_daily_report("2026-06-10") == 2
    assert generate_daily_report("2026-06-10") == 2  # rerun overwrites, no duplicate row


def test_hot_leads_and_live_progress(client, db, workspace, other_workspace):
    camp, contacts = _ten(db, workspace.id)
    contacts[0].lead_score, contacts[0].lead_tier = 91, "hot"
    contacts[1].lead_score, contacts[1].lead_tier = 40, "cold"
    db.commit()
    _ten(db, other_workspace.id, "b")
    leads = client.get("/api/v1/analytics/hot-leads", headers=workspace.headers).json()
    assert [(x["contact_id"], x["lead_score"]) for x in leads] == [
        (contacts[0].id, 91),
        (contacts[1].id, 40),
    ]
    live = client.get("/api/v1/analytics/live", headers=workspace.headers).json()
    assert live == {
        str(camp.id): {"total": 10, "pending": 1, "done": 9, "sent": 6, "percent": 90.0}
    }


@pytest.mark.parametrize(
    "path",
    [
        "dashboard",
        "campaigns",
        "campaigns/1",
        "live",
        "messages/timeline",
        "engagement",
        "top-performers",
        "senders",
        "hot-leads",
        "daily-reports",
        "daily-reports/2026-06-10",
    ],
)
def test_analytics_requires_auth(client, path):
    assert client.get(f"/api/v1/analytics/{path}").status_code == 401


def test_periodic_jobs_refresh_stats_and_scores(db, workspace):
    from app.ai.leads.service import rescore_workspace  # noqa: F401  (import check)
    from app.analytics.tasks import update_lead_scores

    camp, contacts = _ten(db, workspace.id)
    for _ in range(3):
        _inbound(db, workspace.id, contacts[0], campaign=camp, at=utcnow())
    assert update_campaign_analytics() == 1
    db.expire_all()
    assert db.get(Campaign, camp.id).stats["total_messages"] == 8
    assert update_lead_scores() >= 1


def test_stale_figures_are_refreshed_on_read(client, db, workspace, monkeypatch):
    from app.core.config import settings

    _ten(db, workspace.id)
    monkeypatch.setattr(settings, "ANALYTICS_MAX_STALENESS_SECONDS", 0)  # never on read
    r = client.get("/api/v1/analytics/dashboard", headers=workspace.headers).json()
    assert r["total_messages_sent"] == 0 and r["as_of"] is None
    monkeypatch.setattr(settings, "ANALYTICS_MAX_STALENESS_SECONDS", 60)
    r = client.get("/api/v1/analytics/dashboard", headers=workspace.headers).json()
    assert r["total_messages_sent"] == 6 and r["as_of"] is not None
    # Anonymous requests are refused before anything is computed.
    assert client.get("/api/v1/analytics/campaigns").status_code == 401
