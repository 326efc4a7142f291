"""Pacing policy (SPEC §6): warm-up ramp, Meta tiers, effective caps, counts from the DB."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.core.config import settings
from app.senders import limits
from app.senders.models import SenderNumber

SPEC_RAMP = [20, 30, 50, 75, 100, 150, 200, 300, 400, 500, 700, 900, 1000, 1000]
START = date(2025, 3, 1)


def _sender(**fields) -> SenderNumber:
    defaults = {
        "warmup_started_on": None,
        "messaging_tier": "TIER_UNLIMITED",
        "max_per_hour": None,
        "max_per_day": None,
    }
    return SenderNumber(**{**defaults, **fields})


@pytest.fixture
def warmup_on(monkeypatch):
    monkeypatch.setattr(settings, "WARMUP_ENABLED", True)
    monkeypatch.setattr(settings, "WARMUP_DAYS", 14)
    monkeypatch.setattr(settings, "MAX_MESSAGES_PER_HOUR", 100)
    monkeypatch.setattr(settings, "MAX_MESSAGES_PER_DAY", 1000)


@pytest.mark.parametrize("day", range(1, 15))
def test_every_warmup_day_matches_the_spec(warmup_on, day):
    today = START + timedelta(days=day - 1)
    assert limits.warmup_day(START, today) == day
    assert limits.warmup_cap(day) == SPEC_RAMP[day - 1]
    caps = limits.effective_caps(_sender(warmup_started_on=START), today=today)
    assert caps.warmup_day == day
    assert caps.daily == min(1000, SPEC_RAMP[day - 1])
    assert caps.hourly == min(100, caps.daily)


def test_day_15_has_no_warmup_cap(warmup_on):
    today = START + timedelta(days=14)
    assert limits.warmup_day(START, today) is None
    assert limits.warmup_cap(None) is None
    caps = limits.effective_caps(_sender(warmup_started_on=START), today=today)
    assert (caps.warmup_day, caps.warmup_cap, caps.daily, caps.hourly) == (None, None, 1000, 100)


def test_no_start_date_means_no_warmup(warmup_on):
    assert limits.warmup_day(None, START) is None
    assert limits.effective_caps(_sender(), today=START).warmup_cap is None


def test_future_start_date_counts_as_day_one(warmup_on):
    assert limits.warmup_day(START, START - timedelta(days=3)) == 1


def test_disabled_warmup(warmup_on, monkeypatch):
    monkeypatch.setattr(settings, "WARMUP_ENABLED", False)
    assert limits.warmup_day(START, START) is None
    caps = limits.effective_caps(_sender(warmup_started_on=START), today=START)
    assert (caps.warmup_day, caps.warmup_cap, caps.daily) == (None, None, 1000)


def test_scaled_warmup_for_other_lengths(warmup_on, monkeypatch):
    monkeypatch.setattr(settings, "WARMUP_DAYS", 7)
    ramp = [limits.warmup_cap(d) for d in range(1, 8)]
    assert ramp[0] == 20 and ramp[-1] == 1000
    assert ramp == sorted(ramp) and set(ramp) <= set(SPEC_RAMP)
    assert limits.warmup_day(START, START + timedelta(days=7)) is None

    monkeypatch.setattr(settings, "WARMUP_DAYS", 28)
    ramp = [limits.warmup_cap(d) for d in range(1, 29)]
    assert ramp[0] == 20 and ramp[-1] == 1000 and ramp == sorted(ramp)
    assert set(ramp) == set(SPEC_RAMP)  # a longer warm-up visits every step

    monkeypatch.setattr(settings, "WARMUP_DAYS", 1)
    assert limits.warmup_cap(1) == 20
    assert limits.warmup_day(START, START + timedelta(days=1)) is None


def test_per_number_overrides(warmup_on):
    late = START + timedelta(days=30)  # warm-up over
    caps = limits.effective_caps(_sender(max_per_hour=7, max_per_day=300), today=late)
    assert (caps.hourly, caps.daily) == (7, 300)
    # An hourly override above the daily cap is clipped to the daily cap.
    caps = limits.effective_caps(_sender(max_per_hour=500, max_per_day=40), today=late)
    assert (caps.hourly, caps.daily) == (40, 40)
    # Overrides may raise the defaults, but warm-up still wins on day 2.
    caps = limits.effective_caps(
        _sender(max_per_day=5000, max_per_hour=900, warmup_started_on=START),
        today=START + timedelta(days=1),
    )
    assert (caps.daily, caps.hourly, caps.warmup_cap) == (30, 30, 30)


@pytest.mark.parametrize(
    ("tier", "cap"),
    [
        ("TIER_250", 250),
        ("TIER_2K", 2000),
        ("TIER_10K", 10_000),
        ("TIER_100K", 100_000),
        ("TIER_UNLIMITED", None),
        ("TIER_1K", 1000),
        ("TIER_50", 50),
        ("tier_2k", 2000),
        ("LIMIT_10K", 10_000),
        ("2000", 2000),
        ("unlimited", None),
    ],
)
def test_tier_caps(tier, cap):
    assert limits.tier_cap(tier) == cap


def test_tier_normalisation_and_unknown():
    assert limits.normalize_tier(" tier_100k ") == "TIER_100K"
    assert limits.normalize_tier("250") == "TIER_250"
    with pytest.raises(ValueError):
        limits.normalize_tier("TIER_3K")
    # An unreadable stored tier falls back to Meta's new-portfolio limit, never "unlimited".
    assert limits.tier_cap("garbage") == 250
    assert limits.tier_cap(None) == 250


def test_tier_cap_is_not_folded_into_daily_and_hourly(warmup_on, monkeypatch):
    # Issue 13: Meta's tier counts unique recipients outside their service window, not
    # messages; the throttle checks it in its own window, so it does not cap daily/hourly.
    monkeypatch.setattr(settings, "MAX_MESSAGES_PER_DAY", 5000)
    monkeypatch.setattr(settings, "MAX_MESSAGES_PER_HOUR", 800)
    late = START + timedelta(days=30)
    caps = limits.effective_caps(_sender(messaging_tier="TIER_250"), today=late)
    assert (caps.tier_cap, caps.daily, caps.hourly) == (250, 5000, 800)
    caps = limits.effective_caps(_sender(messaging_tier="TIER_2K"), today=late)
    assert (caps.tier_cap, caps.daily, caps.hourly) == (2000, 5000, 800)
    caps = limits.effective_caps(_sender(messaging_tier="TIER_UNLIMITED"), today=late)
    assert (caps.tier_cap, caps.daily) == (None, 5000)


def test_minimum_of_everything(warmup_on):
    # Day 4 (75), tier 50, override 60/day: the override is the tightest message cap; the tier
    # (50 recipients) is its own window (issue 13).
    caps = limits.effective_caps(
        _sender(warmup_started_on=START, messaging_tier="TIER_50", max_per_day=60),
        today=START + timedelta(days=3),
    )
    assert (caps.warmup_cap, caps.tier_cap, caps.daily, caps.hourly) == (75, 50, 60, 60)


# --- counts from the messages table -------------------------------------------------------


def _outbound(db, *, workspace_id, contact_id, sender_id, sent_at, **fields):
    from app.messaging.models import Message

    row = Message(
        workspace_id=workspace_id,
        contact_id=contact_id,
        sender_id=sender_id,
        direction=fields.pop("direction", "outbound"),
        body="hi",
        status=fields.pop("status", "sent"),
        sent_at=sent_at,
        **fields,
    )
    db.add(row)
    return row


def test_sent_counts_windows(db, workspace):
    from tests.support.factories import make_contact, make_sender

    sender = make_sender(db, workspace.id, "111")
    other = make_sender(db, workspace.id, "222")
    contact = make_contact(db, workspace.id, "+14155550100")
    now = datetime(2025, 3, 10, 15, 0, tzinfo=UTC)
    base = {"workspace_id": workspace.id, "contact_id": contact.id}
    for minutes_ago in (5, 59):  # last hour and today
        _outbound(db, **base, sender_id=sender.id, sent_at=now - timedelta(minutes=minutes_ago))
    _outbound(db, **base, sender_id=sender.id, sent_at=now - timedelta(hours=3), status="read")
    _outbound(db, **base, sender_id=sender.id, sent_at=datetime(2025, 3, 10, 0, 0, tzinfo=UTC))
    # Yesterday, inbound, another sender and unsent rows are not counted; 61 min ago is
    # outside the hour but still today.
    _outbound(db, **base, sender_id=sender.id, sent_at=datetime(2025, 3, 9, 23, 59, tzinfo=UTC))
    _outbound(db, **base, sender_id=sender.id, sent_at=now - timedelta(minutes=61))
    _outbound(db, **base, sender_id=sender.id, sent_at=now, direction="inbound")
    _outbound(db, **base, sender_id=other.id, sent_at=now - timedelta(minutes=1))
    _outbound(db, **base, sender_id=sender.id, sent_at=None, status="queued")
    _outbound(
        db,
        **base,
        sender_id=sender.id,
        sent_at=None,
        status="sending",
        claimed_at=now - timedelta(minutes=2),
    )
    db.commit()

    assert limits.sent_counts(db=db, sender_id=sender.id, now=now) == (2, 5)
    assert limits.sent_counts(db=db, sender_id=sender.id, now=now, include_in_flight=True) == (
        3,
        6,
    )
    assert limits.sent_counts(db=db, sender_id=other.id, now=now) == (1, 1)


def test_sent_counts_just_after_midnight(db, workspace):
    """The last hour reaches into yesterday; "today" restarts at 00:00 UTC."""
    from tests.support.factories import make_contact, make_sender

    sender = make_sender(db, workspace.id, "333")
    contact = make_contact(db, workspace.id, "+14155550101")
    base = {"workspace_id": workspace.id, "contact_id": contact.id, "sender_id": sender.id}
    _outbound(db, **base, sent_at=datetime(2025, 3, 9, 23, 50, tzinfo=UTC))
    _outbound(db, **base, sent_at=datetime(2025, 3, 10, 0, 10, tzinfo=UTC))
    _outbound(db, **base, sent_at=datetime(2025, 3, 9, 22, 0, tzinfo=UTC))
    db.commit()
    midnight = datetime(2025, 3, 10, 0, 30, tzinfo=UTC)
    assert limits.sent_counts(db=db, sender_id=sender.id, now=midnight) == (2, 1)
