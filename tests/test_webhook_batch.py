"""The set-based sweep (`process_pending_events` → `ingest_events` → `statuses.apply_statuses`):
many deliveries applied in one batch end exactly where applying them one by one would, on
PostgreSQL and on SQLite (the embedded default), and concurrent sweeps never apply an event
twice nor move a message backwards."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.contacts.models import Contact
from app.core.enums import STATUS_RANK
from app.inbound.models import WebhookEvent
from app.inbound.service import receive_webhook, sign
from app.inbound.tasks import (
    MAX_ATTEMPTS,
    process_pending_events,
    process_webhook_event,
)
from app.messaging.models import Message, MessageEvent
from tests.support.factories import make_contact, make_sender, make_workspace
from tests.test_ingest import PNID, USER, inbound_payload, load, status_payload

T0 = 1749416400


def ts(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


@pytest.fixture(params=["postgresql", "sqlite"])
def sessions(request, tmp_path) -> sessionmaker[Session]:
    """Sessions on the real PostgreSQL test database, or on a migrated SQLite file."""
    if request.param == "postgresql":
        from app.core.db import get_sessionmaker

        yield get_sessionmaker()
        return
    from app.core.db import make_engine
    from app.core.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'webhooks.db'}"
    upgrade(url)
    engine = make_engine(url)
    yield sessionmaker(bind=engine, expire_on_commit=False)
    engine.dispose()


@pytest.fixture
def opened(sessions):
    """Opens sessions and closes them all at teardown, even when the test fails (a session
    left in a transaction would block the truncation between tests)."""
    made: list[Session] = []

    def open_() -> Session:
        made.append(sessions())
        return made[-1]

    yield open_
    for session in made:
        session.rollback()
        session.close()


@pytest.fixture
def sdb(opened):
    return opened()


@dataclass
class World:
    workspace_id: int
    sender_id: int
    contact_id: int


def make_world(db, name: str = "Acme", pnid: str = PNID, phone: str = "+" + USER) -> World:
    ws = make_workspace(db, name)
    sender = make_sender(db, ws.id, pnid, provider="sandbox")
    return World(ws.id, sender.id, make_contact(db, ws.id, phone).id)


def outbound(db, world: World, *, status="sending", wamid=None, sent_at=None, **cols) -> int:
    msg = Message(
        workspace_id=world.workspace_id,
        contact_id=world.contact_id,
        sender_id=world.sender_id,
        direction="outbound",
        type="text",
        body="Hello",
        status=status,
        wamid=wamid,
        sent_at=sent_at,
        **cols,
    )
    db.add(msg)
    db.commit()
    return msg.id


def store(db, *payloads: dict) -> None:
    """Through the real ingestion path (signed body → receive_webhook), stored, not processed."""
    for payload in payloads:
        raw = orjson.dumps(payload)
        receive_webhook(db=db, raw_body=raw, signature=sign(raw))
    db.commit()


def sweep(db, limit: int = 500) -> int:
    n = process_pending_events(db=db, limit=limit, max_attempts=MAX_ATTEMPTS)
    db.commit()
    db.expire_all()
    return n


def timeline(db, message_id: int) -> list[str]:
    return list(
        db.scalars(
            select(MessageEvent.event)
            .where(MessageEvent.message_id == message_id)
            .order_by(MessageEvent.id)
        )
    )


def st(status: str, wamid: str, at: int, **kw) -> dict:
    return status_payload(status, wamid=wamid, at=at, **kw)


# --- one batch: the forward-only rules ----------------------------------------------------


def test_out_of_order_in_one_batch_keeps_each_timestamp(sdb):
    world = make_world(sdb)
    mid = outbound(sdb, world, wamid="wamid.O")
    store(sdb, st("read", "wamid.O", T0 + 20), st("delivered", "wamid.O", T0 + 10))
    store(sdb, st("sent", "wamid.O", T0))
    assert sweep(sdb) == 3
    msg = sdb.get(Message, mid)
    assert msg.status == "read"
    assert (msg.sent_at, msg.delivered_at, msg.read_at) == (ts(T0), ts(T0 + 10), ts(T0 + 20))
    assert timeline(sdb, mid) == ["read"]  # only the change that happened
    assert sdb.scalars(select(WebhookEvent.attempts)).all() == [1, 1, 1]


def test_in_order_in_one_batch_records_every_step(sdb):
    world = make_world(sdb)
    mid = outbound(sdb, world, wamid="wamid.I")
    store(sdb, *(st(s, "wamid.I", T0 + i) for i, s in enumerate(("sent", "delivered", "read"))))
    sweep(sdb)
    msg = sdb.get(Message, mid)
    assert (msg.status, msg.sent_at, msg.delivered_at, msg.read_at) == (
        "read",
        ts(T0),
        ts(T0 + 1),
        ts(T0 + 2),
    )
    assert timeline(sdb, mid) == ["sent", "delivered", "read"]


def test_duplicates_in_one_batch_apply_once(sdb):
    world = make_world(sdb)
    mid = outbound(sdb, world, status="sent", wamid="wamid.D", sent_at=ts(T0))
    delivered = st("delivered", "wamid.D", T0 + 11)
    store(sdb, delivered, st("delivered", "wamid.D", T0 + 10), st("read", "wamid.D", T0 + 20))
    store(sdb, st("read", "wamid.D", T0 + 25), delivered)  # the last one: a retried body
    assert sweep(sdb) == 4
    msg = sdb.get(Message, mid)
    assert (msg.status, msg.delivered_at, msg.read_at) == ("read", ts(T0 + 10), ts(T0 + 20))
    assert timeline(sdb, mid) == ["delivered", "read"]


def test_failed_never_overrides_read_and_is_terminal_in_one_batch(sdb):
    world = make_world(sdb)
    read_first = outbound(sdb, world, status="sent", wamid="wamid.R", sent_at=ts(T0))
    failed_first = outbound(sdb, world, status="sent", wamid="wamid.F", sent_at=ts(T0))
    opted = outbound(sdb, world, status="sending", wamid="wamid.M")
    store(
        sdb,
        st("read", "wamid.R", T0 + 5),
        st("failed", "wamid.R", T0 + 6),
        st("failed", "wamid.F", T0 + 5),
        st("read", "wamid.F", T0 + 6),
        st("failed", "wamid.M", T0 + 7, code=131050),
    )
    sweep(sdb)
    r, f, m = (sdb.get(Message, i) for i in (read_first, failed_first, opted))
    assert (r.status, r.error_code, r.failed_at, timeline(sdb, r.id)) == (
        "read",
        None,
        None,
        ["read"],
    )
    assert (f.status, f.error_code, f.failed_at, f.read_at) == (
        "failed",
        "131026",
        ts(T0 + 5),
        None,
    )
    assert timeline(sdb, f.id) == ["failed"]
    assert (m.status, m.error_code) == ("failed", "131050")
    contact = sdb.get(Contact, world.contact_id)
    assert contact.marketing_opted_out_at == ts(T0 + 7) and contact.opted_out_at is None


def test_callback_data_matching_in_one_batch(sdb):
    world = make_world(sdb)
    theirs = make_world(sdb, "Globex", pnid="999000111", phone="+14155550123")
    mid = outbound(sdb, world, wamid=None)
    their_mid = outbound(sdb, theirs, wamid=None)
    store(
        sdb,
        st("sent", "wamid.CB", T0, callback=str(mid)),
        st("delivered", "wamid.CB", T0 + 1),  # names it by the wamid the first one recorded
        st("read", "wamid.X", T0 + 2, callback=str(their_mid)),  # our number, their message
    )
    sweep(sdb)
    msg = sdb.get(Message, mid)
    assert (msg.status, msg.wamid, timeline(sdb, mid)) == (
        "delivered",
        "wamid.CB",
        ["sent", "delivered"],
    )
    other = sdb.get(Message, their_mid)
    assert (other.status, other.wamid, timeline(sdb, their_mid)) == ("sending", None, [])


def test_one_unappliable_status_does_not_lose_the_batch(sdb):
    """A status whose wamid already belongs to another workspace's message cannot be recorded
    on ours (unique wamid): the batch falls back to one by one and only that record fails."""
    world = make_world(sdb)
    theirs = make_world(sdb, "Globex", pnid="999000111", phone="+14155550123")
    outbound(sdb, theirs, status="sent", wamid="wamid.TAKEN", sent_at=ts(T0))
    clash = outbound(sdb, world, wamid=None)
    fine = outbound(sdb, world, wamid="wamid.FINE")
    store(sdb, st("sent", "wamid.TAKEN", T0, callback=str(clash)), st("read", "wamid.FINE", T0))
    sweep(sdb)
    assert sdb.get(Message, fine).status == "read" and timeline(sdb, fine) == ["read"]
    assert sdb.get(Message, clash).status == "sending"
    events = sdb.scalars(select(WebhookEvent).order_by(WebhookEvent.id)).all()
    assert all(e.processed_at is not None for e in events)
    assert "wamid.TAKEN" in events[0].processing_error and events[1].processing_error is None


def test_inbound_messages_in_a_status_batch(sdb):
    world = make_world(sdb)
    ids = [outbound(sdb, world, wamid=f"wamid.BATCH.{i}") for i in (1, 2, 3)]
    store(sdb, load("batch_mixed"), inbound_payload(id="wamid.in2", timestamp=str(T0 + 99)))
    store(sdb, inbound_payload(id="wamid.in2", timestamp=str(T0 + 99), type="text"))  # twin
    sweep(sdb)
    assert [sdb.get(Message, i).status for i in ids] == ["delivered", "read", "failed"]
    inbound = sdb.scalars(
        select(Message.wamid).where(Message.direction == "inbound").order_by(Message.id)
    ).all()
    assert len(inbound) == 2 and "wamid.in2" in inbound
    assert sdb.get(Contact, world.contact_id).last_inbound_at == ts(T0 + 99)


# --- batching changes nothing -------------------------------------------------------------


def test_one_batch_ends_where_one_by_one_does(sdb):
    """Random status sequences (out of order, duplicates, failed, unknown rows matched by
    callback data) applied (a) one delivery at a time and (b) all in one sweep batch."""
    rng = random.Random(20251126)
    world = make_world(sdb)
    starts = ["queued", "sending", "unknown", "sent", "delivered"]
    choices = ["sent", "delivered", "read", "failed", "deleted"]
    pairs, plans = [], []
    for i in range(40):
        start = rng.choice(starts)
        known = rng.random() < 0.7
        cols = {"sent_at": ts(T0 - 50)} if start in ("sent", "delivered") else {}
        if start == "delivered":
            cols["delivered_at"] = ts(T0 - 40)
        pair = []
        for side in "AB":
            wamid = f"wamid.{side}{i}"
            mid = outbound(sdb, world, status=start, wamid=wamid if known else None, **cols)
            pair.append((mid, wamid))
        pairs.append(pair)
        plans.append(
            [(rng.choice(choices), T0 + rng.randint(0, 30)) for _ in range(rng.randint(1, 5))]
        )

    def payloads(mid: int, wamid: str, plan) -> list[dict]:
        out = []
        for n, (status, at) in enumerate(plan):
            code = 131050 if status == "failed" and n % 2 else None
            body = st(
                "sent" if status == "deleted" else status, wamid, at, callback=str(mid), code=code
            )
            body["entry"][0]["changes"][0]["value"]["statuses"][0]["status"] = status
            body["entry"][0]["id"] = f"{wamid}-{n}"  # distinct bodies, even for repeats
            out.append(body)
        return out

    for (a, _), plan in zip(pairs, plans, strict=True):
        for body in payloads(*a, plan):
            store(sdb, body)
            event_id = sdb.scalars(select(WebhookEvent.id).order_by(WebhookEvent.id.desc())).first()
            assert process_webhook_event(db=sdb, event_id=event_id) is not None
            sdb.commit()
    store(
        sdb,
        *(body for (_, b), plan in zip(pairs, plans, strict=True) for body in payloads(*b, plan)),
    )
    assert sweep(sdb) == sum(len(p) for p in plans)
    sdb.expire_all()

    def state(mid: int):
        m = sdb.get(Message, mid)
        events = sdb.execute(
            select(MessageEvent.event, MessageEvent.occurred_at)
            .where(MessageEvent.message_id == mid)
            .order_by(MessageEvent.id)
        ).all()
        wamid_known = m.wamid is not None
        return (m.status, m.sent_at, m.delivered_at, m.read_at, m.failed_at, m.error_code,
                wamid_known, [tuple(e) for e in events])  # fmt: skip

    mismatches = [i for i, ((a, _), (b, _)) in enumerate(pairs) if state(a) != state(b)]
    assert mismatches == []
    assert {sdb.get(Message, b).status for (_, (b, _)) in pairs} >= {"read", "failed"}


# --- concurrent sweeps --------------------------------------------------------------------


def test_a_sweep_waits_for_the_other_and_never_regresses(opened):
    """Sweep A has applied `read` and not committed yet; sweep B holds the earlier statuses.
    B must wait for A's lock and then see `read`: delivered/sent are late, not a regression."""
    first, second = opened(), opened()
    world = make_world(first)
    mid = outbound(first, world, wamid="wamid.C")
    store(first, st("read", "wamid.C", T0 + 20))
    store(first, st("delivered", "wamid.C", T0 + 10), st("sent", "wamid.C", T0))
    assert process_pending_events(db=first, limit=1, max_attempts=MAX_ATTEMPTS) == 1
    done: list[int] = []
    thread = threading.Thread(
        target=lambda: done.append(
            process_pending_events(db=second, limit=10, max_attempts=MAX_ATTEMPTS)
        )
    )
    thread.start()
    time.sleep(0.5)
    assert thread.is_alive() and done == []  # blocked behind A (row lock / write lock)
    first.commit()
    thread.join(30)
    second.commit()
    assert done == [2]
    first.expire_all()
    events = first.execute(select(WebhookEvent.attempts, WebhookEvent.processing_error)).all()
    assert sorted(events) == [(1, None)] * 3  # each applied once, none failed and retried
    msg = first.get(Message, mid)
    assert (msg.status, msg.sent_at, msg.delivered_at, msg.read_at) == (
        "read",
        ts(T0),
        ts(T0 + 10),
        ts(T0 + 20),
    )
    assert timeline(first, mid) == ["read"]


def test_concurrent_sweeps_apply_every_event_exactly_once(opened):
    first = opened()
    world = make_world(first)
    rng = random.Random(7)
    mids, bodies = [], []
    for i in range(40):
        wamid = f"wamid.P{i}"
        mid = outbound(first, world, wamid=wamid if i % 4 else None)
        mids.append(mid)
        for k, status in enumerate(("sent", "delivered", "read")):
            bodies.append(st(status, wamid, T0 + 10 * k + i, callback=str(mid)))
    rng.shuffle(bodies)  # arrival order is anything
    store(first, *bodies)
    errors: list[BaseException] = []

    def worker() -> None:
        db = opened()
        try:
            while sweep(db, limit=5):
                pass
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    first.expire_all()
    events = first.scalars(select(WebhookEvent)).all()
    assert len(events) == 120
    assert {(e.attempts, e.processing_error) for e in events} == {(1, None)}
    assert all(e.processed_at is not None for e in events)
    for i, mid in enumerate(mids):
        msg = first.get(Message, mid)
        assert (msg.status, msg.wamid) == ("read", f"wamid.P{i}")
        assert (msg.sent_at, msg.delivered_at, msg.read_at) == (
            ts(T0 + i),
            ts(T0 + 10 + i),
            ts(T0 + 20 + i),
        )
        ranks = [STATUS_RANK[e] for e in timeline(first, mid)]
        assert ranks == sorted(set(ranks)) and ranks[-1] == STATUS_RANK["read"]


@pytest.mark.parametrize("sessions", ["postgresql"], indirect=True)
def test_claimed_events_are_skipped_by_another_sweep(opened):
    """PostgreSQL: a second sweep does not wait for, nor take, events claimed by the first."""
    first, second = opened(), opened()
    world = make_world(first)
    one, two = outbound(first, world, wamid="wamid.K1"), outbound(first, world, wamid="wamid.K2")
    store(first, st("read", "wamid.K1", T0), st("read", "wamid.K2", T0))
    assert process_pending_events(db=first, limit=1, max_attempts=MAX_ATTEMPTS) == 1
    started = time.monotonic()
    assert sweep(second) == 1  # took the other event at once
    assert time.monotonic() - started < 5
    assert sweep(second) == 0  # the claimed one is not visible as pending, nor waited for
    first.commit()
    assert sweep(second) == 0
    second.expire_all()
    assert [second.get(Message, m).status for m in (one, two)] == ["read", "read"]
    assert [timeline(second, m) for m in (one, two)] == [["read"], ["read"]]


def test_many_events_in_few_statements(sdb):
    """The whole point: a 300-event batch costs a handful of statements, not one per event."""
    from sqlalchemy import event

    world = make_world(sdb)
    mids = [outbound(sdb, world, wamid=f"wamid.N{i}") for i in range(100)]
    store(
        sdb,
        *(
            st(s, f"wamid.N{i}", T0 + k)
            for i in range(100)
            for k, s in enumerate(("sent", "delivered", "read"))
        ),
    )
    statements: list[str] = []
    engine = sdb.get_bind()
    listener = lambda *a: statements.append(a[2])  # noqa: E731 (conn, cursor, statement, ...)
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert sweep(sdb) == 300
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len(statements) < 20, statements
    assert {sdb.get(Message, m).status for m in mids} == {"read"}
    assert sum(len(timeline(sdb, m)) for m in mids) == 300
    assert timedelta(0) <= sdb.get(Message, mids[0]).read_at - ts(T0) <= timedelta(seconds=2)
