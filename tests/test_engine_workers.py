"""The engine under real conditions: real Celery worker processes (prefork), real PostgreSQL
and Redis, the fake Graph API in its own process. Workers are killed with SIGKILL, Redis is
flushed and restarted, four workers race for one number's cap, contacts opt out mid-send."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.contacts import service as contacts
from app.contacts.models import Contact
from app.core.db import utcnow
from app.core.enums import FINAL_STATUSES
from app.messaging.models import Message
from tests.engine_support import (
    PrivateRedis,
    make_campaign,
    make_contacts,
    run_reconcile,
    running_workers,
    settle,
    start_worker,
    status_counts,
    wait_until,
    worker_env,
)
from tests.fakes.graph_api import GraphApiProcess, spawn_graph_api
from tests.support.webhooks import inbound_webhook
from tests.test_engine_pipeline import big_sender

pytestmark = pytest.mark.slow
FINAL = {str(s) for s in FINAL_STATUSES}


@pytest.fixture(scope="module")
def fake_process() -> Iterator[GraphApiProcess]:
    with spawn_graph_api(latency_ms=20) as fake:
        yield fake


@pytest.fixture
def fake(fake_process, redis_client) -> GraphApiProcess:
    """The separate-process fake, reset; the test Redis db (broker) flushed."""
    fake_process.reset()
    return fake_process


def all_final(db, campaign_id: int) -> bool:
    counts = status_counts(db, campaign_id)
    return bool(counts) and set(counts) <= FINAL


def test_sigkilled_worker_every_message_final_never_twice(db, workspace, fake):
    fake.configure(latency_ms=60)
    sender = big_sender(db, workspace.id)
    recipients = make_contacts(db, workspace.id, 1000)
    env = worker_env(
        WHATSAPP_API_BASE_URL=fake.url,
        SEND_BATCH_SIZE=40,
        SEND_CONCURRENCY=40,
        DISPATCH_FANOUT=2,
        SENDING_STALE_AFTER_SECONDS=5,
    )
    with running_workers(2, env=env) as workers:
        cid = make_campaign(db, workspace.id, sender.id, recipients)
        wait_until(
            lambda: status_counts(db, cid).get("sent", 0) >= 250, timeout=60, what="250 sent"
        )
        workers[0].kill()  # SIGKILL main process and pool child, mid-batch
        in_flight = status_counts(db, cid).get("sending", 0)
        replacement = start_worker(env=env, name=f"replacement-{time.time_ns()}")
        try:
            settle(lambda: all_final(db, cid), env=env, timeout=120)
        finally:
            replacement.stop()

    counts = status_counts(db, cid)
    stats = fake.stats()
    assert stats["duplicate_count"] == 0, stats["duplicates"]
    assert set(counts) <= {"sent", "unknown"}
    assert sum(counts.values()) == 1000
    assert counts.get("unknown", 0) <= in_flight + 40  # only rows claimed by the dead worker
    callbacks = [r["callback_data"] for r in fake.requests()]
    assert len(callbacks) == len(set(callbacks))  # no message id reached Meta twice
    db.rollback()
    sent_ids = set(
        db.scalars(select(Message.id).where(Message.campaign_id == cid, Message.status == "sent"))
    )
    assert {str(i) for i in sent_ids} <= set(callbacks)


def test_redis_flushed_and_restarted_mid_campaign(db, workspace, fake):
    sender = big_sender(db, workspace.id)
    recipients = make_contacts(db, workspace.id, 1000)
    with PrivateRedis() as redis_server:
        env = worker_env(
            WHATSAPP_API_BASE_URL=fake.url,
            REDIS_URL=redis_server.url,
            CELERY_BROKER_URL=redis_server.url,
            CELERY_RESULT_BACKEND=redis_server.url,
            SEND_BATCH_SIZE=40,
            SEND_CONCURRENCY=40,
            SENDING_STALE_AFTER_SECONDS=20,
        )
        fake.configure(latency_ms=60)
        with running_workers(2, env=env):
            cid = make_campaign(db, workspace.id, sender.id, recipients)
            run_reconcile(env)  # the campaign woke the test broker; wake the private one
            wait_until(
                lambda: status_counts(db, cid).get("sent", 0) >= 250, timeout=60, what="250 sent"
            )
            import redis

            redis.Redis.from_url(redis_server.url).flushall()
            redis_server.restart()  # and it comes back empty (no persistence)
            settle(lambda: all_final(db, cid), env=env, timeout=150)

    counts = status_counts(db, cid)
    stats = fake.stats()
    assert stats["duplicate_count"] == 0, stats["duplicates"]
    assert counts == {"sent": 1000}  # nothing lost, nothing left unknown
    assert stats["accepted"] == 1000


def test_four_workers_never_exceed_the_hourly_cap(db, workspace, fake):
    sender = big_sender(db, workspace.id, max_per_hour=100)
    recipients = make_contacts(db, workspace.id, 1000)
    env = worker_env(
        WHATSAPP_API_BASE_URL=fake.url, SEND_BATCH_SIZE=60, SEND_CONCURRENCY=60, DISPATCH_FANOUT=4
    )
    with running_workers(4, env=env):
        cid = make_campaign(db, workspace.id, sender.id, recipients)

        def settled() -> bool:
            counts = status_counts(db, cid)
            return counts.get("sent", 0) >= 100 and "sending" not in counts

        wait_until(settled, timeout=60, what="the cap to be reached")
        time.sleep(2)  # give any straggler the chance to break the cap
        run_reconcile(env)
        time.sleep(2)
        counts = status_counts(db, cid)

    assert counts == {"sent": 100, "queued": 900}
    assert fake.stats()["accepted"] == 100
    db.rollback()
    waits = db.scalars(
        select(Message.next_attempt_at).where(
            Message.campaign_id == cid, Message.status == "queued"
        )
    ).all()
    assert min(waits) > utcnow() + timedelta(minutes=55)  # deferred to when the hour has room
    assert all(
        m == 0
        for m in db.scalars(
            select(Message.attempts).where(Message.campaign_id == cid, Message.status == "queued")
        )
    )


def test_opt_out_mid_campaign_stops_sends_after_commit(db, workspace, fake):
    from app.inbound.ingest import ingest_payload

    fake.configure(latency_ms=150)
    sender = big_sender(db, workspace.id)
    recipients = make_contacts(db, workspace.id, 600)
    env = worker_env(
        WHATSAPP_API_BASE_URL=fake.url,
        SEND_BATCH_SIZE=25,
        SEND_CONCURRENCY=25,
        SENDING_STALE_AFTER_SECONDS=20,
    )
    opted: dict[str, float] = {}  # digits → time the opt-out was committed
    with running_workers(2, env=env):
        cid = make_campaign(db, workspace.id, sender.id, recipients)
        wait_until(
            lambda: (
                status_counts(db, cid).get("sending", 0) > 0
                and status_counts(db, cid).get("sent", 0) >= 50
            ),
            timeout=60,
            interval=0.05,
            what="sends in flight",
        )
        # Contacts whose rows are in flight right now, plus some not yet claimed.
        db.rollback()
        in_flight = db.scalars(
            select(Message.contact_id)
            .where(Message.campaign_id == cid, Message.status == "sending")
            .limit(5)
        ).all()
        targets = [*in_flight, *recipients[-5:]]
        for contact_id in targets[:-1]:
            contact = db.get(Contact, contact_id)
            contacts.opt_out(db=db, contact=contact, source="test")  # waits for in-flight sends
            db.commit()
            opted[contact.phone.lstrip("+")] = time.time()
        stop_from = db.get(Contact, targets[-1]).phone
        ingest_payload(
            db=db, payload=inbound_webhook(sender.phone_number_id, stop_from, "STOP", "wamid.s1")
        )
        db.commit()
        opted[stop_from.lstrip("+")] = time.time()
        settle(lambda: all_final(db, cid), env=env, timeout=120)

    late = [r for r in fake.requests() if r["to"] in opted and r["at"] > opted[r["to"]]]
    assert late == []  # zero sends to an opted-out contact after its opt-out committed
    db.rollback()
    skipped = db.scalars(
        select(Message.contact_id).where(
            Message.campaign_id == cid, Message.skip_reason == "opted_out"
        )
    ).all()
    assert set(recipients[-5:]) <= set(skipped)  # not yet claimed → skipped at send time
    assert len(opted) == len(targets)
    assert fake.stats()["duplicate_count"] == 0
