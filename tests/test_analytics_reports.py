"""Daily reports: which days can have one, what "new hot leads" and "risk alerts" mean, and a
CSV a spreadsheet cannot turn into formulas."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.ai.leads.service import hot_since
from app.ai.models import RiskAssessment
from app.analytics import reports
from app.core.db import utcnow
from tests.support.factories import make_contact, make_sender

DAY = date(2026, 6, 10)
NOON = datetime(2026, 6, 10, 12, tzinfo=UTC)


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31", "9999-12-31"])
def test_days_outside_what_can_be_reported_are_422(client, workspace, day):
    r = client.post(
        "/api/v1/analytics/daily-reports", json={"date": day}, headers=workspace.headers
    )
    assert r.status_code == 422 and r.json()["code"] == "validation_error"


def test_a_day_that_has_not_started_in_the_workspace_zone_is_422(client, workspace):
    r = client.patch(  # UTC+14: its today is ahead of UTC's
        "/api/v1/workspace", json={"timezone": "Pacific/Kiritimati"}, headers=workspace.headers
    )
    assert r.status_code == 200
    ahead = (utcnow() + timedelta(hours=14)).date()
    ok = client.post(
        "/api/v1/analytics/daily-reports",
        json={"date": ahead.isoformat()},
        headers=workspace.headers,
    )
    assert ok.status_code == 201
    tomorrow = (ahead + timedelta(days=1)).isoformat()
    r = client.post(
        "/api/v1/analytics/daily-reports", json={"date": tomorrow}, headers=workspace.headers
    )
    assert r.status_code == 422 and "has not started" in r.text


def test_hot_since_is_set_when_a_lead_turns_hot_and_kept_while_it_stays(db, workspace):
    contact = make_contact(db, workspace.id, "+14155550101")
    first, later = NOON, NOON + timedelta(days=3)
    assert hot_since(contact, "warm", first) is None
    contact.lead_tier, contact.lead_hot_since = "hot", hot_since(contact, "hot", first)
    assert contact.lead_hot_since == first
    assert hot_since(contact, "hot", later) == first  # a rescore does not make it new
    assert hot_since(contact, "cold", later) is None


def test_new_hot_leads_are_the_ones_that_turned_hot_that_day(db, workspace, other_workspace):
    def lead(ws_id, phone, since, score=90):
        c = make_contact(db, ws_id, phone)
        c.lead_score, c.lead_tier, c.lead_scored_at, c.lead_hot_since = score, "hot", NOON, since
        return c

    new = lead(workspace.id, "+14155550111", NOON)
    lead(workspace.id, "+14155550112", NOON - timedelta(days=20))  # hot for weeks, rescored today
    lead(other_workspace.id, "+14155550113", NOON)  # another workspace's
    db.commit()
    data = reports.build(db=db, workspace_id=workspace.id, day=DAY, now=NOON)
    assert [x["contact_id"] for x in data["new_hot_leads"]] == [new.id]


def test_risk_alerts_are_the_day_s_high_and_critical_assessments(db, workspace):
    sender = make_sender(db, workspace.id, "pn-report-risk")
    for level, at in (
        ("critical", NOON),
        ("high", NOON + timedelta(hours=2)),
        ("low", NOON),
        ("high", NOON + timedelta(days=1)),  # the next day
    ):
        db.add(
            RiskAssessment(
                workspace_id=workspace.id,
                sender_id=sender.id,
                scope="number",
                risk_score={"critical": 90, "high": 60, "low": 10}[level],
                risk_level=level,
                factors=["volume"],
                created_at=at,
            )
        )
    db.commit()
    data = reports.build(db=db, workspace_id=workspace.id, day=DAY, now=NOON)
    assert [a["level"] for a in data["risk_alerts"]] == ["critical", "high"]


def test_report_csv_neutralises_formula_cells():
    data = {
        "date": "2026-06-10",
        "note": "=1+1",
        "hourly": {},
        "top_campaigns": [
            {
                "label": '=HYPERLINK("http://evil.example","click")',
                "attempted": 40,
                "replied": 4,
                "response_rate": 10.0,
                "ci_low": 3.9,
                "ci_high": 23.1,
            },
            {"label": "Spring sale", "attempted": 30, "replied": 3, "response_rate": 10.0,
             "ci_low": 3.5, "ci_high": 25.6},
        ],
    }  # fmt: skip
    text = reports.to_csv(data)
    assert "note,'=1+1" in text
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text
    assert "Spring sale,30,3" in text and "2026-06-10" in text
