"""Template lifecycle and number quality from Meta's account webhooks (fixtures in Meta's
documented shape), through the real signed ingestion path; and quick-reply button replies."""

from __future__ import annotations

import copy

import orjson
import pytest
from sqlalchemy import select

from app.ai.risk.service import assess_sender
from app.analytics import rollup
from app.analytics.service import campaign_analytics
from app.campaigns.models import Campaign, DripStep
from app.core.db import utcnow
from app.inbound.ingest import ingest_payload
from app.inbound.models import WebhookEvent
from app.inbound.service import sign
from app.inbound.tasks import process_pending_events
from app.messaging.models import Message, MessageEvent
from app.senders.models import SenderNumber
from app.templates.models import Template
from tests.support.factories import make_contact, make_sender, make_template
from tests.support.webhooks import load

WABA = "102290129340398"
PNID = "106540352242922"
TEMPLATE_ID = "1689556908129832"
URL = "/api/v1/webhooks/whatsapp"


@pytest.fixture
def world(db, workspace):
    sender = make_sender(
        db, workspace.id, PNID, waba_id=WABA, display_phone="+1 555-078-3881", provider="sandbox"
    )
    template = make_template(
        db, workspace.id, "order_confirmation", body="Order {{1}} confirmed", status="PENDING"
    )
    other = make_template(db, workspace.id, "other_template", body="Hi")
    template.provider_template_id = TEMPLATE_ID
    contact = make_contact(db, workspace.id, "+16505551234", name="Sheena")

    def campaign(status: str, template_id: int | None, **fields) -> Campaign:
        row = Campaign(
            workspace_id=workspace.id,
            sender_id=sender.id,
            name=f"{status}-{template_id}-{fields.get('type', 'broadcast')}",
            status=status,
            template_id=template_id,
            template_params=["x"] if template_id == template.id else [],
            contact_ids=[contact.id],
            **fields,
        )
        db.add(row)
        db.flush()
        return row

    running = campaign("running", template.id)
    drip = campaign("running", None, type="drip")
    db.add(DripStep(campaign_id=drip.id, position=0, delay_hours=0, template_id=template.id))
    unrelated = campaign("running", other.id)
    draft = campaign("draft", template.id)
    db.commit()
    return {
        "sender": sender,
        "template": template,
        "contact": contact,
        "running": running.id,
        "drip": drip.id,
        "unrelated": unrelated.id,
        "draft": draft.id,
    }


def deliver(client, db, payload: dict) -> WebhookEvent:
    """POST it signed as Meta does, then process what was stored, as a worker would."""
    raw = orjson.dumps(payload)
    r = client.post(
        URL,
        content=raw,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(raw)},
    )
    assert r.status_code == 200, r.text
    process_pending_events(db=db, limit=100, max_attempts=5)
    db.commit()
    db.expire_all()
    return db.scalars(select(WebhookEvent).order_by(WebhookEvent.id.desc())).first()


def later(name: str, seconds: int = 3600) -> dict:
    payload = copy.deepcopy(load(name))
    payload["entry"][0]["time"] += seconds
    return payload


def statuses(db, world) -> dict[str, tuple[str, str | None]]:
    db.expire_all()
    return {
        key: (c.status, c.status_reason)
        for key in ("running", "drip", "unrelated", "draft")
        if (c := db.get(Campaign, world[key])) is not None
    }


def test_approved_and_rejected_change_the_row(client, db, world):
    event = deliver(client, db, load("template_status_approved"))
    assert (event.kind, event.processing_error) == ("account", None)
    template = db.get(Template, world["template"].id)
    assert (template.status, template.status_reason) == ("APPROVED", None)

    deliver(client, db, later("template_status_rejected"))
    template = db.get(Template, world["template"].id)
    assert template.status == "REJECTED"
    assert "INVALID_FORMAT" in template.status_reason
    assert "Separate parameters with descriptive text" in template.status_reason
    assert {k: s for k, (s, _) in statuses(db, world).items()}["running"] == "running"


@pytest.mark.parametrize(
    ("fixture", "status", "words"),
    [
        ("template_status_paused", "PAUSED", "FIRST_PAUSE"),
        ("template_status_disabled", "DISABLED", "disabled"),
    ],
)
def test_paused_or_disabled_template_pauses_running_campaigns(
    client, db, world, fixture, status, words
):
    deliver(client, db, load(fixture))
    template = db.get(Template, world["template"].id)
    assert template.status == status and words in template.status_reason
    after = statuses(db, world)
    for key in ("running", "drip"):
        state, reason = after[key]
        assert state == "paused"
        assert f"order_confirmation (en_US) is {status}" in reason and words in reason
    assert after["unrelated"] == ("running", None)
    assert after["draft"] == ("draft", None)


def test_template_webhooks_are_idempotent_and_ordered(client, db, world):
    paused = load("template_status_paused")
    deliver(client, db, paused)
    first = statuses(db, world)
    stamp = db.get(Campaign, world["running"]).updated_at

    # Meta retries the identical delivery: stored once, nothing happens twice.
    event = deliver(client, db, paused)
    assert db.scalar(select(WebhookEvent.id).where(WebhookEvent.id > event.id)) is None
    assert len(db.scalars(select(WebhookEvent)).all()) == 1
    # The same update applied again (another delivery carrying it) changes nothing.
    report = ingest_payload(db=db, payload=paused)
    db.commit()
    assert (report.account_changes, report.errors) == (0, [])
    assert statuses(db, world) == first
    assert db.get(Campaign, world["running"]).updated_at == stamp

    # An APPROVED older than the pause arrives late: ignored, the template stays paused.
    deliver(client, db, load("template_status_approved"))
    assert db.get(Template, world["template"].id).status == "PAUSED"


def test_resume_waits_for_the_template(client, auth, db, world):
    deliver(client, db, load("template_status_paused"))
    cid = world["running"]
    r = client.post(f"/api/v1/campaigns/{cid}/resume", headers=auth)
    assert r.status_code == 409, r.text
    assert r.json()["errors"][0]["field"] == "template_id"
    deliver(client, db, later("template_status_approved", 7200))
    assert db.get(Template, world["template"].id).status == "APPROVED"
    r = client.post(f"/api/v1/campaigns/{cid}/resume", headers=auth)
    assert r.status_code == 200 and r.json()["status"] == "running"


def assess(db, sender):
    return assess_sender(db=db, workspace_id=sender.workspace_id, sender_id=sender.id)


def test_quality_update_is_seen_by_ban_risk(client, db, world):
    template = db.get(Template, world["template"].id)
    template.status = "APPROVED"
    db.commit()
    before = assess(db, world["sender"])
    deliver(client, db, load("template_quality_update"))
    assert db.get(Template, world["template"].id).quality_score == "RED"

    # An older quality update (GREEN) is ignored.
    older = copy.deepcopy(load("template_quality_update"))
    older["entry"][0]["time"] -= 3600
    older["entry"][0]["changes"][0]["value"]["new_quality_score"] = "GREEN"
    deliver(client, db, older)
    assert db.get(Template, world["template"].id).quality_score == "RED"

    after = assess(db, world["sender"])
    assert after.risk_score > before.risk_score
    assert any(
        f.startswith("template quality RED: order_confirmation (en_US)") for f in after.factors
    )
    assert after.metrics["template_quality"] == {"order_confirmation (en_US)": "RED"}


def test_number_quality_and_messaging_limit(client, db, world):
    deliver(client, db, load("phone_number_quality_flagged"))
    sender = db.get(SenderNumber, world["sender"].id)
    assert (sender.quality_rating, sender.messaging_tier) == ("RED", "TIER_10K")
    verdict = assess(db, sender)
    assert any(f.startswith("quality rating RED") for f in verdict.factors)

    deliver(client, db, load("phone_number_quality_downgrade"))
    sender = db.get(SenderNumber, world["sender"].id)
    assert (sender.quality_rating, sender.messaging_tier) == ("RED", "TIER_2K")

    unflagged = later("phone_number_quality_flagged")
    unflagged["entry"][0]["changes"][0]["value"]["event"] = "UNFLAGGED"
    deliver(client, db, unflagged)
    assert db.get(SenderNumber, world["sender"].id).quality_rating == "GREEN"


def test_update_for_an_unknown_number_is_kept_with_its_error(client, db, world):
    payload = later("phone_number_quality_flagged")
    payload["entry"][0]["changes"][0]["value"]["display_phone_number"] = "15559990000"
    event = deliver(client, db, payload)
    assert event.processed_at is not None and "unknown number 15559990000" in event.processing_error
    assert db.get(SenderNumber, world["sender"].id).quality_rating == "UNKNOWN"


def test_update_for_another_waba_changes_nothing(client, db, world):
    payload = load("template_status_paused")
    payload["entry"][0]["id"] = "999999"
    deliver(client, db, payload)
    assert db.get(Template, world["template"].id).status == "PENDING"
    assert statuses(db, world)["running"] == ("running", None)


# --- quick-reply buttons close the loop ------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "payload"),
    [("message_button", "Yes I'm interested"), ("message_interactive_button_reply", None)],
)
def test_button_reply_links_to_the_campaign_message(client, db, world, fixture, payload):
    button = load(fixture)
    context_id = button["entry"][0]["changes"][0]["value"]["messages"][0]["context"]["id"]
    outbound = Message(
        workspace_id=world["sender"].workspace_id,
        contact_id=world["contact"].id,
        sender_id=world["sender"].id,
        campaign_id=world["running"],
        step_index=0,
        direction="outbound",
        type="template",
        status="delivered",
        wamid=context_id,
        sent_at=utcnow(),
    )
    db.add(outbound)
    db.commit()
    deliver(client, db, button)

    reply = db.scalars(select(Message).where(Message.direction == "inbound")).one()
    assert (reply.in_reply_to_id, reply.campaign_id) == (outbound.id, world["running"])
    assert db.get(Message, outbound.id).replied_at is not None
    event = db.scalars(select(MessageEvent).where(MessageEvent.message_id == reply.id)).one()
    expected = payload or reply.payload["interactive"]["button_reply"]["id"]
    assert event.data["button_payload"] == expected
    rollup.refresh(db=db)
    db.commit()
    figures = campaign_analytics(
        db=db, workspace_id=world["sender"].workspace_id, campaign_id=world["running"]
    )["analytics"]
    assert figures["replied_count"] == 1


def test_start_waits_for_the_template_and_a_due_schedule_starts_paused(client, auth, db, world):
    from datetime import timedelta

    from app.campaigns.service import claim_due_scheduled

    deliver(client, db, load("template_status_paused"))
    r = client.post(f"/api/v1/campaigns/{world['draft']}/start", headers=auth)
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "template_id"
    assert db.get(Campaign, world["draft"]).status == "draft"

    due = db.get(Campaign, world["draft"])
    due.status, due.scheduled_at = "scheduled", utcnow() - timedelta(minutes=1)
    db.commit()
    started = claim_due_scheduled(db=db)
    db.commit()
    assert started is not None and started.id == world["draft"]
    db.expire_all()
    campaign = db.get(Campaign, world["draft"])
    assert campaign.status == "paused"
    assert campaign.status_reason.startswith("paused at start: template order_confirmation")
    queued = db.scalars(select(Message).where(Message.campaign_id == campaign.id)).all()
    assert [m.status for m in queued] == ["queued"]  # rows wait for the resume
