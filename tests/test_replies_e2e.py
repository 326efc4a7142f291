"""AI in live traffic, end to end: a real Celery worker process (prefork), the sandbox provider
simulating Meta (its signed status webhooks go through the real ingestion path), PostgreSQL and
Redis. The test only does what a user and their customers do: API calls, and customers'
replies as signed webhooks through `receive_webhook`.

- a rewritten campaign goes out with distinct, fact-preserving bodies;
- "how much is it?" is classified pricing, gets the configured answer once (sent by the
  engine), and raises the lead score;
- a low-confidence reply lands in the inbox; resolving it sends the reply through the engine;
- "stop texting me" opts out, the confirmation goes out once, and nothing more is sent.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from app.contacts.models import Contact
from app.inbound.tasks import emit_signed_payloads
from app.messaging.models import Message
from app.replies.models import ReviewItem
from tests.engine_support import running_workers, wait_until, worker_env
from tests.support.factories import make_contact, make_sender
from tests.support.webhooks import inbound_webhook

pytestmark = pytest.mark.slow

PNID = "109000000000010"
TEXT = (
    "BUY NOW!!! {first_name|there}, the spring plan is $49/month until 30 June: "
    "https://example.com/spring"
)
PHONES = [f"+1415555{i + 300:04d}" for i in range(6)]
NAMES = ["Ada Lovelace", "Grace Hopper", "Alan Turing", "Edsger Dijkstra", "Barbara Liskov", "Ken"]
LEFT = ("sent", "delivered", "read")


@pytest.fixture
def worker(redis_client) -> Iterator[None]:
    env = worker_env(
        SANDBOX_STATUS_DELAY_SECONDS=0,
        SANDBOX_FAILURE_RATE=0,
        SANDBOX_READ_RATE=1,
        SANDBOX_REPLY_RATE=0,
        WEBHOOK_BATCH_WINDOW_SECONDS=0.05,
    )
    with running_workers(1, env=env, concurrency=2):
        yield


def write(phone: str, text: str, *, context: str | None = None) -> str:
    """A customer's message, signed as Meta signs it, through the real ingestion path."""
    wamid = "wamid.E2E" + uuid.uuid4().hex
    payload = inbound_webhook(PNID, phone, text, wamid)
    if context:
        payload["entry"][0]["changes"][0]["value"]["messages"][0]["context"] = {
            "from": PNID,
            "id": context,
        }
    emit_signed_payloads([payload], provider="cloud_api")
    return wamid


def fresh(db, stmt):
    db.rollback()
    return db.execute(stmt)


def classified(db, wamid: str) -> Message | None:
    return fresh(
        db,
        select(Message).where(Message.wamid == wamid, Message.classification.is_not(None)),
    ).scalar()


def outbound_to(db, contact_id: int, origin: str) -> list[Message]:
    stmt = select(Message).where(Message.contact_id == contact_id, Message.origin == origin)
    return list(fresh(db, stmt.order_by(Message.id)).scalars())


def score(db, contact_id: int) -> int:
    value = fresh(db, select(Contact.lead_score).where(Contact.id == contact_id)).scalar()
    return -1 if value is None else value


def test_ai_in_live_traffic(db, workspace, client, auth, worker):
    sender = make_sender(db, workspace.id, PNID, provider="sandbox")
    people = [
        make_contact(db, workspace.id, p, name=n, last_inbound_minutes_ago=5)
        for p, n in zip(PHONES, NAMES, strict=True)
    ]
    ids = [c.id for c in people]
    r = client.patch(
        "/api/v1/auto-responses/settings",
        json={
            "auto_respond": True,
            "confidence_threshold": 50,
            "cooldown_hours": 24,
            "optout_confirmation": "You're unsubscribed: no more messages from us.",
        },
        headers=auth,
    )
    assert r.status_code == 200, r.text
    rule = {"response": "Hi {first_name|there}! Plans start at $49/month."}
    assert client.put("/api/v1/auto-responses/rules/pricing", json=rule, headers=auth).is_success

    # 1. A rewritten campaign: distinct, fact-preserving bodies.
    body = {
        "name": "Spring",
        "message_template": TEXT,
        "contact_ids": ids,
        "phone_number_id": sender.id,
        "ai_rewrite": True,
    }
    cid = client.post("/api/v1/campaigns", json=body, headers=auth).json()["id"]
    assert client.post(f"/api/v1/campaigns/{cid}/start", headers=auth).status_code == 200

    def campaign_done() -> list[Message] | None:
        rows = list(fresh(db, select(Message).where(Message.campaign_id == cid)).scalars())
        return rows if rows and all(m.status == "read" for m in rows) else None

    rows = wait_until(campaign_done, timeout=60, what="the rewritten campaign read by all")
    detail = client.get(f"/api/v1/campaigns/{cid}", headers=auth).json()
    assert detail["status"] == "completed"
    assert detail["rewrite"]["status"] == "ready"
    assert detail["rewrite"]["variants"] >= 2
    assert len({m.variant for m in rows}) >= 2 and None not in {m.variant for m in rows}
    assert len({m.body for m in rows}) == len(rows)  # personalised variants
    for m in rows:
        first = NAMES[ids.index(m.contact_id)].split()[0]
        assert first in m.body and "$49/month" in m.body and "https://example.com/spring" in m.body
        assert "BUY NOW!!!" not in m.body
    per_recipient = client.get(f"/api/v1/campaigns/{cid}/messages", headers=auth).json()
    assert {i["variant"] for i in per_recipient["items"]} == {m.variant for m in rows}
    wamid_of = {m.contact_id: m.wamid for m in rows}
    # reading the message moved every reader's lead score (a task on the analytics queue)
    wait_until(lambda: all(score(db, i) >= 0 for i in ids), timeout=30, what="readers' lead scores")

    # 2. "how much is it?" → pricing, the configured answer once, a higher lead score.
    ada = people[0]
    before = score(db, ada.id)
    asked = write(PHONES[0], "how much is it?", context=wamid_of[ada.id])
    reply = wait_until(lambda: classified(db, asked), timeout=30, what="the reply classified")
    assert reply.intent == "pricing" and reply.in_reply_to_id is not None

    def answered() -> list[Message] | None:
        sent = outbound_to(db, ada.id, "auto_response")
        return sent if sent and sent[0].status in LEFT else None

    sent = wait_until(answered, timeout=30, what="the auto-response sent by the engine")
    assert sent[0].body == "Hi Ada! Plans start at $49/month." and sent[0].wamid
    assert score(db, ada.id) > before
    again = write(PHONES[0], "how much is it?")
    wait_until(lambda: classified(db, again), timeout=30, what="the second reply classified")
    time.sleep(1)
    assert len(outbound_to(db, ada.id, "auto_response")) == 1

    # 3. A low-confidence reply lands in the inbox; resolving it sends through the engine.
    grace = people[1]
    vague = write(PHONES[1], "hmm ok maybe, we will see")
    stored = wait_until(lambda: classified(db, vague), timeout=30, what="vague reply classified")
    item = fresh(db, select(ReviewItem).where(ReviewItem.message_id == stored.id)).scalar()
    assert item is not None and item.state == "open"
    if stored.classification["confidence"] < 50:
        assert item.reason == "low_confidence"
    inbox = client.get("/api/v1/inbox", params={"limit": 1}, headers=auth).json()
    assert inbox["total"] >= 1
    listed = client.get("/api/v1/inbox", headers=auth).json()["items"]
    assert item.id in {i["id"] for i in listed}
    r = client.post(
        f"/api/v1/inbox/{item.id}/resolve",
        json={"action": "reply", "text": "No rush, {first_name}. Ask me anything."},
        headers=auth,
    )
    assert r.status_code == 200, r.text

    def resolved_sent() -> list[Message] | None:
        out = outbound_to(db, grace.id, "inbox_reply")
        return out if out and out[0].status in LEFT else None

    out = wait_until(resolved_sent, timeout=30, what="the inbox reply sent by the engine")
    assert out[0].body == "No rush, Grace. Ask me anything."
    timeline = client.get(f"/api/v1/messages/{out[0].id}", headers=auth).json()["events"]
    assert "sent" in [e["event"] for e in timeline]

    # 4. "stop texting me" opts out; the confirmation goes out once; nothing more is sent.
    alan = people[2]
    write(PHONES[2], "stop texting me")

    def confirmed() -> list[Message] | None:
        out = outbound_to(db, alan.id, "optout_confirmation")
        return out if out and out[0].status in LEFT else None

    wait_until(confirmed, timeout=30, what="the opt-out confirmed")
    db.rollback()
    assert db.get(Contact, alan.id).opted_out_at is not None
    stop = write(PHONES[2], "STOP")
    wait_until(lambda: classified(db, stop), timeout=30, what="the second STOP handled")
    second = client.post(
        "/api/v1/campaigns",
        json={
            "name": "After",
            "message_template": "Hi {first_name|there}!",
            "contact_ids": ids,
            "phone_number_id": sender.id,
        },
        headers=auth,
    ).json()["id"]
    assert client.post(f"/api/v1/campaigns/{second}/start", headers=auth).status_code == 200

    def second_done() -> list[Message] | None:
        rows = list(fresh(db, select(Message).where(Message.campaign_id == second)).scalars())
        final = all(m.status in (*LEFT, "skipped") for m in rows)
        return rows if rows and final else None

    rows = wait_until(second_done, timeout=60, what="the second campaign final")
    skipped = {m.contact_id: m.skip_reason for m in rows if m.status == "skipped"}
    assert skipped == {alan.id: "opted_out"}
    to_alan = fresh(
        db,
        select(func.count()).where(
            Message.contact_id == alan.id,
            Message.direction == "outbound",
            Message.status.in_(LEFT),
        ),
    ).scalar()
    assert to_alan == 2  # the first campaign's message and the one confirmation
    dashboard = client.get("/api/v1/analytics/dashboard", headers=auth).json()
    assert dashboard["auto_messages_sent"] == 2  # Ada's answer and Alan's confirmation
