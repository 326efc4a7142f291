"""The rollups equal counting the raw rows, whatever order things happen in.

Hypothesis draws a sequence of real engine operations — messages queued, claimed and recorded
by the engine's `results.Recorder` (sent, skipped, failed), status webhooks applied by
`statuses.apply_statuses` (out of order, duplicated, for unknown wamids), replies stored by
`ingest.ingest_message`, contacts deleted, `cleanup_old_messages`, workspace time-zone changes
(half- and quarter-hour offsets, DST) and rollup refreshes at any point. After every refresh,
and after every zone change, the figures the endpoints serve — engagement by local hour and
weekday included — are compared with a count written here independently from
docs/analytics.md, over the rows in the table plus, for rows deleted since, the state they had
when a refresh last saw them (history is kept).
"""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text, update

from app.analytics import local, performance, service
from app.analytics.tasks import update_campaign_analytics
from app.campaigns.models import Campaign
from app.core.db import get_engine, get_sessionmaker, utcnow
from app.inbound.ingest import SenderRef, ingest_message
from app.inbound.parser import Channel, InboundMessage, StatusUpdate
from app.inbound.statuses import StatusItem, apply_statuses
from app.integrations.whatsapp.base import ErrorCategory, WhatsAppError
from app.messaging.models import Message
from app.outbound import results
from app.outbound.pipeline import Claimed
from app.outbound.reconcile import cleanup_old_messages
from app.workspaces.models import Workspace
from tests.support.factories import make_contact, make_sender, make_workspace
from tests.support.services import truncate_all

ACCEPTED = {"sent", "delivered", "read"}
ATTEMPTED = ACCEPTED | {"failed", "unknown"}
SKIP_REASONS = ["opted_out", "outside_service_window", "no_consent"]
# +05:30, +05:45, DST, +10:30/+11 (a 30-minute DST shift), and UTC
ZONES = ["Asia/Kolkata", "Asia/Kathmandu", "America/New_York", "Australia/Lord_Howe", "UTC"]
# Reply-time histogram bounds (docs/analytics.md): 1, 5, 15, 30 min, 1, 2, 4, 8, 24, 48 h, 7 days.
REPLY_BOUNDS = [60, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400, 172800, 604800]
WEEK = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
ENGAGEMENT_DAYS = 2  # events go back 60 hours: many fall on the window's first day

ops = st.lists(
    st.one_of(
        st.tuples(st.just("new"), st.integers(0, 5), st.integers(0, 1), st.integers(0, 60)),
        st.tuples(
            st.just("send"), st.integers(0, 40), st.sampled_from(["ok", "ok", "skip", "fail"])
        ),
        st.tuples(
            st.just("status"),
            st.integers(0, 40),
            st.sampled_from(["sent", "delivered", "read", "read", "failed", "failed_limit"]),
            st.integers(-60, 0),
        ),
        st.tuples(st.just("dup"), st.integers(0, 40)),
        st.tuples(st.just("reply"), st.integers(0, 5), st.booleans(), st.integers(-50, 0)),
        st.tuples(st.just("delete_contact"), st.integers(0, 5)),
        st.tuples(
            st.just("cleanup"),
        ),
        st.tuples(
            st.just("refresh"),
        ),
        st.tuples(st.just("zone"), st.integers(0, 1), st.integers(0, len(ZONES) - 1)),
    ),
    min_size=5,
    max_size=40,
)


class World:
    """Two workspaces, their numbers, campaigns and contacts; what happened so far."""

    def __init__(self) -> None:
        truncate_all(get_engine())
        self.db = get_sessionmaker()()
        self.ws = [make_workspace(self.db, "A").id, make_workspace(self.db, "B").id]
        for ws, zone in zip(self.ws, ZONES, strict=False):
            self.db.get(Workspace, ws).timezone = zone
        self.db.commit()
        self.built: dict[int, str] = {}  # zone of each workspace at the last refresh
        self.senders = [make_sender(self.db, ws, f"pn-{ws}") for ws in self.ws]
        self.campaigns = []
        for ws, sender in zip(self.ws, self.senders, strict=True):
            c = Campaign(workspace_id=ws, sender_id=sender.id, name=f"c{ws}", status="running")
            self.db.add(c)
            self.db.commit()
            self.campaigns.append(c.id)
        self.contacts = [
            (self.ws[i % 2], make_contact(self.db, self.ws[i % 2], f"+1415555{i:04d}").id)
            for i in range(6)
        ]
        self.phones = {cid: f"1415555{i:04d}" for i, (_, cid) in enumerate(self.contacts)}
        self.seen: dict[int, dict[str, Any]] = {}
        self.last_status: StatusItem | None = None
        self.n = itertools.count(1)
        self.now = utcnow()

    def message_ids(self) -> list[int]:
        return list(self.db.scalars(select(Message.id).where(Message.direction == "outbound")))

    def pick(self, k: int) -> Message | None:
        ids = sorted(self.message_ids())
        return self.db.get(Message, ids[k % len(ids)]) if ids else None

    # --- operations -----------------------------------------------------------------------
    def new(self, contact: int, campaign: int, hours_ago: int) -> None:
        from app.contacts.models import Contact

        ws, contact_id = self.contacts[contact]
        if self.db.get(Contact, contact_id) is None:
            return
        idx = self.ws.index(ws)
        camp = self.campaigns[idx] if campaign else None
        step = next(self.n)
        self.db.add(
            Message(
                workspace_id=ws,
                contact_id=contact_id,
                sender_id=self.senders[idx].id,
                campaign_id=camp,
                step_index=step if camp else None,
                direction="outbound",
                status="queued",
                body="hi",
                variant=(step % 3) if step % 2 else None,
                created_at=self.now - timedelta(hours=hours_ago),
            )
        )
        self.db.commit()

    def send(self, k: int, how: str) -> None:
        m = self.pick(k)
        if m is None or m.status != "queued":
            return
        self.db.execute(
            update(Message)
            .where(Message.id == m.id, Message.status == "queued")
            .values(status="sending", attempts=Message.attempts + 1, claimed_at=utcnow())
        )
        self.db.commit()
        row = Claimed(
            id=m.id,
            contact_id=m.contact_id,
            campaign_id=m.campaign_id,
            step_index=m.step_index,
            enrollment_id=None,
            template_id=None,
            type="text",
            body="hi",
            payload={},
            attempts=m.attempts,
            first_deferred_at=None,
        )
        rec = results.Recorder(sender_id=m.sender_id)
        now = utcnow()
        if how == "ok":
            rec.sent(row, wamid=f"wamid.{m.id}.{next(self.n)}", body="hi", now=now)
        elif how == "skip":
            reason = SKIP_REASONS[m.id % len(SKIP_REASONS)]
            rec.finish(row, "skipped", now=now, reason=reason)
        else:
            err = WhatsAppError(
                message="undeliverable", code=131026, category=ErrorCategory.PERMANENT
            )
            rec.failed_send(row, err, body="hi", now=now)
        rec.write_with_retry(now=now)
        self.db.expire_all()

    def status(self, k: int, status: str, hours: int) -> None:
        m = self.pick(k)
        if m is None:
            return
        # 131049 (marketing limit) requeues the row: the one move out of failed/sent.
        code = {"failed": 131026, "failed_limit": 131049}.get(status)
        errors = [{"code": code, "title": "failed"}] if code else []
        status = "failed" if code else status
        item = StatusItem(
            update=StatusUpdate(
                channel=Channel(None, None),
                wamid=m.wamid or f"wamid.unknown.{next(self.n)}",
                status=status,
                timestamp=self.now + timedelta(hours=hours),
                biz_opaque_callback_data=str(m.id),
                errors=errors,
            ),
            workspace_id=m.workspace_id,
        )
        self._apply(item)

    def _apply(self, item: StatusItem) -> None:
        apply_statuses(db=self.db, items=[item])
        self.db.commit()
        self.db.expire_all()
        self.last_status = item

    def dup(self, _: int) -> None:
        if self.last_status is not None:
            self._apply(self.last_status)

    def reply(self, contact: int, quote: bool, hours: int) -> None:
        ws, contact_id = self.contacts[contact]
        from app.contacts.models import Contact

        if self.db.get(Contact, contact_id) is None:
            return
        quoted = None
        if quote:
            quoted = self.db.scalar(
                select(Message.wamid).where(
                    Message.contact_id == contact_id, Message.wamid.is_not(None)
                )
            )
        idx = self.ws.index(ws)
        ingest_message(
            db=self.db,
            msg=InboundMessage(
                channel=Channel(self.senders[idx].phone_number_id, None),
                wamid=f"in.{next(self.n)}",
                from_=self.phones[contact_id],
                timestamp=self.now + timedelta(hours=hours),
                type="text",
                content={"body": "sounds good"},
                context_id=quoted,
            ),
            sender=SenderRef(id=self.senders[idx].id, workspace_id=ws),
        )
        self.db.commit()

    def delete_contact(self, contact: int) -> None:
        from app.contacts.service import delete_contact
        from app.core.errors import NotFound

        ws, contact_id = self.contacts[contact]
        try:
            delete_contact(db=self.db, workspace_id=ws, contact_id=contact_id)
        except NotFound:
            return
        self.db.commit()

    def cleanup(self) -> None:
        cleanup_old_messages(now=utcnow() + timedelta(days=400))
        self.db.expire_all()

    def zone(self, idx: int, zone: int) -> None:
        """Move a workspace to another zone (the API's service). Until the next refresh the
        local-time rollup is in the old zone: engagement must come out right all the same."""
        from app.workspaces.service import update_workspace

        ws = self.ws[idx]
        update_workspace(db=self.db, workspace_id=ws, timezone=ZONES[zone])
        self.db.commit()
        # The local rows serve only the zone the last refresh built them in; any other is
        # read from the quarter-hours.
        assert (self.local_rows(ws) is None) == (self.built.get(ws) != ZONES[zone])
        self.check_engagement(list(self.seen.values()), ws)

    def local_rows(self, ws: int) -> Any:
        tz = ZoneInfo(self.db.get(Workspace, ws).timezone)
        today = utcnow().astimezone(tz).date()
        return local.engagement_counts(
            db=self.db, workspace_id=ws, zone=tz.key, first_day=today, last_day=today
        )

    def refresh(self) -> None:
        update_campaign_analytics()
        self.db.expire_all()
        self.built = {ws: self.db.get(Workspace, ws).timezone for ws in self.ws}
        rows = self.db.execute(text("SELECT * FROM messages")).mappings().all()
        present = {r["id"]: dict(r) for r in rows}
        # Deleted since the last refresh: they count as they were then (history is kept).
        expected = {**{i: r for i, r in self.seen.items() if i not in present}, **present}
        self.seen = expected
        self.check(list(expected.values()))
        for ws in self.ws:
            assert self.local_rows(ws) is not None  # served from the local-time rollup
            self.check_engagement(list(expected.values()), ws)

    def check_engagement(self, rows: list[dict[str, Any]], ws: int) -> None:
        """Engagement of the last ENGAGEMENT_DAYS local days, counted from the rows."""
        self.db.expire_all()
        tz = ZoneInfo(self.db.get(Workspace, ws).timezone)
        now = utcnow()
        got = performance.engagement(db=self.db, workspace_id=ws, days=ENGAGEMENT_DAYS, now=now)
        last = now.astimezone(tz).date()
        first = last - timedelta(days=ENGAGEMENT_DAYS - 1)

        def at(t: datetime | None) -> datetime | None:
            local_t = t.astimezone(tz) if t is not None else None
            return local_t if local_t is not None and first <= local_t.date() <= last else None

        out = [r for r in rows if r["workspace_id"] == ws and r["direction"] == "outbound"]
        replies = [(r, at(r["replied_at"])) for r in out if r["replied_at"]]
        replies = [(r, t) for r, t in replies if t is not None and r["status"] in ATTEMPTED]
        reads = [
            at(r["read_at"] or r["sent_at"] or r["created_at"])
            for r in out
            if r["status"] == "read"
        ]
        reads = [t for t in reads if t is not None]
        sent = [(r, at(r["sent_at"] or r["created_at"])) for r in out if r["status"] in ACCEPTED]
        sent = [(r, t) for r, t in sent if t is not None]

        assert got["timezone"] == tz.key
        by_hour = Counter(t.hour for _, t in replies)
        assert got["replies_by_hour"] == [by_hour[h] for h in range(24)]
        by_day = Counter(WEEK[t.isoweekday() - 1] for _, t in replies)
        assert got["replies_by_weekday"] == {d: by_day[d] for d in WEEK}
        read_hour = Counter(t.hour for t in reads)
        assert got["reads_by_hour"] == [read_hour[h] for h in range(24)]
        read_day = Counter(WEEK[t.isoweekday() - 1] for t in reads)
        assert got["reads_by_weekday"] == {d: read_day[d] for d in WEEK}
        sends = Counter(t.hour for _, t in sent)
        answered = Counter(t.hour for r, t in sent if r["replied_at"])
        assert [(h["sent"], h["replied"]) for h in got["sending_hours"]] == [
            (sends[h], answered[h]) for h in range(24)
        ]
        waits = [
            max(0.0, (r["replied_at"] - (r["sent_at"] or r["created_at"])).total_seconds())
            for r, _ in replies
        ]
        want: dict[str, Any] = {"replies_timed": len(waits)}
        for p in (50, 90, 95):
            within = [b for b in REPLY_BOUNDS if sum(w <= b for w in waits) >= len(waits) * p / 100]
            want[f"p{p}_within_seconds"] = within[0] if waits and within else None
        assert got["reply_time"] == want

    # --- the independent count -------------------------------------------------------------
    def check(self, rows: list[dict[str, Any]]) -> None:
        self.db.expire_all()
        for idx, ws in enumerate(self.ws):
            mine = [r for r in rows if r["workspace_id"] == ws]
            out = [r for r in mine if r["direction"] == "outbound"]
            camp = [r for r in out if r["campaign_id"] == self.campaigns[idx]]
            got = service.campaign_analytics(
                db=self.db, workspace_id=ws, campaign_id=self.campaigns[idx]
            )
            a = got["analytics"]
            assert a["recipients"] == len(camp)
            assert a["total_messages"] == sum(r["status"] in ATTEMPTED for r in camp)
            assert a["sent_count"] == sum(r["status"] in ACCEPTED for r in camp)
            assert a["delivered_count"] == sum(r["status"] in ("delivered", "read") for r in camp)
            assert a["read_count"] == sum(r["status"] == "read" for r in camp)
            assert a["failed_count"] == sum(r["status"] == "failed" for r in camp)
            assert a["skipped_count"] == sum(r["status"] == "skipped" for r in camp)
            assert a["pending_count"] == sum(r["status"] in ("queued", "sending") for r in camp)
            replied = [r for r in camp if r["replied_at"] and r["status"] in ATTEMPTED]
            assert a["replied_count"] == len(replied)
            reasons = Counter(r["skip_reason"] for r in camp if r["status"] == "skipped")
            assert got["skipped_by_reason"] == dict(reasons)

            dash = service.dashboard(db=self.db, workspace_id=ws)
            assert dash["total_messages_sent"] == sum(r["status"] in ACCEPTED for r in out)
            inbound = [r for r in mine if r["direction"] == "inbound"]
            assert dash["total_messages_received"] == len(inbound)

            series = service.timeline(db=self.db, workspace_id=ws, days=6)
            days = {p["date"]: p for p in series}
            tz = ZoneInfo(self.db.get(Workspace, ws).timezone)  # the workspace's days

            def per_day(items: list[Any], tz: ZoneInfo = tz) -> Counter[str]:
                return Counter(t.astimezone(tz).date().isoformat() for t in items if t is not None)

            sent = per_day(
                [r["sent_at"] or r["created_at"] for r in out if r["status"] in ACCEPTED]
            )
            delivered = per_day(
                [
                    r["delivered_at"] or r["read_at"] or r["sent_at"] or r["created_at"]
                    for r in out
                    if r["status"] in ("delivered", "read")
                ]
            )
            read = per_day([r["read_at"] or r["sent_at"] for r in out if r["status"] == "read"])
            failed = per_day(
                [r["failed_at"] or r["created_at"] for r in out if r["status"] == "failed"]
            )
            replies = per_day(
                [r["replied_at"] for r in out if r["replied_at"] and r["status"] in ATTEMPTED]
            )
            received = per_day([r["received_at"] or r["created_at"] for r in inbound])
            for name, want in [
                ("sent", sent),
                ("delivered", delivered),
                ("read", read),
                ("failed", failed),
                ("replied", replies),
                ("received", received),
            ]:
                for day, point in days.items():
                    assert point[name] == want.get(day, 0), (name, day)


@settings(
    max_examples=30,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops)
def test_rollups_equal_counting_rows(steps):
    world = World()
    try:
        for op, *args in steps:
            getattr(world, op)(*args)
        world.refresh()
    finally:
        world.db.close()


def test_cleanup_never_changes_history(db, workspace):
    """Figures before and after cleanup_old_messages (which deletes everything old here)."""
    world_sender = make_sender(db, workspace.id, "pn-clean")
    contact = make_contact(db, workspace.id, "+14155550001")
    c = Campaign(
        workspace_id=workspace.id, sender_id=world_sender.id, name="old", status="completed"
    )
    db.add(c)
    db.commit()
    old = utcnow() - timedelta(days=120)
    for i, status in enumerate(["read", "delivered", "failed", "skipped"]):
        db.add(
            Message(
                workspace_id=workspace.id,
                contact_id=contact.id,
                campaign_id=c.id,
                step_index=i,
                direction="outbound",
                status=status,
                skip_reason="opted_out" if status == "skipped" else None,
                sent_at=old if status in ("read", "delivered") else None,
                read_at=old if status == "read" else None,
                created_at=old,
            )
        )
    db.commit()
    update_campaign_analytics()
    before = service.campaign_analytics(db=db, workspace_id=workspace.id, campaign_id=c.id)
    dash_before = service.dashboard(db=db, workspace_id=workspace.id)
    assert cleanup_old_messages() == 4
    update_campaign_analytics()
    update_campaign_analytics(full=True)
    after = service.campaign_analytics(db=db, workspace_id=workspace.id, campaign_id=c.id)
    dash_after = service.dashboard(db=db, workspace_id=workspace.id)
    assert after["analytics"] == before["analytics"]
    assert after["analytics"]["total_messages"] == 3 and after["analytics"]["read_count"] == 1
    for key in ("total_messages_sent", "delivered", "read", "failed", "skipped"):
        assert dash_after[key] == dash_before[key]
    from app.analytics.rollup import prune_facts

    assert db.scalar(select(Message.id)) is None
    prune_facts(db=db)
    db.commit()
    update_campaign_analytics(full=True)
    final = service.campaign_analytics(db=db, workspace_id=workspace.id, campaign_id=c.id)
    assert final["analytics"] == before["analytics"]
