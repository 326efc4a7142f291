"""Meta's messaging-limit window (SPEC §6) in both throttle stores (real Redis, real
PostgreSQL): shared by every number of a business portfolio (WABA), a contact counted for 24 h
after its latest send, releases that keep contacts other slots still hold, and windows kept by
Redis's clock rather than each worker's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from app.core.config import settings
from app.core.db import utcnow
from app.messaging.models import Message
from app.outbound.dispatch import run_dispatch
from app.pacing import Slot, throttle
from app.pacing.redis_store import RedisThrottle, keys
from app.senders.limits import Caps
from tests.engine_support import make_campaign, make_contacts, status_counts
from tests.fakes.graph_api import graph_api_fixture  # noqa: F401  (fixture "graph_api")
from tests.support.engine import engine_settings  # noqa: F401  (autouse fixture)
from tests.support.factories import make_sender, make_template


def caps(*, hourly=100, daily=100, tier=2):
    return Caps(hourly=hourly, daily=daily, warmup_day=None, warmup_cap=None, tier_cap=tier)


@pytest.fixture
def store():
    return RedisThrottle(settings.REDIS_URL)


def server_ms(redis_client):
    seconds, micros = redis_client.time()
    return seconds * 1000 + micros // 1000


def test_release_keeps_a_contact_another_slot_holds(db, store, redis_client):
    now = utcnow()
    granted = store.reserve(
        db=db, sender_id=7, caps=caps(), slots=[Slot(1, 50), Slot(2, 50)], now=now
    )
    assert granted == {1: True, 2: True}  # both hold contact 50 (one tier place)
    store.release(sender_id=7, slots=[Slot(1, 50)], granted=granted)  # 1 failed, 2 was sent
    store.release(sender_id=7, slots=[Slot(1, 50)], granted=granted)  # a repeat changes nothing
    # Contact 50 is still counted: one place left under a tier of 2.
    more = store.reserve(db=db, sender_id=7, caps=caps(), slots=[Slot(3, 51), Slot(4, 52)], now=now)
    assert more == {3: True}
    # Once nothing holds 50 any more, its place is free again.
    store.release(sender_id=7, slots=[Slot(2, 50)], granted=granted)
    assert store.reserve(db=db, sender_id=7, caps=caps(), slots=[Slot(4, 52)], now=now) == {4: True}


def test_tier_window_is_shared_by_the_portfolio(db, store):
    now = utcnow()
    a = store.reserve(
        db=db, sender_id=1, caps=caps(), slots=[Slot(1, 10), Slot(2, 11)], now=now, portfolio="W"
    )
    assert a == {1: True, 2: True}
    # Another number of the same WABA: the portfolio reached its 2 users.
    b = store.reserve(
        db=db, sender_id=2, caps=caps(), slots=[Slot(3, 12), Slot(4, 10)], now=now, portfolio="W"
    )
    assert b == {4: True}  # contact 10 was already reached: no new place needed
    usage = store.usage(db=db, sender_id=2, now=now, portfolio="W")
    assert (len(usage.hour), len(usage.recipients)) == (1, 2)
    # A number of another portfolio, and one without a WABA, have their own windows.
    assert store.reserve(
        db=db, sender_id=3, caps=caps(), slots=[Slot(5, 12)], now=now, portfolio="X"
    ) == {5: True}
    assert store.reserve(db=db, sender_id=4, caps=caps(), slots=[Slot(6, 12)], now=now) == {6: True}


def test_latest_send_refreshes_the_contact(db, store, redis_client):
    now = utcnow()
    store.reserve(db=db, sender_id=7, caps=caps(), slots=[Slot(1, 50)], now=now)
    recipients = keys(7)[2]
    # Contact 50 was first reached 23.5 h ago (by Redis's clock) ...
    old = server_ms(redis_client) - int(23.5 * 3600 * 1000)
    redis_client.zadd(recipients, {"50": old}, xx=True)
    # ... and is messaged again now: it stays counted for the next 24 h, not 30 minutes.
    assert store.reserve(db=db, sender_id=7, caps=caps(), slots=[Slot(2, 50)], now=now) == {2: True}
    assert redis_client.zscore(recipients, "50") >= server_ms(redis_client) - 5_000


def test_windows_use_the_redis_clock_not_the_workers(db, store, redis_client):
    """A worker whose clock is 2 h behind must not stamp its slot outside the hour window
    (a correct worker would then trim it and send past the hourly cap)."""
    one = caps(hourly=1, tier=None)
    late = utcnow() - timedelta(hours=2)
    assert store.reserve(db=db, sender_id=7, caps=one, slots=[Slot(1, 50)], now=late) == {1: True}
    assert store.reserve(db=db, sender_id=7, caps=one, slots=[Slot(2, 51)], now=utcnow()) == {}
    stamp = redis_client.zscore(keys(7)[0], "1")
    assert abs(stamp - server_ms(redis_client)) < 5_000


@pytest.mark.parametrize("backend", ["redis", "db"])
def test_portfolio_tier_holds_across_numbers(db, workspace, graph_api, monkeypatch, backend):
    """Number A of WABA W reached 250 users today (TIER_250): number B of W sends to nobody
    new, number C of another WABA still can (Redis rebuilds the window from the database)."""
    if backend == "db":
        monkeypatch.setattr(settings, "REDIS_URL", None)
    monkeypatch.setattr(throttle, "_stores", {})
    tier = {"messaging_tier": "TIER_250", "max_per_hour": 10_000, "max_per_day": 10_000}
    a = make_sender(db, workspace.id, "100000000000001", waba_id="W", **tier)
    b = make_sender(db, workspace.id, "100000000000002", waba_id="W", **tier)
    c = make_sender(db, workspace.id, "100000000000003", waba_id="X", **tier)
    template = make_template(db, workspace.id, category="UTILITY")
    contacts = make_contacts(db, workspace.id, 256, in_window=False)
    fields = {"message_template": None, "template_id": template.id}
    fields["template_params"] = ["{name}", "A-1"]
    reached = make_campaign(db, workspace.id, a.id, contacts[:250], **fields)
    sent_at = utcnow() - timedelta(hours=3)
    db.execute(
        update(Message)
        .where(Message.campaign_id == reached)
        .values(status="sent", sent_at=sent_at, claimed_at=sent_at)
    )
    db.commit()

    to_b = make_campaign(db, workspace.id, b.id, contacts[250:253], **fields)
    to_c = make_campaign(db, workspace.id, c.id, contacts[253:], **fields)
    run_dispatch(sender_id=b.id)
    run_dispatch(sender_id=c.id)

    assert status_counts(db, to_b) == {"queued": 3}
    assert status_counts(db, to_c) == {"sent": 3}
    assert len(graph_api.requests()) == 3
