"""The sending pipeline in this process (real PostgreSQL, real Redis, the fake Graph API on
loopback): policy at send time, error handling per Cloud API code, pacing, retries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.campaigns.models import Campaign
from app.contacts.models import Contact
from app.core.config import settings
from app.core.db import utcnow
from app.messaging.models import Message, MessageEvent
from app.outbound.dispatch import run_dispatch
from app.senders.models import SenderNumber
from tests.engine_support import make_campaign, make_contacts, status_counts
from tests.fakes.graph_api import graph_api_fixture  # noqa: F401  (fixture "graph_api")
from tests.support.factories import make_sender


@pytest.fixture(autouse=True)
def _engine_settings(monkeypatch, redis_client):
    """No delays, no quiet hours; empty throttle windows (sender ids restart at 1)."""
    monkeypatch.setattr(settings, "MESSAGE_DELAY_MIN", 0)
    monkeypatch.setattr(settings, "MESSAGE_DELAY_MAX", 0)
    monkeypatch.setattr(settings, "QUIET_HOURS_ENABLED", False)
    monkeypatch.setattr(settings, "WARMUP_ENABLED", True)
    yield


def big_sender(db, workspace_id, **fields):
    values = {"messaging_tier": "TIER_UNLIMITED", "max_per_hour": 10_000, "max_per_day": 100_000}
    return make_sender(db, workspace_id, **{**values, **fields})


def fresh(db):
    """Forget what the test session cached: the engine changed rows in other sessions."""
    db.rollback()
    db.expire_all()


def rows(db, campaign_id):
    fresh(db)
    return list(
        db.scalars(select(Message).where(Message.campaign_id == campaign_id).order_by(Message.id))
    )


def test_broadcast_sends_each_once_with_our_id(db, workspace, graph_api):
    sender = big_sender(db, workspace.id)
    contacts = make_contacts(db, workspace.id, 30)
    cid = make_campaign(db, workspace.id, sender.id, contacts, metadata={"x": 1})

    result = run_dispatch(sender_id=sender.id)

    assert result.sent == 30
    sent = rows(db, cid)
    assert {m.status for m in sent} == {"sent"}
    assert all(m.wamid and m.sent_at and m.attempts == 1 for m in sent)
    assert sent[0].body == "Hi Contact 0!"
    seen = {r["callback_data"]: r for r in graph_api.requests()}
    assert set(seen) == {str(m.id) for m in sent}
    assert graph_api.stats()["duplicate_count"] == 0
    assert seen[str(sent[0].id)]["to"] == "447400000000"
    fresh(db)
    assert db.get(Campaign, cid).status == "completed"
    # A second dispatcher finds nothing: nothing is ever sent twice.
    assert run_dispatch(sender_id=sender.id).processed == 0
    assert len(graph_api.requests()) == 30


def test_policy_is_checked_at_send_time(db, workspace, graph_api):
    sender = big_sender(db, workspace.id)
    contacts = make_contacts(db, workspace.id, 4)
    cid = make_campaign(db, workspace.id, sender.id, contacts)
    now = utcnow()
    # After the campaign started: one opts out, one loses consent, one's window closes.
    db.execute(update(Contact).where(Contact.id == contacts[0]).values(opted_out_at=now))
    db.execute(update(Contact).where(Contact.id == contacts[1]).values(opted_in_at=None))
    db.execute(
        update(Contact)
        .where(Contact.id == contacts[2])
        .values(last_inbound_at=now - timedelta(hours=25))
    )
    db.commit()

    run_dispatch(sender_id=sender.id)

    by_contact = {m.contact_id: m for m in rows(db, cid)}
    assert (by_contact[contacts[0]].status, by_contact[contacts[0]].skip_reason) == (
        "skipped",
        "opted_out",
    )
    assert by_contact[contacts[1]].skip_reason == "not_opted_in"
    assert by_contact[contacts[2]].status == "skipped"
    assert by_contact[contacts[2]].skip_reason == "outside_service_window"
    assert by_contact[contacts[3]].status == "sent"
    assert [r["to"] for r in graph_api.requests()] == ["4474" + "00000003"]


def test_template_goes_outside_the_window(db, workspace, graph_api):
    from tests.support.factories import make_template

    sender = big_sender(db, workspace.id)
    template = make_template(db, workspace.id, category="UTILITY")
    contacts = make_contacts(db, workspace.id, 2, in_window=False)
    cid = make_campaign(
        db,
        workspace.id,
        sender.id,
        contacts,
        message_template=None,
        template_id=template.id,
        template_params=["{name}", "A-1"],
    )
    run_dispatch(sender_id=sender.id)
    assert {m.status for m in rows(db, cid)} == {"sent"}
    sent = graph_api.requests()
    assert sent[0]["type"] == "template" and sent[0]["template"]["name"] == template.name


def _zone_with_local_hour(hours: set[int]) -> str:
    now = utcnow()
    for offset in range(-12, 15):
        name = f"Etc/GMT{'+' if offset <= 0 else '-'}{abs(offset)}"
        from zoneinfo import ZoneInfo

        if now.astimezone(ZoneInfo(name)).hour in hours:
            return name
    raise AssertionError("no zone found")


def test_quiet_hours_defer_to_next_allowed_local_time(db, workspace, graph_api, monkeypatch):
    monkeypatch.setattr(settings, "QUIET_HOURS_ENABLED", True)
    sender = big_sender(db, workspace.id)
    contacts = make_contacts(db, workspace.id, 2)
    night = _zone_with_local_hour({2, 3})
    day = _zone_with_local_hour({12, 13})
    db.execute(update(Contact).where(Contact.id == contacts[0]).values(timezone=night))
    db.execute(update(Contact).where(Contact.id == contacts[1]).values(timezone=day))
    db.commit()
    cid = make_campaign(db, workspace.id, sender.id, contacts)

    run_dispatch(sender_id=sender.id)

    by_contact = {m.contact_id: m for m in rows(db, cid)}
    quiet = by_contact[contacts[0]]
    assert quiet.status == "queued" and quiet.attempts == 0
    from zoneinfo import ZoneInfo

    local = quiet.next_attempt_at.astimezone(ZoneInfo(night))
    assert (local.hour, local.minute) == (9, 0)
    assert timedelta(hours=4) < quiet.next_attempt_at - utcnow() < timedelta(hours=8)
    assert by_contact[contacts[1]].status == "sent"
    assert len(graph_api.requests()) == 1


def test_throughput_error_retries_with_backoff_then_succeeds(db, workspace, graph_api):
    sender = big_sender(db, workspace.id)
    contacts = make_contacts(db, workspace.id, 1)
    cid = make_campaign(db, workspace.id, sender.id, contacts)
    graph_api.script(code=130429, times=1)

    run_dispatch(sender_id=sender.id)
    (m,) = rows(db, cid)
    assert (m.status, m.error_code, m.attempts) == ("queued", "130429", 1)
    wait = m.next_attempt_at - utcnow()
    assert timedelta(minutes=1, seconds=50) < wait <= timedelta(minutes=2)
    assert run_dispatch(sender_id=sender.id).processed == 0  # not due yet

    db.execute(update(Message).values(next_attempt_at=utcnow()))
    db.commit()
    run_dispatch(sender_id=sender.id)
    (m,) = rows(db, cid)
    assert (m.status, m.attempts, m.error_code) == ("sent", 2, None)
    events = db.scalars(select(MessageEvent.event).where(MessageEvent.message_id == m.id)).all()
    assert list(events) == ["retry_scheduled", "sent"]


def test_retries_are_bounded_then_failed(db, workspace, graph_api):
    sender = big_sender(db, workspace.id)
    contacts = make_contacts(db, workspace.id, 1)
    cid = make_campaign(db, workspace.id, sender.id, contacts)
    graph_api.script(code=131000, times=10)
    for _ in range(settings.SEND_MAX_RETRIES + 1):
        db.execute(update(Message).values(next_attempt_at=utcnow()))
        db.commit()
        run_dispatch(sender_id=sender.id)
    (m,) = rows(db, cid)
    assert (m.status, m.error_code, m.attempts) == ("failed", "131000", 4)
    assert len(graph_api.requests()) == settings.SEND_MAX_RETRIES + 1


def test_permanent_errors_fail_with_code(db, workspace, graph_api):
    sender = big_sender(db, workspace.id)
    contacts = make_contacts(db, workspace.id, 3)
    cid = make_campaign(db, workspace.id, sender.id, contacts)
    graph_api.script(to="447400000000", code=131026)
    graph_api.script(to="447400000001", code=131050)

    run_dispatch(sender_id=sender.id)

    by_contact = {m.contact_id: m for m in rows(db, cid)}
    assert (by_contact[contacts[0]].status, by_contact[contacts[0]].error_code) == (
        "failed",
        "131026",
    )
    assert by_contact[contacts[0]].failed_at is not None
    assert by_contact[contacts[1]].error_code == "131050"
    assert db.get(Contact, contacts[1]).marketing_opted_out_at is not None
    assert db.get(Contact, contacts[0]).marketing_opted_out_at is None
    assert by_contact[contacts[2]].status == "sent"


def test_timeout_is_unknown_and_never_resent(db, workspace, graph_api, monkeypatch):
    monkeypatch.setattr(settings, "WHATSAPP_REQUEST_TIMEOUT", 1.0)
    from app.outbound import asyncloop

    monkeypatch.setattr(asyncloop._local, "providers", {}, raising=False)
    sender = big_sender(db, workspace.id)
    contacts = make_contacts(db, workspace.id, 1)
    cid = make_campaign(db, workspace.id, sender.id, contacts)
    graph_api.script(kind="slow", delay_ms=3000)

    run_dispatch(sender_id=sender.id)
    (m,) = rows(db, cid)
    assert m.status == "unknown"
    db.execute(update(Message).values(next_attempt_at=utcnow()))
    db.commit()
    run_dispatch(sender_id=sender.id)
    from app.outbound.reconcile import reconcile

    reconcile()
    assert len(graph_api.requests()) == 1
    assert rows(db, cid)[0].status == "unknown"


def test_spam_limit_pauses_number_and_campaigns(db, workspace, graph_api, monkeypatch):
    monkeypatch.setattr(settings, "SEND_CONCURRENCY", 1)
    sender = big_sender(db, workspace.id)
    contacts = make_contacts(db, workspace.id, 5)
    cid = make_campaign(db, workspace.id, sender.id, contacts)
    graph_api.script(to="447400000001", code=131048)

    run_dispatch(sender_id=sender.id)

    fresh(db)
    number = db.get(SenderNumber, sender.id)
    assert number.status == "paused" and "131048" in number.status_reason
    campaign = db.get(Campaign, cid)
    assert campaign.status == "paused" and "131048" in campaign.status_reason
    counts = status_counts(db, cid)
    assert counts == {"sent": 1, "queued": 4}  # the blocked one and the rest were not sent
    blocked = next(m for m in rows(db, cid) if m.contact_id == contacts[1])
    assert (blocked.error_code, blocked.attempts) == ("131048", 0)
    assert run_dispatch(sender_id=sender.id).processed == 0


def test_policy_block_blocks_the_number(db, workspace, graph_api):
    sender = big_sender(db, workspace.id)
    cid = make_campaign(db, workspace.id, sender.id, make_contacts(db, workspace.id, 1))
    graph_api.script(code=368)
    run_dispatch(sender_id=sender.id)
    fresh(db)
    assert db.get(SenderNumber, sender.id).status == "blocked"
    assert db.get(Campaign, cid).status == "paused"


def test_marketing_limit_defers_a_day_then_gives_up(db, workspace, graph_api):
    sender = big_sender(db, workspace.id)
    cid = make_campaign(db, workspace.id, sender.id, make_contacts(db, workspace.id, 1))
    graph_api.script(code=131049, times=5)

    run_dispatch(sender_id=sender.id)
    (m,) = rows(db, cid)
    assert (m.status, m.error_code) == ("queued", "131049")
    assert timedelta(hours=23, minutes=59) < m.next_attempt_at - utcnow() <= timedelta(days=1)
    assert m.first_deferred_at is not None

    # Seven days after the first deferral it is failed, not retried forever.
    db.execute(
        update(Message).values(
            next_attempt_at=utcnow(), first_deferred_at=utcnow() - timedelta(days=7)
        )
    )
    db.commit()
    run_dispatch(sender_id=sender.id)
    (m,) = rows(db, cid)
    assert (m.status, m.error_code) == ("failed", "131049")


def test_warmup_day_one_allows_exactly_20(db, workspace, graph_api):
    sender = big_sender(db, workspace.id, warmup_started_on=utcnow().date())
    sender.max_per_hour = None
    db.commit()
    cid = make_campaign(db, workspace.id, sender.id, make_contacts(db, workspace.id, 35))

    run_dispatch(sender_id=sender.id)
    run_dispatch(sender_id=sender.id)

    counts = status_counts(db, cid)
    assert counts == {"sent": 20, "queued": 15}
    waiting = [m for m in rows(db, cid) if m.status == "queued"]
    assert all(m.next_attempt_at > utcnow() + timedelta(hours=23) for m in waiting)
    assert all(m.attempts == 0 for m in waiting)
    assert len(graph_api.requests()) == 20


def test_caps_rebuilt_from_the_database_after_redis_loss(db, workspace, graph_api, redis_client):
    sender = big_sender(db, workspace.id, max_per_hour=10)
    contacts = make_contacts(db, workspace.id, 25)
    cid = make_campaign(db, workspace.id, sender.id, contacts[:6])
    run_dispatch(sender_id=sender.id)
    assert status_counts(db, cid) == {"sent": 6}
    assert redis_client.keys("throttle:*")

    redis_client.flushdb()  # Redis lost every counter
    cid2 = make_campaign(db, workspace.id, sender.id, contacts[6:])
    run_dispatch(sender_id=sender.id)

    assert status_counts(db, cid2) == {"sent": 4, "queued": 15}
    assert len(graph_api.requests()) == 10


def test_db_store_holds_caps_without_redis(db, workspace, graph_api, monkeypatch):
    from app.pacing import throttle

    monkeypatch.setattr(settings, "REDIS_URL", None)
    monkeypatch.setattr(throttle, "_stores", {})
    sender = big_sender(db, workspace.id, max_per_hour=7)
    cid = make_campaign(db, workspace.id, sender.id, make_contacts(db, workspace.id, 12))
    run_dispatch(sender_id=sender.id)
    run_dispatch(sender_id=sender.id)
    assert status_counts(db, cid) == {"sent": 7, "queued": 5}
    assert len(graph_api.requests()) == 7


def test_send_message_task_sends_one_row(db, workspace, graph_api):
    from app.outbound.tasks import send_message

    sender = big_sender(db, workspace.id)
    cid = make_campaign(db, workspace.id, sender.id, make_contacts(db, workspace.id, 3))
    first = rows(db, cid)[0]
    assert send_message.run(first.id) is True
    assert send_message.run(first.id) is False  # already final: nothing is sent twice
    assert status_counts(db, cid) == {"sent": 1, "queued": 2}
    assert [r["callback_data"] for r in graph_api.requests()] == [str(first.id)]
