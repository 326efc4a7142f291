"""/metrics (prometheus-client) and the counters the engine and the webhook path feed, on the
real dispatch path (Graph API fake on loopback) and the real webhook endpoint."""

from __future__ import annotations

import orjson
import pytest
from prometheus_client import REGISTRY

from app.analytics import service
from app.analytics.tasks import update_campaign_analytics
from app.core.config import settings
from app.inbound.service import sign
from app.outbound.dispatch import run_dispatch
from tests.engine_support import make_campaign, make_contacts
from tests.fakes.graph_api import graph_api_fixture  # noqa: F401  (fixture "graph_api")
from tests.support.factories import make_sender
from tests.support.webhooks import inbound_webhook


@pytest.fixture(autouse=True)
def _engine(monkeypatch, redis_client):
    monkeypatch.setattr(settings, "MESSAGE_DELAY_MIN", 0)
    monkeypatch.setattr(settings, "MESSAGE_DELAY_MAX", 0)
    monkeypatch.setattr(settings, "QUIET_HOURS_ENABLED", False)


def _value(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_metrics_need_the_token_or_a_loopback_client(client, monkeypatch):
    assert client.get("/metrics").status_code == 404  # TestClient is not loopback
    monkeypatch.setattr(settings, "METRICS_TOKEN", "s3cret")
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer nope"}).status_code == 401
    r = client.get("/metrics", headers={"Authorization": "Bearer s3cret"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    for name in (
        "swa_sends_total",
        "swa_dispatch_batch_seconds",
        "swa_throttle_deferrals_total",
        "swa_webhook_deliveries_total",
        "swa_webhook_lag_seconds",
        "swa_ai_request_seconds",
        "swa_ai_fallbacks_total",
        "swa_queue_depth",
        "swa_messages_due",
    ):
        assert f"# HELP {name}" in r.text, name


def test_a_real_dispatch_counts_sends_and_latency(db, workspace, graph_api):
    sender = make_sender(
        db, workspace.id, messaging_tier="TIER_UNLIMITED", max_per_hour=1000, max_per_day=1000
    )
    contacts = make_contacts(db, workspace.id, 5)
    cid = make_campaign(db, workspace.id, sender.id, contacts)
    sent0 = _value("swa_sends_total", outcome="sent", error_code="")
    batches0 = _value("swa_dispatch_batch_seconds_count")
    assert run_dispatch(sender_id=sender.id).sent == 5
    assert _value("swa_sends_total", outcome="sent", error_code="") == sent0 + 5
    assert _value("swa_dispatch_batch_seconds_count") > batches0
    # The same sends, end to end, in the rollups.
    update_campaign_analytics()
    a = service.campaign_analytics(db=db, workspace_id=workspace.id, campaign_id=cid)
    assert a["analytics"]["total_messages"] == 5 and a["analytics"]["sent_count"] == 5


def test_rows_waiting_for_a_full_cap_count_as_deferrals(db, workspace, graph_api):
    sender = make_sender(
        db, workspace.id, messaging_tier="TIER_UNLIMITED", max_per_hour=3, max_per_day=1000
    )
    make_campaign(db, workspace.id, sender.id, make_contacts(db, workspace.id, 8))
    before = _value("swa_throttle_deferrals_total", reason="cap_full")
    run_dispatch(sender_id=sender.id)  # 3 sent, then the hour is full: the other 5 wait
    assert len(graph_api.requests()) == 3
    assert _value("swa_throttle_deferrals_total", reason="cap_full") == before + 5


def test_webhook_deliveries_and_lag(client, db, workspace):
    from app.inbound.tasks import process_pending_webhooks

    make_sender(db, workspace.id, "100000000000001")
    payload = inbound_webhook("100000000000001", "14155550123", "hello", "wamid.metrics.1")
    raw = orjson.dumps(payload)
    headers = {"X-Hub-Signature-256": sign(raw), "Content-Type": "application/json"}
    stored0 = _value("swa_webhook_deliveries_total", result="stored")
    dup0 = _value("swa_webhook_deliveries_total", result="duplicate")
    assert client.post("/api/v1/webhooks/whatsapp", content=raw, headers=headers).status_code == 200
    assert client.post("/api/v1/webhooks/whatsapp", content=raw, headers=headers).status_code == 200
    assert _value("swa_webhook_deliveries_total", result="stored") == stored0 + 1
    assert _value("swa_webhook_deliveries_total", result="duplicate") == dup0 + 1
    lag0 = _value("swa_webhook_lag_seconds_count")
    process_pending_webhooks(older_than_seconds=0)
    assert _value("swa_webhook_lag_seconds_count") >= lag0 + 1
