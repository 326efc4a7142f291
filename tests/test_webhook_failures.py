"""Error codes reported in a `failed` STATUS webhook (SPEC §5), end to end: the engine sends
through the fake Graph API, then Meta's failed status arrives through the real ingestion path.
SENDER_BLOCKED stops the number and pauses its campaigns; 131049 defers a day (7 days at most);
131056 retries per the engine's backoff; other codes stay failed — and a duplicate webhook never
requeues twice nor touches the next attempt."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from pathlib import Path

import orjson
import pytest
from sqlalchemy import select, update

from app.campaigns.models import Campaign
from app.core.config import settings
from app.core.db import utcnow
from app.inbound.service import receive_webhook, sign
from app.messaging.models import Message
from app.outbound.dispatch import run_dispatch
from app.outbound.retry import backoff
from app.senders.models import SenderNumber
from tests.engine_support import make_campaign, make_contacts
from tests.fakes.graph_api import graph_api_fixture  # noqa: F401  (fixture "graph_api")
from tests.support.engine import engine_settings  # noqa: F401  (autouse fixture)
from tests.test_engine_pipeline import big_sender, fresh, rows
from tests.test_ingest import deliver, events_of

FIXTURE = Path(__file__).parent / "fixtures" / "webhooks" / "status_failed_131026.json"


def failed(pnid: str, wamid: str | None, message_id: int, code: int, title: str = "x") -> dict:
    payload = copy.deepcopy(json.loads(FIXTURE.read_text()))
    value = payload["entry"][0]["changes"][0]["value"]
    value["metadata"]["phone_number_id"] = pnid
    item = value["statuses"][0]
    item.update(id=wamid, timestamp=str(int(utcnow().timestamp())))
    item["biz_opaque_callback_data"] = str(message_id)
    item["errors"] = [{"code": code, "title": title, "message": title}]
    return payload


def again(payload: dict, copy_no: int = 1) -> dict:
    """The same status in another delivery (different bytes: not deduplicated at the door)."""
    twin = copy.deepcopy(payload)
    item = twin["entry"][0]["changes"][0]["value"]["statuses"][0]
    item["timestamp"] = str(int(item["timestamp"]) + copy_no)
    return twin


def store(db, payload: dict) -> int:
    """Receive a signed delivery (stored and committed, not yet processed); its event id."""
    raw = orjson.dumps(payload)
    result = receive_webhook(db=db, raw_body=raw, signature=sign(raw))
    db.commit()
    return result.event_id


def sent_campaign(db, workspace_id: int, n: int = 1):
    """A running campaign of n contacts, every row sent through the fake Graph API."""
    sender = big_sender(db, workspace_id)
    cid = make_campaign(db, workspace_id, sender.id, make_contacts(db, workspace_id, n))
    run_dispatch(sender_id=sender.id)
    return sender, cid, rows(db, cid)


@pytest.mark.parametrize(
    ("code", "number_status"), [(131048, "paused"), (368, "blocked"), (131031, "blocked")]
)
def test_sender_blocked_code_stops_number_and_pauses_campaigns(
    db, workspace, graph_api, code, number_status
):
    sender, _cid, (first, _second) = sent_campaign(db, workspace.id, 2)
    other = make_campaign(db, workspace.id, sender.id, make_contacts(db, workspace.id, 1, first=9))
    deliver(db, failed(sender.phone_number_id, first.wamid, first.id, code, "Spam rate limit"))
    fresh(db)
    number = db.get(SenderNumber, sender.id)
    assert number.status == number_status and str(code) in number.status_reason
    campaign = db.get(Campaign, other)
    assert campaign.status == "paused" and str(code) in campaign.status_reason
    msg = db.get(Message, first.id)
    assert (msg.status, msg.error_code) == ("failed", str(code))
    # The number sends nothing more until resumed.
    before = len(graph_api.requests())
    assert run_dispatch(sender_id=sender.id).sent == 0
    assert len(graph_api.requests()) == before


def test_marketing_limit_requeues_a_day_later_once(db, workspace, graph_api):
    sender, cid, (msg,) = sent_campaign(db, workspace.id)
    old_wamid = msg.wamid
    payload = failed(sender.phone_number_id, old_wamid, msg.id, 131049)
    deliver(db, payload)
    m = db.get(Message, msg.id)
    assert (m.status, m.error_code, m.wamid, m.failed_at) == ("queued", "131049", None, None)
    assert timedelta(hours=23, minutes=59) < m.next_attempt_at - utcnow() <= timedelta(days=1)
    first_deferred, due = m.first_deferred_at, m.next_attempt_at
    assert first_deferred is not None and m.attempts == 0  # a deferral is not a failed try
    assert events_of(db, msg.id)[-2:] == ["failed", "marketing_deferred"]
    assert db.get(SenderNumber, sender.id).status == "active"

    report = deliver(db, again(payload))  # Meta sends the status again: nothing moves
    assert report.statuses_applied == 0 and report.statuses_unmatched == 1  # a past attempt
    m = db.get(Message, msg.id)
    assert (m.status, m.next_attempt_at, m.first_deferred_at) == ("queued", due, first_deferred)
    assert events_of(db, msg.id).count("marketing_deferred") == 1

    # A day later it is sent again, with a new wamid; the old attempt's webhook (by its wamid
    # or our callback id) never touches the new attempt.
    db.execute(update(Message).values(next_attempt_at=utcnow()))
    db.commit()
    assert run_dispatch(sender_id=sender.id).sent == 1
    (m,) = rows(db, cid)
    assert m.status == "sent" and m.wamid not in (None, old_wamid)
    report = deliver(db, again(payload, 2))
    assert report.statuses_unmatched == 1
    fresh(db)
    m2 = db.get(Message, msg.id)
    assert (m2.status, m2.wamid) == ("sent", m.wamid)
    assert events_of(db, msg.id).count("marketing_deferred") == 1


def test_stale_attempt_webhook_never_fails_the_resend_in_flight(db, workspace, graph_api):
    """Between the resend's claim and its answer the row has no wamid and is matched by our
    callback id: the old attempt's duplicate failed status must not apply to it."""
    sender, _cid, (msg,) = sent_campaign(db, workspace.id)
    payload = failed(sender.phone_number_id, msg.wamid, msg.id, 131049)
    deliver(db, payload)
    db.execute(update(Message).where(Message.id == msg.id).values(status="sending"))
    db.commit()
    report = deliver(db, again(payload))
    assert report.statuses_unmatched == 1
    assert db.get(Message, msg.id).status == "sending"


def test_marketing_limit_fails_after_seven_days_of_deferrals(db, workspace, graph_api):
    sender, _cid, (msg,) = sent_campaign(db, workspace.id)
    long_ago = utcnow() - timedelta(days=7, minutes=1)
    db.execute(update(Message).where(Message.id == msg.id).values(first_deferred_at=long_ago))
    db.commit()
    deliver(db, failed(sender.phone_number_id, msg.wamid, msg.id, 131049))
    m = db.get(Message, msg.id)
    assert (m.status, m.error_code, m.wamid) == ("failed", "131049", msg.wamid)
    assert "marketing_deferred" not in events_of(db, msg.id)


def test_marketing_limit_reopens_a_completed_campaign(db, workspace, graph_api):
    sender, cid, (msg,) = sent_campaign(db, workspace.id)
    assert db.get(Campaign, cid).status == "completed"  # every row sent
    deliver(db, failed(sender.phone_number_id, msg.wamid, msg.id, 131049))
    campaign = db.get(Campaign, cid)
    assert campaign.status == "running" and campaign.completed_at is None


def test_pair_rate_limit_retries_per_engine_backoff(db, workspace, graph_api):
    sender, _cid, (msg,) = sent_campaign(db, workspace.id)
    before = utcnow()
    deliver(db, failed(sender.phone_number_id, msg.wamid, msg.id, 131056))
    m = db.get(Message, msg.id)
    assert (m.status, m.error_code, m.wamid) == ("queued", "131056", None)
    wait = backoff(msg.attempts, None)
    assert before + wait <= m.next_attempt_at <= utcnow() + wait
    assert events_of(db, msg.id)[-1] == "retry_scheduled"


def test_pair_rate_limit_fails_once_retries_are_used_up(db, workspace, graph_api):
    sender, _cid, (msg,) = sent_campaign(db, workspace.id)
    db.execute(
        update(Message).where(Message.id == msg.id).values(attempts=settings.SEND_MAX_RETRIES + 1)
    )
    db.commit()
    deliver(db, failed(sender.phone_number_id, msg.wamid, msg.id, 131056))
    assert db.get(Message, msg.id).status == "failed"


@pytest.mark.parametrize("code", [131026, 131047, 999999])
def test_permanent_or_unknown_code_stays_failed(db, workspace, graph_api, code):
    sender, _cid, (msg,) = sent_campaign(db, workspace.id)
    deliver(db, failed(sender.phone_number_id, msg.wamid, msg.id, code))
    m = db.get(Message, msg.id)
    assert (m.status, m.error_code, m.wamid) == ("failed", str(code), msg.wamid)
    assert "retry_scheduled" not in events_of(db, msg.id)
    assert db.get(SenderNumber, sender.id).status == "active"


@pytest.mark.parametrize("start", ["delivered", "read"])
def test_no_code_moves_a_delivered_row(db, workspace, graph_api, start):
    sender, cid, (msg,) = sent_campaign(db, workspace.id)
    db.execute(update(Message).where(Message.id == msg.id).values(status=start))
    db.commit()
    for code in (131049, 131048):
        deliver(db, failed(sender.phone_number_id, msg.wamid, msg.id, code))
    fresh(db)
    assert db.get(Message, msg.id).status == start
    assert db.get(SenderNumber, sender.id).status == "active"
    assert db.scalar(select(Campaign.status).where(Campaign.id == cid)) == "completed"


def test_failed_before_the_send_answer_is_recorded_keeps_the_requeue(db, workspace, graph_api):
    """131049 arrives (by callback id) while the row is still `sending`: it is requeued, and
    the late-recorded send answer does not put that attempt's wamid back on it."""
    from app.outbound.results import _record_sent

    sender, _cid, (msg,) = sent_campaign(db, workspace.id)
    db.execute(update(Message).where(Message.id == msg.id).values(status="sending", wamid=None))
    db.commit()
    deliver(db, failed(sender.phone_number_id, "wamid.LATE", msg.id, 131049))
    assert db.get(Message, msg.id).status == "queued"
    row = {"b_id": msg.id, "b_wamid": "wamid.LATE", "b_body": "hi", "b_at": utcnow()}
    _record_sent(db.connection(), [row])
    db.commit()
    fresh(db)
    m = db.get(Message, msg.id)
    assert (m.status, m.wamid) == ("queued", None)
