"""Failures around the send (real PostgreSQL, real Redis, the fake Graph API on loopback): an
edge 5xx page without a Graph error may follow an accepted message, so it is never resent; a
failure before any request started puts the claimed rows back."""

from __future__ import annotations

import threading
import time

import pytest
from pydantic import ValidationError
from sqlalchemy import select, text, update
from sqlalchemy.exc import OperationalError

from app.contacts.models import Contact
from app.core.config import Settings
from app.core.db import get_sessionmaker, utcnow
from app.messaging.models import Message
from app.outbound import pipeline, policy
from app.outbound.dispatch import claim_next, run_dispatch
from app.outbound.reconcile import reconcile
from app.pacing import get_throttle
from tests.engine_support import make_campaign, make_contacts, status_counts
from tests.fakes.graph_api import graph_api_fixture  # noqa: F401  (fixture "graph_api")
from tests.support.engine import engine_settings  # noqa: F401  (autouse fixture)
from tests.test_engine_pipeline import big_sender, rows


@pytest.mark.parametrize("status", [502, 504, 500])
def test_5xx_page_without_graph_error_is_unknown_never_resent(db, workspace, graph_api, status):
    sender = big_sender(db, workspace.id)
    contacts = make_contacts(db, workspace.id, 2)
    cid = make_campaign(db, workspace.id, sender.id, contacts)
    graph_api.script(kind="malformed", http_status=status, body="<html>Gateway Timeout</html>")

    run_dispatch(sender_id=sender.id)
    first, second = rows(db, cid)
    assert first.status == "unknown"
    assert second.status == "sent"
    # Nothing brings it back: a due time forced by hand, another dispatch, the reconciler.
    db.execute(update(Message).where(Message.id == first.id).values(next_attempt_at=utcnow()))
    db.commit()
    run_dispatch(sender_id=sender.id)
    reconcile()
    sends = [r["callback_data"] for r in graph_api.requests()]
    assert sends.count(str(first.id)) == 1
    assert rows(db, cid)[0].status == "unknown"


def test_5xx_with_graph_error_body_is_retried(db, workspace, graph_api):
    sender = big_sender(db, workspace.id)
    cid = make_campaign(db, workspace.id, sender.id, make_contacts(db, workspace.id, 1))
    graph_api.script(code=131000, http_status=500)

    run_dispatch(sender_id=sender.id)
    (m,) = rows(db, cid)
    assert (m.status, m.error_code) == ("queued", "131000")
    db.execute(update(Message).where(Message.id == m.id).values(next_attempt_at=utcnow()))
    db.commit()
    run_dispatch(sender_id=sender.id)
    assert rows(db, cid)[0].status == "sent"
    assert len(graph_api.requests()) == 2


def _assert_put_back(db, campaign_id, n):
    back = rows(db, campaign_id)
    assert len(back) == n
    assert {(m.status, m.attempts) for m in back} == {("queued", 0)}


def test_policy_error_after_claim_puts_rows_back(db, workspace, graph_api, monkeypatch):
    sender = big_sender(db, workspace.id)
    cid = make_campaign(db, workspace.id, sender.id, make_contacts(db, workspace.id, 3))
    real = policy.check

    def broken(**kw):
        raise RuntimeError("policy bug")

    monkeypatch.setattr(policy, "check", broken)
    with pytest.raises(RuntimeError, match="policy bug"):
        run_dispatch(sender_id=sender.id)
    _assert_put_back(db, cid, 3)
    assert graph_api.requests() == []

    monkeypatch.setattr(policy, "check", real)
    assert run_dispatch(sender_id=sender.id).sent == 3
    assert {m.status for m in rows(db, cid)} == {"sent"}
    assert graph_api.stats()["duplicate_count"] == 0


def test_error_after_reserve_releases_the_slots(db, workspace, graph_api, monkeypatch):
    """provider_for fails after the pacing slots were taken: rows back, slots given back."""
    sender = big_sender(db, workspace.id, max_per_hour=2)
    cid = make_campaign(db, workspace.id, sender.id, make_contacts(db, workspace.id, 2))

    real = pipeline.provider_for

    def no_provider(name):
        raise KeyError(name)

    monkeypatch.setattr(pipeline, "provider_for", no_provider)
    with pytest.raises(KeyError):
        run_dispatch(sender_id=sender.id)
    _assert_put_back(db, cid, 2)
    usage = get_throttle().usage(db=db, sender_id=sender.id, now=utcnow())
    db.rollback()
    assert (len(usage.hour), len(usage.recipients)) == (0, 0)

    monkeypatch.setattr(pipeline, "provider_for", real)
    # Both slots are free again: the hourly cap of 2 lets both go out now.
    assert run_dispatch(sender_id=sender.id).sent == 2


def test_deadlock_on_the_share_lock_puts_rows_back(db, workspace, graph_api):
    """A webhook transaction updated contact 2, the batch holds FOR SHARE on contact 1 and
    waits for 2, the webhook then opts contact 1 out: PostgreSQL aborts the batch."""
    sender = big_sender(db, workspace.id)
    c1, c2 = make_contacts(db, workspace.id, 2)
    cid = make_campaign(db, workspace.id, sender.id, [c1, c2])
    throttle = get_throttle()
    info, batch = claim_next(sender_id=sender.id, throttle=throttle, limit=2)
    assert len(batch) == 2

    other = get_sessionmaker()()
    other.execute(text("SET LOCAL deadlock_timeout = '10s'"))  # the batch is the victim
    other.execute(text("UPDATE contacts SET last_inbound_at = now() WHERE id = :i"), {"i": c2})
    out: dict[str, BaseException] = {}

    def send() -> None:
        try:
            pipeline.process_batch(sender=info, rows=batch, throttle=throttle)
        except BaseException as exc:
            out["error"] = exc

    worker = threading.Thread(target=send)
    worker.start()
    time.sleep(0.5)  # the batch now waits for contact 2
    other.execute(text("UPDATE contacts SET opted_out_at = now() WHERE id = :i"), {"i": c1})
    other.commit()
    other.close()
    worker.join(30)

    assert isinstance(out.get("error"), OperationalError)
    assert "deadlock" in str(out["error"])
    _assert_put_back(db, cid, 2)
    assert graph_api.requests() == []
    # Retried later: contact 1 opted out meanwhile and is skipped; contact 2 gets it once.
    run_dispatch(sender_id=sender.id)
    assert status_counts(db, cid) == {"skipped": 1, "sent": 1}
    phone2 = db.scalar(select(Contact.phone).where(Contact.id == c2))
    assert [r["to"] for r in graph_api.requests()] == [phone2.lstrip("+")]


@pytest.mark.parametrize("field", ["QUIET_HOURS_START", "QUIET_HOURS_END"])
@pytest.mark.parametrize("value", [-1, 24])
def test_quiet_hours_bounds_are_validated(field, value):
    with pytest.raises(ValidationError, match=field):
        Settings(**{field: value})
    assert getattr(Settings(**{field: 23}), field) == 23
