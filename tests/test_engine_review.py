"""Regression tests for the engine defects of issue 13 (real PostgreSQL, real Redis, the
loopback Graph API): contact deletion during a send, caps given back by deletion, resends
after a failed status, worker/Redis clock skew, orphaned rows of cancelled campaigns, the tier
counted per recipient outside the window, and an ambiguous results commit."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.campaigns import service as campaigns
from app.contacts import service as contacts_service
from app.contacts.models import Contact
from app.core.config import settings
from app.core.db import get_sessionmaker, utcnow
from app.messaging.models import Message, MessageEvent
from app.outbound import dispatch as dispatch_module
from app.outbound import pipeline as pipeline_module
from app.outbound.dispatch import claim, claim_next, run_dispatch
from app.outbound.pipeline import process_batch
from app.outbound.reconcile import due_senders, reconcile
from app.pacing import get_throttle
from app.pacing.redis_store import keys
from tests.engine_support import make_campaign, make_contacts
from tests.fakes.graph_api import graph_api_fixture  # noqa: F401  (fixture "graph_api")
from tests.support.engine import engine_settings  # noqa: F401  (autouse fixture)
from tests.support.factories import make_template
from tests.test_engine_pipeline import _zone_with_local_hour, big_sender, fresh, rows
from tests.test_ingest import deliver
from tests.test_webhook_failures import failed


def _erase(workspace_id: int, contact_id: int) -> None:
    with get_sessionmaker()() as s:
        contacts_service.delete_contact(db=s, workspace_id=workspace_id, contact_id=contact_id)
        s.commit()


def _pacing(monkeypatch, store: str) -> None:
    """The throttle store under test (no REDIS_URL: the database store); no warm-up cap."""
    if store == "db":
        monkeypatch.setattr(settings, "REDIS_URL", None)
    monkeypatch.setattr(settings, "WARMUP_ENABLED", False)


# --- 1. deleting a contact during a send ------------------------------------------------------


def test_contact_erased_between_claim_and_batch_is_recorded_and_the_rest_too(
    db, workspace, graph_api, monkeypatch
):
    monkeypatch.setattr(settings, "QUIET_HOURS_ENABLED", True)
    sender = big_sender(db, workspace.id)
    ids = make_contacts(db, workspace.id, 3)
    night, day = _zone_with_local_hour({2, 3}), _zone_with_local_hour({12, 13})
    db.execute(update(Contact).where(Contact.id == ids[1]).values(timezone=night))
    db.execute(update(Contact).where(Contact.id.in_([ids[0], ids[2]])).values(timezone=day))
    db.commit()
    cid = make_campaign(db, workspace.id, sender.id, ids)
    throttle = get_throttle()
    info, claimed = claim_next(sender_id=sender.id, throttle=throttle, limit=10)
    assert len(claimed) == 3

    _erase(workspace.id, ids[0])  # DELETE /contacts/{id} commits between claim and batch
    report = process_batch(sender=info, rows=claimed, throttle=throttle)

    assert [r["to"] for r in graph_api.requests()] == ["447400000002"]
    by_id = {m.id: m for m in rows(db, cid)}
    erased, deferred, sent = (by_id[r.id] for r in claimed)
    assert (erased.contact_id, erased.status, erased.skip_reason) == (
        None,
        "skipped",
        "contact_deleted",
    )
    assert (deferred.status, deferred.attempts) == ("queued", 0)  # quiet hours: waits, not lost
    assert deferred.next_attempt_at > utcnow()
    assert sent.status == "sent" and sent.wamid
    assert report.sent == 1
    reconcile(now=utcnow() + timedelta(minutes=16))
    assert [m.status for m in rows(db, cid)] == ["skipped", "queued", "sent"]


def test_contact_erased_while_requests_are_in_flight_loses_nothing(db, workspace, graph_api):
    sender = big_sender(db, workspace.id)
    ids = make_contacts(db, workspace.id, 5)
    cid = make_campaign(db, workspace.id, sender.id, ids)
    graph_api.script(kind="slow", delay_ms=1500, to="447400000000")
    throttle = get_throttle()
    info, claimed = claim_next(sender_id=sender.id, throttle=throttle, limit=10)
    done = threading.Event()

    def erase_later() -> None:
        time.sleep(0.5)  # while the requests are in flight
        _erase(workspace.id, ids[0])  # waits for the batch's share lock
        done.set()

    worker = threading.Thread(target=erase_later)
    worker.start()
    report = process_batch(sender=info, rows=claimed, throttle=throttle)
    worker.join(10)

    assert done.is_set() and report.sent == 5
    kept = rows(db, cid)
    assert len(kept) == 5 and all(m.status == "sent" and m.wamid for m in kept)
    erased = [m for m in kept if m.contact_id is None]
    assert len(erased) == 1 and erased[0].body is None  # the fact stays, the text does not
    assert db.get(Contact, ids[0]) is None


# --- 2. deleting contacts gives back no cap ---------------------------------------------------


@pytest.mark.parametrize("store", ["db", "redis_rebuilt"])
def test_erasing_reached_contacts_frees_no_cap(
    db, workspace, graph_api, monkeypatch, redis_client, store
):
    _pacing(monkeypatch, store)
    sender = big_sender(db, workspace.id, max_per_hour=5, max_per_day=5)
    ids = make_contacts(db, workspace.id, 10)
    cid = make_campaign(db, workspace.id, sender.id, ids)
    assert run_dispatch(sender_id=sender.id).sent == 5
    for contact_id in [m.contact_id for m in rows(db, cid) if m.status == "sent"]:
        _erase(workspace.id, contact_id)
    if store == "redis_rebuilt":
        redis_client.flushdb()  # Redis restarted without persistence: rebuilt from the rows
    db.execute(update(Message).where(Message.status == "queued").values(next_attempt_at=utcnow()))
    db.commit()

    assert run_dispatch(sender_id=sender.id).sent == 0
    assert len(graph_api.requests()) == 5
    assert Counter(m.status for m in rows(db, cid)) == {"sent": 5, "queued": 5}


# --- 3. a resend after a webhook requeue is counted -------------------------------------------


@pytest.mark.parametrize("store", ["redis", "db", "redis_rebuilt"])
def test_resend_after_failed_status_counts_again(
    db, workspace, graph_api, monkeypatch, redis_client, store
):
    _pacing(monkeypatch, store)
    sender = big_sender(db, workspace.id, max_per_hour=3, max_per_day=1000)
    ids = make_contacts(db, workspace.id, 4)
    cid = make_campaign(db, workspace.id, sender.id, ids[:2])
    assert run_dispatch(sender_id=sender.id).sent == 2
    first = rows(db, cid)[0]
    deliver(db, failed(sender.phone_number_id, first.wamid, first.id, 131056))  # pair limit
    fresh(db)
    requeued = db.get(Message, first.id)
    assert (requeued.status, requeued.past_sends) == ("queued", 1)
    assert requeued.past_sent_at is not None
    db.execute(update(Message).where(Message.id == first.id).values(next_attempt_at=utcnow()))
    db.commit()  # its backoff elapsed, still within the hour
    if store == "redis_rebuilt":
        redis_client.flushdb()
    make_campaign(db, workspace.id, sender.id, ids[2:], name="second")

    result = run_dispatch(sender_id=sender.id)

    # The failed send still holds its place in the hour: 2 sends + 1 more make the cap of 3
    # (before the fix the resend passed as "known" and 4 went out).
    assert result.sent == 1
    assert len(graph_api.requests()) == 3


# --- 4. a worker clock ahead of Redis ---------------------------------------------------------


def test_worker_clock_ahead_of_redis_defers_once_instead_of_spinning(
    db, workspace, graph_api, monkeypatch, redis_client
):
    monkeypatch.setattr(settings, "WARMUP_ENABLED", False)
    sender = big_sender(db, workspace.id, max_per_hour=5, max_per_day=1000)
    make_campaign(db, workspace.id, sender.id, make_contacts(db, workspace.id, 10))
    assert run_dispatch(sender_id=sender.id).sent == 5
    sec, usec = redis_client.time()
    redis_now_ms = sec * 1000 + usec // 1000
    hour_key = keys(sender.id)[0]
    for member in redis_client.zrange(hour_key, 0, -1):  # they leave Redis's hour in 20 s
        redis_client.zadd(hour_key, {member: redis_now_ms - 3_600_000 + 20_000})
    db.execute(update(Message).where(Message.status == "queued").values(next_attempt_at=utcnow()))
    db.commit()
    real = dispatch_module.utcnow
    skew = timedelta(seconds=30)  # the worker's clock runs 30 s ahead of Redis's
    monkeypatch.setattr(dispatch_module, "utcnow", lambda: real() + skew)
    monkeypatch.setattr(pipeline_module, "utcnow", lambda: real() + skew)
    deferred = (
        select(func.count()).select_from(MessageEvent).where(MessageEvent.event == "deferred")
    )
    before = db.scalar(deferred)

    result = run_dispatch(sender_id=sender.id, budget_seconds=2)

    fresh(db)
    assert (result.sent, result.processed, result.more) == (0, 0, False)
    assert db.scalar(deferred) == before  # deferred in one statement, no claim/defer loop
    due = db.scalars(select(Message.next_attempt_at).where(Message.status == "queued")).all()
    # room again when Redis's window frees it: ~20 s on Redis's clock = ~50 s on the worker's
    assert all(timedelta(seconds=40) < d - real() < timedelta(seconds=60) for d in due)


# --- 5. a cancelled campaign keeps no row queued ----------------------------------------------


def test_failed_status_after_cancel_cancels_the_row(db, workspace, graph_api):
    sender = big_sender(db, workspace.id)
    cid = make_campaign(db, workspace.id, sender.id, make_contacts(db, workspace.id, 2))
    throttle = get_throttle()
    info, claimed = claim_next(sender_id=sender.id, throttle=throttle, limit=1)
    process_batch(sender=info, rows=claimed, throttle=throttle)
    campaigns.cancel_campaign(db=db, workspace_id=workspace.id, campaign_id=cid)
    db.commit()
    sent = rows(db, cid)[0]

    deliver(db, failed(sender.phone_number_id, sent.wamid, sent.id, 131049))

    fresh(db)
    row = db.get(Message, sent.id)
    assert (row.status, row.skip_reason) == ("cancelled", "campaign_cancelled")
    assert {m.status for m in rows(db, cid)} == {"cancelled"}
    assert campaigns.get_campaign(db=db, workspace_id=workspace.id, campaign_id=cid).status == (
        "cancelled"
    )


def test_reconciler_cancels_rows_requeued_after_a_cancel(db, workspace, graph_api):
    sender = big_sender(db, workspace.id)
    cid = make_campaign(db, workspace.id, sender.id, make_contacts(db, workspace.id, 2))
    campaigns.cancel_campaign(db=db, workspace_id=workspace.id, campaign_id=cid)
    db.commit()
    # a 130429 answer of a batch checked before the cancel committed put one back
    db.execute(
        update(Message)
        .where(Message.campaign_id == cid)
        .values(status="queued", skip_reason=None, next_attempt_at=utcnow())
    )
    db.commit()

    report = reconcile()

    assert report.cancelled_orphans == 2
    assert {m.status for m in rows(db, cid)} == {"cancelled"}
    assert due_senders(now=utcnow() + timedelta(days=2)) == []


# --- 6. the tier counts recipients outside their window, not messages -------------------------


@pytest.mark.parametrize("store", ["redis", "db"])
def test_tier_ignores_in_window_messages(db, workspace, graph_api, monkeypatch, store):
    _pacing(monkeypatch, store)
    sender = big_sender(db, workspace.id, messaging_tier="TIER_50")
    inside = make_contacts(db, workspace.id, 60, in_window=True)
    outside = make_contacts(db, workspace.id, 60, in_window=False, first=100)
    cid = make_campaign(db, workspace.id, sender.id, inside)
    assert run_dispatch(sender_id=sender.id).sent == 60  # all replied < 24 h ago
    assert {m.outside_window for m in rows(db, cid)} == {False}
    template = make_template(db, workspace.id, category="UTILITY")
    tid = make_campaign(
        db,
        workspace.id,
        sender.id,
        outside,
        name="templated",
        message_template=None,
        template_id=template.id,
        template_params=["{name}", "A-1"],
    )

    run_dispatch(sender_id=sender.id)

    counts = Counter(m.status for m in rows(db, tid))
    assert counts == {"sent": 50, "queued": 10}  # 50 new recipients outside the window


# --- suspected: a commit that raised but succeeded is not written twice ------------------------


def test_ambiguous_results_commit_is_not_written_twice(db, workspace, graph_api, monkeypatch):
    monkeypatch.setattr(settings, "QUIET_HOURS_ENABLED", True)
    sender = big_sender(db, workspace.id)
    ids = make_contacts(db, workspace.id, 2)
    night, day = _zone_with_local_hour({2, 3}), _zone_with_local_hour({12, 13})
    db.execute(update(Contact).where(Contact.id == ids[0]).values(timezone=day))
    db.execute(update(Contact).where(Contact.id == ids[1]).values(timezone=night))
    db.commit()
    cid = make_campaign(db, workspace.id, sender.id, ids)
    throttle = get_throttle()
    info, claimed = claim_next(sender_id=sender.id, throttle=throttle, limit=10)
    night_row = claimed[1].id
    real_commit = Session.commit
    calls = {"n": 0}

    def commit_then_fail(self: Session) -> None:
        real_commit(self)
        calls["n"] += 1
        if calls["n"] == 1:  # the results write: COMMIT reached the server, then the line broke
            with get_sessionmaker()() as other:  # another dispatcher re-claims the deferred row
                due_now = update(Message).where(Message.id == night_row)
                other.execute(due_now.values(next_attempt_at=None))
                taken = claim(db=other, sender_id=sender.id, limit=10, now=utcnow())
                assert [r.id for r in taken] == [night_row]
                other.commit()
            raise OperationalError("COMMIT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(Session, "commit", commit_then_fail)
    process_batch(sender=info, rows=claimed, throttle=throttle)
    monkeypatch.undo()

    fresh(db)
    day_row, again = (db.get(Message, r.id) for r in claimed)
    assert calls["n"] >= 2 and day_row.status == "sent"
    assert again.status == "sending"  # the other dispatcher's claim was not undone
    events = db.execute(
        select(MessageEvent.message_id, MessageEvent.event).where(
            MessageEvent.message_id.in_([r.id for r in claimed])
        )
    ).all()
    assert Counter(events) == {(claimed[0].id, "sent"): 1, (night_row, "deferred"): 1}
    assert len(rows(db, cid)) == 2
