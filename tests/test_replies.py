"""Reply handling on the real ingestion path (PostgreSQL, in-process sweep task): every reply
classified after its storage, the auto-response rules, opt-outs, drip stops, the review inbox
and lead scores. The assertions hold for any reply classifier honouring the AI contract
(the texts are unambiguous; no confidence figure is asserted)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.campaigns.models import Campaign, Enrollment
from app.contacts.models import Contact
from app.core.db import utcnow
from app.replies import processing
from app.replies.models import ReviewItem
from tests.support.replies import PRICING_TEXT, answers, customer, make_shop, reply

PHONE = "+14155550123"


def review_of(db, message_id: int) -> ReviewItem | None:
    return db.scalars(select(ReviewItem).where(ReviewItem.message_id == message_id)).first()


def drip(db, shop, contact_id: int, *, stop_on_reply: bool) -> int:
    campaign = Campaign(
        workspace_id=shop.workspace_id,
        sender_id=shop.sender_id,
        name=f"drip {utcnow().timestamp()}",
        type="drip",
        status="running",
        message_template="Hi",
        stop_on_reply=stop_on_reply,
    )
    db.add(campaign)
    db.flush()
    db.add(Enrollment(campaign_id=campaign.id, contact_id=contact_id, state="active"))
    db.commit()
    return campaign.id


def test_reply_is_stored_classified_and_answered_once_with_the_configured_text(db, workspace):
    shop = make_shop(db, workspace.id)
    contact = customer(db, shop, PHONE)
    stored = reply(db, shop, PHONE, "how much is it?")
    assert stored.intent == "pricing"
    assert {"intent", "sentiment", "urgency", "confidence", "language"} <= set(
        stored.classification
    )
    assert stored.classification["handling"] == "answered"
    sent = answers(db, contact.id)
    assert len(sent) == 1
    assert sent[0].body == "Our plans start at $49/month, Ada."  # personalised rule text
    assert (sent[0].direction, sent[0].status, sent[0].sender_id) == (
        "outbound",
        "queued",
        shop.sender_id,
    )
    assert sent[0].payload["reply_id"] == stored.id
    # the 24 h window and the lead score moved with the reply
    db.refresh(contact)
    assert contact.last_inbound_at is not None and contact.lead_score is not None


def test_two_replies_in_a_row_get_one_answer(db, workspace):
    shop = make_shop(db, workspace.id)
    contact = customer(db, shop, PHONE)
    reply(db, shop, PHONE, "how much is it?")
    second = reply(db, shop, PHONE, "How much does it cost?")
    assert second.intent == "pricing"
    assert second.classification["handling"] == "cooldown"
    assert len(answers(db, contact.id)) == 1


def test_cooldown_zero_hours_answers_each_reply(db, workspace):
    shop = make_shop(db, workspace.id, cooldown_hours=0)
    contact = customer(db, shop, PHONE)
    reply(db, shop, PHONE, "how much is it?")
    reply(db, shop, PHONE, "How much does it cost?")
    assert len(answers(db, contact.id)) == 2


def test_outside_the_24h_window_nothing_is_sent(db, workspace):
    shop = make_shop(db, workspace.id)
    contact = customer(db, shop, PHONE)
    late = reply(db, shop, PHONE, "how much is it?", ago_seconds=25 * 3600)
    assert late.intent == "pricing"
    assert late.classification["handling"] == "outside_service_window"
    assert answers(db, contact.id) == []


def test_auto_reply_bot_ping_pong_ends_after_one_answer(db, workspace):
    """A bot that answers every message with the same text: our answer triggers its next
    message, which would trigger ours... The loop ends after one answer."""
    shop = make_shop(db, workspace.id)
    contact = customer(db, shop, PHONE)
    context = None
    for _ in range(5):
        reply(db, shop, PHONE, "How much does it cost?", context_wamid=context)
        sent = answers(db, contact.id)
        if sent:  # pretend it went out: the bot "reads" it and answers it
            sent[-1].status, sent[-1].wamid = "sent", f"wamid.OUT{sent[-1].id}"
            db.commit()
            context = sent[-1].wamid
    assert len(answers(db, contact.id)) == 1


def test_out_of_office_reply_gets_no_answer_and_no_review(db, workspace):
    shop = make_shop(db, workspace.id)
    for intent in ("other", "question", "interested"):
        from app.replies import service
        from app.replies.schemas import RuleIn

        service.put_rule(
            db=db, workspace_id=shop.workspace_id, intent=intent, data=RuleIn(response="Thanks!")
        )
    db.commit()
    contact = customer(db, shop, PHONE)
    text = "Automatic reply: I am out of the office until Monday with no access to email."
    for _ in range(3):
        stored = reply(db, shop, PHONE, text)
    assert stored.intent == "auto_reply"
    assert answers(db, contact.id) == []
    assert review_of(db, stored.id) is None


def test_nothing_is_answered_when_auto_respond_is_off_the_inbox_gets_it(db, workspace):
    shop = make_shop(db, workspace.id, auto_respond=False)
    contact = customer(db, shop, PHONE)
    stored = reply(db, shop, PHONE, "how much is it?")
    assert answers(db, contact.id) == []
    item = review_of(db, stored.id)
    assert item is not None and item.reason == "no_response_configured"
    assert stored.needs_review is True


def test_intent_without_a_configured_response_goes_to_review(db, workspace):
    shop = make_shop(db, workspace.id)
    contact = customer(db, shop, PHONE)
    stored = reply(db, shop, PHONE, "Can we schedule a call tomorrow at 10?")
    assert stored.intent == "meeting_request"
    item = review_of(db, stored.id)
    assert item is not None and item.reason == "meeting_request" and item.state == "open"
    assert item.intent == "meeting_request" and item.contact_id == contact.id


def test_keyword_opt_out_confirmed_once_and_never_answered_after(db, workspace):
    shop = make_shop(db, workspace.id, optout_confirmation="You're unsubscribed.")
    contact = customer(db, shop, PHONE)
    reply(db, shop, PHONE, "STOP")
    reply(db, shop, PHONE, "stop")
    later = reply(db, shop, PHONE, "how much is it?")
    db.refresh(contact)
    assert contact.opted_out_at is not None
    confirmations = answers(db, contact.id, "optout_confirmation")
    assert [m.body for m in confirmations] == ["You're unsubscribed."]
    assert answers(db, contact.id) == []  # never an auto-answer after the opt-out
    item = review_of(db, later.id)
    assert item is not None and item.reason == "contact_opted_out"


def test_plain_words_opt_out_opts_out_and_stops_every_drip(db, workspace):
    shop = make_shop(db, workspace.id)
    contact = customer(db, shop, PHONE)
    campaign_id = drip(db, shop, contact.id, stop_on_reply=False)
    stored = reply(db, shop, PHONE, "stop texting me")
    db.refresh(contact)
    assert contact.opted_out_at is not None
    enrollment = db.scalars(select(Enrollment).where(Enrollment.campaign_id == campaign_id)).one()
    assert enrollment.state == "stopped"
    assert review_of(db, stored.id) is None  # handled by the rules: nothing for a person
    assert answers(db, contact.id, "optout_confirmation") == []  # none configured


def test_probable_opt_out_goes_to_review_and_stops_drips_without_opting_out(db, workspace):
    shop = make_shop(db, workspace.id)
    contact = customer(db, shop, PHONE)
    campaign_id = drip(db, shop, contact.id, stop_on_reply=False)
    stored = reply(db, shop, PHONE, "no more of this pls")  # the model, not the rules
    assert stored.intent == "opt_out"
    db.refresh(contact)
    assert contact.opted_out_at is None  # the model alone never opts anyone out
    item = review_of(db, stored.id)
    assert item is not None and item.reason == "probable_opt_out"
    enrollment = db.scalars(select(Enrollment).where(Enrollment.campaign_id == campaign_id)).one()
    assert (enrollment.state, enrollment.state_reason) == ("stopped", "probable_opt_out")


def test_the_opt_out_review_model_sends_what_the_intent_model_misses_to_a_person(db, workspace):
    """ "mate I've told you twice, pack it in with the car deals": no rule matches and the
    intent model reads a complaint; the opt-out review model reads a request to stop, so a
    person checks."""
    from app.ai.classifier.local import classify_local

    text = "mate I've told you twice, pack it in with the car deals"
    local = classify_local(text)
    assert not local.opt_out and local.intent != "opt_out" and local.probable_opt_out
    shop = make_shop(db, workspace.id)
    contact = customer(db, shop, PHONE)
    stored = reply(db, shop, PHONE, text)
    db.refresh(contact)
    assert contact.opted_out_at is None and contact.opt_out_review_at is not None
    item = review_of(db, stored.id)
    assert item is not None and item.reason == "probable_opt_out"


def test_a_probable_opt_out_holds_campaign_messages_until_a_person_decides(db, workspace):
    from app.outbound.policy import Action, check
    from app.replies.inbox import resolve
    from app.replies.schemas import ResolveAction

    shop = make_shop(db, workspace.id)
    contact = customer(db, shop, PHONE)
    campaign = db.get(Campaign, drip(db, shop, contact.id, stop_on_reply=False))
    campaign.status = "running"
    stored = reply(db, shop, PHONE, "no more of this pls")  # the model, not the rules

    def verdict():
        db.refresh(contact)
        return check(
            contact=contact,
            campaign=campaign,
            is_template=True,
            template_category="MARKETING",
            enrollment_state=None,
            now=utcnow(),
        )

    assert contact.opted_out_at is None and verdict().reason == "opt_out_under_review"
    assert verdict().action == Action.SKIP
    item = review_of(db, stored.id)
    resolve(
        db=db,
        workspace_id=workspace.id,
        item_id=item.id,
        action=ResolveAction(action="mark_handled"),
    )
    db.commit()
    assert verdict().action != Action.SKIP  # not an opt-out after all: messages flow again


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Not interested, thanks", ("stopped", "not_interested")),
        ("how much is it?", ("active", None)),  # a plain reply keeps it going
    ],
)
def test_not_interested_stops_a_drip_that_does_not_stop_on_reply(db, workspace, text, expected):
    shop = make_shop(db, workspace.id)
    contact = customer(db, shop, PHONE)
    keeps = drip(db, shop, contact.id, stop_on_reply=False)
    reply(db, shop, PHONE, text)
    enrollment = db.scalars(select(Enrollment).where(Enrollment.campaign_id == keeps)).one()
    assert (enrollment.state, enrollment.state_reason) == expected


def test_classifier_failure_keeps_the_message_and_sends_it_to_review(db, workspace, monkeypatch):
    async def broken(*args, **kwargs):
        raise RuntimeError("model file missing")

    monkeypatch.setattr(processing, "classify_reply", broken)
    shop = make_shop(db, workspace.id)
    contact = customer(db, shop, PHONE)
    stored = reply(db, shop, PHONE, "how much is it?")
    assert stored.body == "how much is it?" and stored.status == "received"
    assert "model file missing" in stored.classification["error"]
    item = review_of(db, stored.id)
    assert item is not None and item.reason == "classification_failed"
    assert answers(db, contact.id) == []


def test_each_reply_is_acted_on_once_even_when_handed_over_twice(db, workspace):
    shop = make_shop(db, workspace.id)
    contact = customer(db, shop, PHONE)
    stored = reply(db, shop, PHONE, "how much is it?")
    assert processing.process_replies([stored.id, stored.id]) == 0  # already classified
    assert len(answers(db, contact.id)) == 1


def test_sweep_classifies_replies_the_ingesting_worker_missed(db, workspace, monkeypatch):
    from app.core.config import settings
    from app.messaging.models import Message
    from app.replies.tasks import classify_pending

    shop = make_shop(db, workspace.id)
    contact = customer(db, shop, PHONE)
    monkeypatch.setattr(settings, "AI_REPLY_CLASSIFICATION_ENABLED", False)
    stored = reply(db, shop, PHONE, "how much is it?")
    assert stored.classification is None
    monkeypatch.setattr(settings, "AI_REPLY_CLASSIFICATION_ENABLED", True)
    assert classify_pending() == 0  # too fresh: the ingesting worker may still be on it
    stored.created_at = utcnow() - timedelta(minutes=2)
    db.commit()
    assert classify_pending() == 1
    db.expire_all()
    assert db.get(Message, stored.id).intent == "pricing"
    assert len(answers(db, contact.id)) == 1


def test_lead_score_moves_on_reply_and_drops_on_opt_out(db, workspace):
    shop = make_shop(db, workspace.id)
    contact = customer(db, shop, PHONE)
    assert contact.lead_score is None
    reply(db, shop, PHONE, "Yes, I'm interested! Can you send me details?")
    db.refresh(contact)
    first = contact.lead_score
    assert first is not None and first > 0
    reply(db, shop, PHONE, "how much is it?")
    db.refresh(contact)
    engaged = contact.lead_score
    assert engaged >= first
    reply(db, shop, PHONE, "STOP")
    db.refresh(contact)
    assert contact.lead_score < engaged and contact.lead_tier == "cold"  # at once, not hourly


def test_a_read_status_moves_the_readers_lead_score(db, workspace, monkeypatch):
    """The reader's score moves in a task on the analytics queue (run eagerly here, in
    this process, through Celery's own eager mode)."""
    import orjson

    from app.inbound.service import receive_webhook, sign
    from app.inbound.tasks import process_pending_webhooks
    from app.messaging.models import Message
    from app.workers.celery_app import celery_app
    from tests.test_ingest import status_payload

    shop = make_shop(db, workspace.id)
    contact = customer(db, shop, PHONE)
    sent = Message(
        workspace_id=shop.workspace_id,
        contact_id=contact.id,
        sender_id=shop.sender_id,
        direction="outbound",
        type="text",
        body="Hi",
        status="delivered",
        wamid="wamid.READ1",
        sent_at=utcnow(),
    )
    db.add(sent)
    db.commit()
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    payload = status_payload("read", wamid="wamid.READ1", at=int(utcnow().timestamp()))
    payload["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = shop.pnid
    raw = orjson.dumps(payload)
    receive_webhook(db=db, raw_body=raw, signature=sign(raw))
    db.commit()
    process_pending_webhooks(older_than_seconds=0)
    db.expire_all()
    assert db.get(Message, sent.id).status == "read"
    contact = db.get(Contact, contact.id)
    assert contact.lead_score is not None and contact.lead_scored_at is not None


def test_rule_with_null_response_answers_nothing_and_needs_no_review(db, workspace):
    from app.replies import service
    from app.replies.schemas import RuleIn

    shop = make_shop(db, workspace.id)
    service.put_rule(
        db=db, workspace_id=shop.workspace_id, intent="pricing", data=RuleIn(response=None)
    )
    db.commit()
    contact = customer(db, shop, PHONE)
    stored = reply(db, shop, PHONE, "how much is it?")
    assert answers(db, contact.id) == []
    assert review_of(db, stored.id) is None
    assert PRICING_TEXT  # the default rule text was replaced


@pytest.mark.parametrize(
    ("confidence", "expected"),
    [(40, (None, "low_confidence", "low_confidence")), (90, ("$49", None, "answered"))],
)
def test_decide_answers_only_above_the_confidence_threshold(confidence, expected):
    from app.ai.classifier.schemas import AutoResponse, Classification
    from app.replies.models import AutoResponseRule
    from app.replies.service import Effective

    cls = Classification(
        intent="pricing",
        sentiment="neutral",
        confidence=confidence,
        key_phrases=[],
        suggested_action="",
        urgency="low",
        auto_response=AutoResponse(
            should_respond=False, suggested_response=None, requires_human_review=True
        ),
        language="en",
        opt_out=False,
    )
    decision = processing.decide(
        classification=cls,
        rule_opt_out=False,
        opted_out_before=False,
        confirmation_sent=False,
        cfg=Effective(auto_respond=True, confidence_threshold=70),
        rule=AutoResponseRule(intent="pricing", response="$49", enabled=True),
        in_window=True,
        answered_recently=False,
    )
    assert (decision.answer, decision.review, decision.why) == expected
