"""Campaign life around the engine (real PostgreSQL, Redis, fake Graph API): drip sequencing
stopped by a reply, scheduled start, pause/resume/cancel mid-campaign, the reconciler,
ban-risk auto-pause and retention cleanup."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import func, select, update

from app.campaigns import service as campaigns
from app.campaigns.models import Campaign, Enrollment
from app.core.config import settings
from app.core.db import utcnow
from app.messaging.models import Message
from app.outbound.dispatch import claim_next, run_dispatch
from app.outbound.pipeline import process_batch
from app.pacing import get_throttle
from tests.engine_support import make_campaign, make_contacts, status_counts
from tests.fakes.graph_api import graph_api_fixture  # noqa: F401  (fixture "graph_api")
from tests.support.engine import engine_settings  # noqa: F401  (autouse fixture)
from tests.support.factories import make_sender
from tests.support.webhooks import inbound_webhook
from tests.test_engine_pipeline import big_sender, fresh, rows


def make_due(db, campaign_id):
    """Fast-forward: scheduled steps fall due now (enrollments still waiting for their last
    step's row to be final have no due time and stay waiting)."""
    db.execute(
        update(Enrollment)
        .where(
            Enrollment.campaign_id == campaign_id,
            Enrollment.state == "active",
            Enrollment.next_due_at.is_not(None),
        )
        .values(next_due_at=utcnow())
    )
    db.commit()


def test_three_step_drip_stops_on_reply(db, workspace, graph_api):
    from app.campaigns.scheduled import process_drip_sequences
    from app.inbound.ingest import ingest_payload

    sender = big_sender(db, workspace.id)
    a, b = make_contacts(db, workspace.id, 2)
    sequence = [
        {"delay_hours": 0, "message": "Step 1 for {name}"},
        {"delay_hours": 24, "message": "Step 2"},
        {"delay_hours": 72, "message": "Step 3"},
    ]
    cid = make_campaign(
        db,
        workspace.id,
        sender.id,
        [a, b],
        type="drip",
        metadata={"sequence": sequence},
        message_template=None,
    )
    process_drip_sequences.run()
    process_drip_sequences.run()  # a repeat creates nothing new
    run_dispatch(sender_id=sender.id)
    assert status_counts(db, cid) == {"sent": 2}
    enrollment_b = db.scalar(select(Enrollment).where(Enrollment.contact_id == b))
    # Waiting for step 0's row; the next run schedules step 1 24 h after it was sent.
    assert (enrollment_b.state, enrollment_b.next_step, enrollment_b.next_due_at) == (
        "active",
        1,
        None,
    )
    process_drip_sequences.run()
    fresh(db)
    sent_at = db.scalar(select(Message.sent_at).where(Message.contact_id == b))
    assert enrollment_b.next_due_at == sent_at + timedelta(hours=24)

    # Contact a replies after step 1: its drip stops.
    ingest_payload(
        db=db, payload=inbound_webhook(sender.phone_number_id, "+447400000000", "Thanks!", "w1")
    )
    db.commit()
    for _ in range(2):
        make_due(db, cid)
        process_drip_sequences.run()
        run_dispatch(sender_id=sender.id)
        process_drip_sequences.run()  # the step's row is final: schedule the next / complete

    fresh(db)
    sent = db.execute(
        select(Message.contact_id, Message.step_index)
        .where(Message.campaign_id == cid, Message.status == "sent")
        .order_by(Message.contact_id, Message.step_index)
    ).all()
    assert sent == [(a, 0), (b, 0), (b, 1), (b, 2)]
    states = dict(db.execute(select(Enrollment.contact_id, Enrollment.state)).all())
    assert states == {a: "stopped", b: "completed"}
    assert [r["body"] for r in graph_api.requests()][-1] == "Step 3"
    # The reply is linked to the campaign, yet the drip completes: only outbound rows count.
    assert db.get(Campaign, cid).status == "completed"


def test_scheduled_campaign_starts_on_time(db, workspace, graph_api):
    from app.campaigns.tasks import process_scheduled_campaigns

    sender = big_sender(db, workspace.id)
    contacts = make_contacts(db, workspace.id, 3)
    at = utcnow() + timedelta(seconds=2)
    cid = make_campaign(db, workspace.id, sender.id, contacts, start=False, scheduled_at=at)
    assert process_scheduled_campaigns.run() == []
    assert status_counts(db, cid) == {}
    time.sleep(max(0.0, (at - utcnow()).total_seconds()) + 0.1)
    assert process_scheduled_campaigns.run() == [cid]
    run_dispatch(sender_id=sender.id)
    assert status_counts(db, cid) == {"sent": 3}
    fresh(db)
    assert db.get(Campaign, cid).started_at >= at


def test_pause_resume_cancel_mid_campaign(db, workspace, graph_api, monkeypatch):
    monkeypatch.setattr(settings, "SEND_BATCH_SIZE", 10)
    sender = big_sender(db, workspace.id)
    cid = make_campaign(db, workspace.id, sender.id, make_contacts(db, workspace.id, 50))
    throttle = get_throttle()

    info, batch = claim_next(sender_id=sender.id, throttle=throttle, limit=10)
    process_batch(sender=info, rows=batch, throttle=throttle)
    assert status_counts(db, cid) == {"sent": 10, "queued": 40}

    # Paused between claim and send: the claimed rows go back, nothing is sent.
    info, batch = claim_next(sender_id=sender.id, throttle=throttle, limit=10)
    campaigns.pause_campaign(db=db, workspace_id=workspace.id, campaign_id=cid)
    db.commit()
    process_batch(sender=info, rows=batch, throttle=throttle)
    assert status_counts(db, cid) == {"sent": 10, "queued": 40}
    assert run_dispatch(sender_id=sender.id).processed == 0
    assert all(m.attempts == 0 for m in rows(db, cid) if m.status == "queued")

    campaigns.resume_campaign(db=db, workspace_id=workspace.id, campaign_id=cid)
    db.commit()
    info, batch = claim_next(sender_id=sender.id, throttle=throttle, limit=10)
    process_batch(sender=info, rows=batch, throttle=throttle)
    assert status_counts(db, cid) == {"sent": 20, "queued": 30}

    info, batch = claim_next(sender_id=sender.id, throttle=throttle, limit=10)
    campaigns.cancel_campaign(db=db, workspace_id=workspace.id, campaign_id=cid)
    db.commit()
    process_batch(sender=info, rows=batch, throttle=throttle)
    run_dispatch(sender_id=sender.id)
    assert status_counts(db, cid) == {"sent": 20, "cancelled": 30}
    assert len(graph_api.requests()) == 20


def test_reconciler_marks_stale_unknown_and_wakes_due_senders(db, workspace, redis_client):
    from app.outbound.reconcile import reconcile

    sender = big_sender(db, workspace.id)
    paused = big_sender(db, workspace.id, phone_number_id="100000000000002")
    cid = make_campaign(db, workspace.id, sender.id, make_contacts(db, workspace.id, 3))
    make_campaign(db, workspace.id, paused.id, make_contacts(db, workspace.id, 2, first=10))
    paused.status = "paused"
    db.commit()
    _, batch = claim_next(sender_id=sender.id, throttle=get_throttle(), limit=1)
    db.execute(
        update(Message)
        .where(Message.id == batch[0].id)
        .values(claimed_at=utcnow() - timedelta(seconds=settings.SENDING_STALE_AFTER_SECONDS + 5))
    )
    db.commit()
    redis_client.flushdb()  # the broker lost every queued task

    report = reconcile()

    assert report.stale_unknown == 1
    assert report.woken_senders == [sender.id]
    assert redis_client.llen("messages") >= 1  # dispatch_sender is queued again
    counts = status_counts(db, cid)
    assert counts == {"unknown": 1, "queued": 2}


def test_ban_risk_critical_pauses_running_campaigns(db, workspace):
    from app.ai.models import RiskAssessment
    from app.ai.tasks import monitor_ban_risks

    risky = big_sender(db, workspace.id, quality_rating="RED")
    calm = big_sender(db, workspace.id, phone_number_id="100000000000002")
    risky_cid = make_campaign(db, workspace.id, risky.id, make_contacts(db, workspace.id, 30))
    calm_cid = make_campaign(
        db, workspace.id, calm.id, make_contacts(db, workspace.id, 5, first=50)
    )
    now = utcnow()
    db.execute(
        update(Message)
        .where(Message.campaign_id == risky_cid)
        .values(status="failed", claimed_at=now, error_code="131048")
    )
    db.commit()

    levels = monitor_ban_risks.run()

    assert levels == {str(risky.id): "critical", str(calm.id): "low"}
    fresh(db)
    campaign = db.get(Campaign, risky_cid)
    assert campaign.status == "paused" and "ban risk critical" in campaign.status_reason
    assert db.get(Campaign, calm_cid).status == "running"
    stored = db.scalar(select(RiskAssessment).where(RiskAssessment.sender_id == risky.id))
    assert stored.risk_score >= 75 and stored.action_taken == "paused_campaigns:1"
    assert any("block" in f for f in stored.factors)


def test_cleanup_keeps_recent_and_unfinished_messages(db, workspace, graph_api):
    from app.outbound.reconcile import cleanup_old_messages

    sender = make_sender(db, workspace.id)
    cid = make_campaign(db, workspace.id, sender.id, make_contacts(db, workspace.id, 3))
    old = utcnow() - timedelta(days=settings.MESSAGE_RETENTION_DAYS + 1)
    ids = [m.id for m in rows(db, cid)]
    db.execute(update(Message).where(Message.id == ids[0]).values(created_at=old, status="sent"))
    db.execute(update(Message).where(Message.id == ids[1]).values(created_at=old))  # queued
    db.commit()

    assert cleanup_old_messages() == 1
    fresh(db)
    left = db.scalars(select(Message.id).order_by(Message.id)).all()
    assert left == ids[1:]
    assert db.scalar(select(func.count()).select_from(Message)) == 2
