"""Failures around the send (real PostgreSQL, real Redis, the fake Graph API on loopback): an
edge 5xx page without a Graph error may follow an accepted message, so it is never resent; a
failure before any request started puts the claimed rows back."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from app.core.config import settings
from app.core.db import utcnow
from app.messaging.dispatch import run_dispatch
from app.messaging.models import Message
from app.messaging.reconcile import reconcile
from tests.engine_support import make_campaign, make_contacts
from tests.fakes.graph_api import graph_api_fixture  # noqa: F401  (fixture "graph_api")
from tests.test_engine_pipeline import big_sender, rows


@pytest.fixture(autouse=True)
def _engine_settings(monkeypatch, redis_client):
    monkeypatch.setattr(settings, "MESSAGE_DELAY_MIN", 0)
    monkeypatch.setattr(settings, "MESSAGE_DELAY_MAX", 0)
    monkeypatch.setattr(settings, "QUIET_HOURS_ENABLED", False)
    yield


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
