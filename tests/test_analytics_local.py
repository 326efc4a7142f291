"""The engagement rollup in workspace-local hours (app.analytics.local), counted by hand.

Two answered messages on Wednesday 10 June 2026, read two minutes after they were sent
(sent / read / answered):

                        first (answered in 30 min)   second (answered in 10 min)
    UTC                 03:20 / 03:22 / 03:50        18:10 / 18:12 / 18:20
    Kolkata   (+05:30)  08:50 / 08:52 / 09:20 Wed    23:40 / 23:42 / 23:50 Wed
    Kathmandu (+05:45)  09:05 / 09:07 / 09:35 Wed    23:55 / 23:57 / 00:05 Thu

so moving the workspace from one zone to the other moves the figures between hours (and a reply
to Thursday), which a rollup keyed by UTC hour could not follow for these offsets.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from app.analytics import local, performance
from app.analytics.models import LocalHourCounter, LocalZone
from app.analytics.tasks import update_campaign_analytics
from app.campaigns.models import Campaign
from app.messaging.models import Message
from app.outbound.reconcile import cleanup_old_messages
from tests.support.factories import make_contact, make_sender

NOW = datetime(2026, 6, 11, 12, 0, tzinfo=UTC)
FIELDS = {
    "days",
    "timezone",
    "reply_time",
    "replies_by_hour",
    "reads_by_hour",
    "replies_by_weekday",
    "reads_by_weekday",
    "sending_hours",
    "best_sending_hours",
    "min_sample",
}


def _two_answered(db, ws_id: int, tag: str) -> None:
    sender = make_sender(db, ws_id, f"pn-local-{tag}")
    camp = Campaign(workspace_id=ws_id, sender_id=sender.id, name="c", status="completed")
    db.add(camp)
    db.commit()
    for i, (sent, wait) in enumerate([((3, 20), 30), ((18, 10), 10)]):
        at = datetime(2026, 6, 10, *sent, tzinfo=UTC)
        contact = make_contact(db, ws_id, f"+1415{ws_id:03d}{i:04d}")
        db.add(
            Message(
                workspace_id=ws_id,
                contact_id=contact.id,
                sender_id=sender.id,
                campaign_id=camp.id,
                step_index=0,
                direction="outbound",
                status="read",
                body="hi",
                created_at=at - timedelta(minutes=1),
                sent_at=at,
                delivered_at=at + timedelta(minutes=1),
                read_at=at + timedelta(minutes=2),
                replied_at=at + timedelta(minutes=wait),
            )
        )
    db.commit()


def _engagement(db, ws_id: int, days: int = 7) -> dict:
    db.expire_all()
    return performance.engagement(db=db, workspace_id=ws_id, days=days, now=NOW)


def _from_local_rows(db, ws_id: int, zone: str) -> bool:
    """Whether engagement is being served from the local-hour rows (not the fallback)."""
    first = NOW.date() - timedelta(days=6)
    got = local.engagement_counts(
        db=db, workspace_id=ws_id, zone=zone, first_day=first, last_day=NOW.date()
    )
    return got is not None


def _nonzero(series: list[int]) -> dict[int, int]:
    return {h: n for h, n in enumerate(series) if n}


def _set_zone(client, workspace, zone: str) -> None:
    r = client.patch("/api/v1/workspace", json={"timezone": zone}, headers=workspace.headers)
    assert r.status_code == 200, r.text


def test_zone_change_is_followed_exactly(client, db, workspace, other_workspace):
    _two_answered(db, workspace.id, "a")
    _two_answered(db, other_workspace.id, "b")  # UTC, same times: never counted in workspace's
    _set_zone(client, workspace, "Asia/Kolkata")
    update_campaign_analytics()
    assert db.scalar(select(LocalZone.zone).where(LocalZone.workspace_id == workspace.id)) == (
        "Asia/Kolkata"
    )
    assert _from_local_rows(db, workspace.id, "Asia/Kolkata")

    kolkata = _engagement(db, workspace.id)
    assert set(kolkata) == FIELDS
    served = client.get("/api/v1/analytics/engagement?days=7", headers=workspace.headers)
    assert served.status_code == 200 and set(served.json()) == FIELDS  # the response's fields
    assert kolkata["timezone"] == "Asia/Kolkata"
    assert _nonzero(kolkata["replies_by_hour"]) == {9: 1, 23: 1}
    assert _nonzero(kolkata["reads_by_hour"]) == {8: 1, 23: 1}
    assert kolkata["replies_by_weekday"]["Wed"] == 2 and kolkata["reads_by_weekday"]["Wed"] == 2
    sending = {h["hour"]: (h["sent"], h["replied"]) for h in kolkata["sending_hours"] if h["sent"]}
    assert sending == {8: (1, 1), 23: (1, 1)}
    assert kolkata["reply_time"] == {
        "replies_timed": 2,
        "p50_within_seconds": 900,  # 10 min
        "p90_within_seconds": 1800,  # 30 min
        "p95_within_seconds": 1800,
    }

    # Moved to +05:45: before any refresh the local rows are still in Kolkata's hours, so the
    # figures come from the quarter-hour counters — already Kathmandu's.
    _set_zone(client, workspace, "Asia/Kathmandu")
    db.expire_all()
    assert not _from_local_rows(db, workspace.id, "Asia/Kathmandu")
    kathmandu = _engagement(db, workspace.id)
    assert kathmandu["timezone"] == "Asia/Kathmandu"
    assert _nonzero(kathmandu["replies_by_hour"]) == {0: 1, 9: 1}
    assert _nonzero(kathmandu["reads_by_hour"]) == {9: 1, 23: 1}
    assert (kathmandu["replies_by_weekday"]["Wed"], kathmandu["replies_by_weekday"]["Thu"]) == (
        1,
        1,
    )
    sending = {
        h["hour"]: (h["sent"], h["replied"]) for h in kathmandu["sending_hours"] if h["sent"]
    }
    assert sending == {9: (1, 1), 23: (1, 1)}
    assert kathmandu["reply_time"] == kolkata["reply_time"]

    # The next refresh rebuilds the local rows in the new zone: same figures, from the rollup.
    update_campaign_analytics()
    assert _from_local_rows(db, workspace.id, "Asia/Kathmandu")
    assert _engagement(db, workspace.id) == kathmandu
    # The window is whole local days, its first included: yesterday and today (Wed, Thu) hold
    # everything; today alone holds the reply at 00:05 Thursday.
    assert _engagement(db, workspace.id, days=2)["reply_time"] == kathmandu["reply_time"]
    today = _engagement(db, workspace.id, days=1)
    assert _nonzero(today["replies_by_hour"]) == {0: 1} and sum(today["reads_by_hour"]) == 0
    assert today["reply_time"]["replies_timed"] == 1
    assert today["reply_time"]["p50_within_seconds"] == 900

    # The other workspace counted its own two, in UTC hours.
    other = _engagement(db, other_workspace.id)
    assert _nonzero(other["replies_by_hour"]) == {3: 1, 18: 1}


def test_rebuild_after_cleanup_keeps_history(client, db, workspace):
    """cleanup_old_messages deletes the rows; a later zone change rebuilds the local rows from
    the quarter-hour counters, which kept them."""
    _two_answered(db, workspace.id, "a")
    _set_zone(client, workspace, "Asia/Kolkata")
    update_campaign_analytics()
    before = _engagement(db, workspace.id)
    assert cleanup_old_messages(now=NOW + timedelta(days=400)) == 2
    assert db.scalar(select(func.count()).select_from(Message)) == 0
    update_campaign_analytics()
    assert _engagement(db, workspace.id) == before

    _set_zone(client, workspace, "Asia/Kathmandu")
    update_campaign_analytics()  # rebuilt from the counters: the deleted messages still count
    assert _from_local_rows(db, workspace.id, "Asia/Kathmandu")
    assert _nonzero(_engagement(db, workspace.id)["replies_by_hour"]) == {0: 1, 9: 1}
    _set_zone(client, workspace, "Asia/Kolkata")
    update_campaign_analytics()
    assert _engagement(db, workspace.id) == before
    update_campaign_analytics(full=True)  # a full refresh rebuilds too, and changes nothing
    assert _engagement(db, workspace.id) == before


def test_local_rows_follow_status_changes(db, workspace):
    """Incremental refreshes move a message's counts between local hours as its state moves:
    a read that turns up later, and a reply."""
    from app.workspaces.models import Workspace

    db.get(Workspace, workspace.id).timezone = "Australia/Lord_Howe"  # +10:30 in June
    db.commit()
    sender = make_sender(db, workspace.id, "pn-lh")
    contact = make_contact(db, workspace.id, "+14155550199")
    at = datetime(2026, 6, 10, 3, 20, tzinfo=UTC)  # 13:50 local
    m = Message(
        workspace_id=workspace.id,
        contact_id=contact.id,
        sender_id=sender.id,
        direction="outbound",
        status="delivered",
        body="hi",
        created_at=at,
        sent_at=at,
        delivered_at=at,
    )
    db.add(m)
    db.commit()
    update_campaign_analytics()
    e = _engagement(db, workspace.id)
    assert sum(e["reads_by_hour"]) == 0 and e["sending_hours"][13]["sent"] == 1
    m.status, m.read_at = "read", at + timedelta(minutes=15)  # 14:05 local
    m.replied_at = at + timedelta(hours=2)  # 15:50 local
    db.commit()
    update_campaign_analytics()
    assert _from_local_rows(db, workspace.id, "Australia/Lord_Howe")
    e = _engagement(db, workspace.id)
    assert _nonzero(e["reads_by_hour"]) == {14: 1}
    assert _nonzero(e["replies_by_hour"]) == {15: 1}
    assert e["sending_hours"][13]["replied"] == 1
    assert e["reply_time"]["p50_within_seconds"] == 7200
    hours = db.scalars(
        select(LocalHourCounter.hour).where(
            LocalHourCounter.workspace_id == workspace.id, LocalHourCounter.measure == "read"
        )
    ).all()
    assert list(hours) == [14]
