"""GET /phone-numbers/{id}/status reports what the sending engine enforces.

Real message rows of every status are inserted; the endpoint's figures are checked against
counts derived by hand from the pacing rules (SPEC §6: sliding 60-minute and 24-hour windows,
in-flight rows count, the tier window is the business portfolio's), and against the engine
itself: the database store's usage, the Redis store's room after rebuilding from the table,
and how many rows `claim_next` really claims — and until when it defers the rest.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import insert, select

from app.core.config import settings
from app.core.db import utcnow
from app.messaging.models import Message
from app.outbound.dispatch import claim_next
from app.pacing import service as pacing_service
from app.pacing.db_store import DbThrottle
from app.pacing.redis_store import RedisThrottle
from app.senders.limits import effective_caps
from tests.engine_support import make_contacts
from tests.support.factories import make_sender

BASE = "/api/v1/phone-numbers"


def _row(db, ws, sender, contact_id, status, *, sent=None, claimed=None, direction="outbound"):
    db.add(
        Message(
            workspace_id=ws.id,
            contact_id=contact_id,
            sender_id=sender.id,
            direction=direction,
            body="hello",
            status=status,
            sent_at=sent,
            claimed_at=claimed if claimed is not None else sent,
        )
    )


def _status(client, auth, sender_id: int) -> dict:
    r = client.get(f"{BASE}/{sender_id}/status", headers=auth)
    assert r.status_code == 200, r.text
    return r.json()


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_status_matches_the_engine_and_its_claims(client, auth, db, workspace, redis_client):
    sender = make_sender(
        db, workspace.id, max_per_hour=6, max_per_day=9, messaging_tier="TIER_UNLIMITED"
    )
    other = make_sender(db, workspace.id, "100000000000002")
    c = make_contacts(db, workspace.id, 5)
    now = utcnow()
    ago = lambda minutes: now - timedelta(minutes=minutes)  # noqa: E731
    counted = [  # (contact, status, sent_at, claimed_at): every one holds a slot
        (c[0], "delivered", ago(10), None),
        (c[1], "read", ago(50), None),  # the oldest in the hour: it frees the next slot
        (c[1], "sent", ago(120), None),  # 24 h window only
        (c[2], "sending", None, ago(5)),  # in flight
        (c[3], "unknown", None, ago(180)),  # may have reached Meta
        (c[0], "failed", ago(20), None),  # failed after it was sent: the send happened
    ]
    for contact, status, sent, claimed in counted:
        _row(db, workspace, sender, contact, status, sent=sent, claimed=claimed)
    ignored = [  # never sent, too old, inbound, another number
        (sender, c[4], "failed", None, ago(5), "outbound"),
        (sender, c[4], "skipped", None, None, "outbound"),
        (sender, c[4], "cancelled", None, None, "outbound"),
        (sender, c[4], "delivered", ago(25 * 60), None, "outbound"),
        (sender, c[4], "received", None, None, "inbound"),
        (other, c[4], "delivered", ago(5), None, "outbound"),
    ]
    for who, contact, status, sent, claimed, direction in ignored:
        _row(db, workspace, who, contact, status, sent=sent, claimed=claimed, direction=direction)
    for contact in c:  # the backlog: due, queued, ad hoc
        _row(db, workspace, sender, contact, "queued")
    db.commit()

    status = _status(client, auth, sender.id)
    assert (status["hourly_cap"], status["daily_cap"], status["tier_cap"]) == (6, 9, None)
    assert (status["sent_last_hour"], status["sent_last_24h"]) == (4, 6)
    assert status["recipients_last_24h"] == 4
    assert status["remaining_this_hour"] == 2  # min(6 - 4, 9 - 6)
    assert status["remaining_24h"] == 3
    assert status["remaining_recipients_24h"] is None
    assert (status["sendable_now"], status["next_room_at"]) == (2, None)

    # The engine's own accounting agrees: the database store, and Redis rebuilt from the table.
    caps = effective_caps(sender, today=now.date())
    usage = DbThrottle().usage(db=db, sender_id=sender.id, now=utcnow())
    assert (len(usage.hour), len(usage.day), len(usage.recipients)) == (4, 6, 4)
    redis_room = RedisThrottle(settings.REDIS_URL).claim_room(
        db=db, sender_id=sender.id, caps=caps, now=utcnow()
    )
    assert redis_room == status["sendable_now"]

    # What the dispatcher really claims is what the endpoint said it may send.
    _, claimed = claim_next(sender_id=sender.id, throttle=DbThrottle(), limit=100)
    assert len(claimed) == status["sendable_now"]

    after = _status(client, auth, sender.id)
    assert (after["sent_last_hour"], after["sent_last_24h"]) == (6, 8)  # claimed = in flight
    assert (after["remaining_this_hour"], after["sendable_now"]) == (0, 0)
    assert _at(after["next_room_at"]) == ago(50) + timedelta(hours=1)

    # Full: the dispatcher defers the backlog to exactly the time the endpoint reports.
    _, claimed = claim_next(sender_id=sender.id, throttle=DbThrottle(), limit=100)
    assert claimed == []
    db.expire_all()
    waits = db.scalars(
        select(Message.next_attempt_at).where(
            Message.sender_id == sender.id, Message.status == "queued"
        )
    ).all()
    assert len(waits) == 3
    assert {w for w in waits} == {_at(after["next_room_at"])}


def test_windows_slide_over_midnight(db, workspace):
    """A calendar day would reset at 00:00 UTC; the engine's 24 h window does not."""
    sender = make_sender(db, workspace.id, max_per_hour=4, max_per_day=5)
    c = make_contacts(db, workspace.id, 1)
    midnight = datetime.combine(utcnow().date(), time.min, tzinfo=UTC)
    now = midnight + timedelta(minutes=20)
    stamps = [midnight - timedelta(hours=h) for h in (20, 19)]  # yesterday, within 24 h
    stamps += [midnight - timedelta(minutes=m) for m in (30, 10)]  # yesterday, in the hour
    stamps += [midnight + timedelta(minutes=5)]  # today
    for at in stamps:
        _row(db, workspace, sender, c[0], "delivered", sent=at)
    db.commit()

    status = pacing_service.quota_status(db=db, sender=sender, now=now)
    assert (status.sent_last_hour, status.sent_last_24h, status.sent_today) == (3, 5, 1)
    assert (status.remaining_this_hour, status.remaining_24h, status.sendable_now) == (0, 0, 0)
    assert status.next_room_at == stamps[0] + timedelta(hours=24)
    caps = effective_caps(sender, today=now.date())
    assert DbThrottle().claim_room(db=db, sender_id=sender.id, caps=caps, now=now) == 0


def test_tier_window_is_the_portfolios(client, auth, db, workspace):
    """Meta's tier counts unique recipients per business portfolio: another number of the same
    WABA used it up, so this one may send nothing although its own windows are empty."""
    waba = "102290129340398"
    sender = make_sender(db, workspace.id, waba_id=waba, messaging_tier="TIER_50")
    sibling = make_sender(db, workspace.id, "100000000000002", waba_id=waba)
    contacts = make_contacts(db, workspace.id, 50)
    first = utcnow() - timedelta(hours=3)
    db.execute(
        insert(Message),
        [
            {
                "workspace_id": workspace.id,
                "contact_id": cid,
                "sender_id": sibling.id,
                "direction": "outbound",
                "body": "hi",
                "status": "delivered",
                "sent_at": first + timedelta(seconds=i),
                "claimed_at": first + timedelta(seconds=i),
            }
            for i, cid in enumerate(contacts)
        ],
    )
    db.commit()

    status = _status(client, auth, sender.id)
    # The tier is its own window, not part of the daily cap (issue 13).
    assert (status["tier_cap"], status["daily_cap"]) == (50, settings.MAX_MESSAGES_PER_DAY)
    assert (status["sent_last_hour"], status["sent_last_24h"]) == (0, 0)
    assert status["remaining_this_hour"] == settings.MAX_MESSAGES_PER_HOUR
    assert (status["recipients_last_24h"], status["remaining_recipients_24h"]) == (50, 0)
    assert status["sendable_now"] == 0
    assert _at(status["next_room_at"]) == first + timedelta(hours=24)
    caps = effective_caps(sender, today=utcnow().date())
    engine_room = DbThrottle().claim_room(
        db=db, sender_id=sender.id, caps=caps, now=utcnow(), portfolio=waba
    )
    assert engine_room == 0
