"""Issue 13, continued: quiet hours across every zone of a phone prefix, HTTP 400 code 100
subcode 33 stopping the number, the Graph API version table and its start-up warning, and
`send_message` pacing like the dispatcher (real PostgreSQL, Redis, the loopback Graph API)."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import orjson
import pytest
from sqlalchemy import text

from app.campaigns.models import Campaign
from app.core.config import settings
from app.core.db import get_engine
from app.integrations.whatsapp.base import ErrorCategory
from app.integrations.whatsapp.errors import error_from_response
from app.integrations.whatsapp.versions import VERSIONS, version_warning
from app.messaging.models import Message
from app.outbound import dispatch as dispatch_module
from app.outbound.dispatch import run_dispatch, send_one, sender_lease
from app.pacing.quiet_hours import contact_zones, next_allowed
from app.senders.models import SenderNumber
from tests.engine_support import make_campaign, make_contacts, status_counts
from tests.fakes.graph_api import graph_api_fixture  # noqa: F401  (fixture "graph_api")
from tests.support.engine import engine_settings  # noqa: F401  (autouse fixture)
from tests.test_engine_pipeline import big_sender, fresh, rows

PT_MOBILE = "+351912345678"  # libphonenumber: Atlantic/Azores, Europe/Lisbon (1 h apart)


@pytest.fixture
def quiet(monkeypatch):
    monkeypatch.setattr(settings, "QUIET_HOURS_ENABLED", True)
    monkeypatch.setattr(settings, "QUIET_HOURS_START", 20)
    monkeypatch.setattr(settings, "QUIET_HOURS_END", 9)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- 7. quiet hours: every zone of the prefix -------------------------------------------------


def test_portuguese_mobile_waits_for_lisbon_at_night(quiet):
    # 19:30 UTC in July = 20:30 in Lisbon (quiet), 19:30 on the Azores (allowed).
    at = utc(2026, 7, 1, 19, 30)
    for stored in (None, "Atlantic/Azores"):  # nothing, or what creation derived (first zone)
        until = next_allowed(now=at, timezone=stored, phone=PT_MOBILE)
        # open again when BOTH are: 09:00 Azores = 09:00 UTC (Lisbon opened at 08:00 UTC)
        assert until == utc(2026, 7, 2, 9, 0), stored


def test_portuguese_mobile_waits_for_the_azores_in_the_morning(quiet):
    at = utc(2026, 7, 2, 8, 30)  # 09:30 Lisbon (open), 08:30 Azores (quiet)
    assert next_allowed(now=at, timezone=None, phone=PT_MOBILE) == utc(2026, 7, 2, 9, 0)
    assert next_allowed(now=utc(2026, 7, 2, 9, 0), timezone=None, phone=PT_MOBILE) is None


def test_explicit_zone_of_the_contact_wins(quiet):
    at = utc(2026, 7, 2, 8, 30)
    assert contact_zones(timezone="Europe/Lisbon", phone=PT_MOBILE)[0].key == "Europe/Lisbon"
    assert next_allowed(now=at, timezone="Europe/Lisbon", phone=PT_MOBILE) is None
    # a Lisbon landline has one zone: unchanged behaviour
    assert next_allowed(now=at, timezone=None, phone="+351213456789") is None


@pytest.mark.parametrize(
    ("phone", "zones"),
    [
        ("+68670012345", {"Pacific/Tarawa", "Pacific/Kiritimati", "Pacific/Enderbury"}),  # KI
        ("+68987123456", {"Pacific/Tahiti", "Pacific/Marquesas", "Pacific/Gambier"}),  # PF
        ("+243812345678", {"Africa/Kinshasa", "Africa/Lubumbashi"}),  # CD
    ],
)
def test_multi_zone_prefixes_send_only_when_every_zone_is_open(quiet, phone, zones):
    assert {z.key for z in contact_zones(timezone=None, phone=phone)} == zones
    start = utc(2026, 3, 10, 0, 0)
    for minutes in range(0, 24 * 60, 15):
        at = start.replace(hour=minutes // 60, minute=minutes % 60)
        until = next_allowed(now=at, timezone=None, phone=phone)
        open_everywhere = all(
            9 <= at.astimezone(z).hour < 20 for z in contact_zones(timezone=None, phone=phone)
        )
        assert (until is None) == open_everywhere, at
        if until is not None:  # the answer is the first moment open in every zone
            assert all(
                9 <= until.astimezone(z).hour < 20
                for z in contact_zones(timezone=None, phone=phone)
            )


def test_engine_defers_a_portuguese_mobile_at_lisbon_night(
    db, workspace, graph_api, quiet, monkeypatch
):
    from app.contacts.models import Contact

    sender = big_sender(db, workspace.id)
    (cid_contact,) = make_contacts(db, workspace.id, 1)
    db.query(Contact).filter(Contact.id == cid_contact).update(
        {
            "phone": PT_MOBILE,
            "timezone": "Atlantic/Azores",  # what creation derives: the first zone
            "last_inbound_at": utc(2027, 7, 1, 19, 0),  # inside its window at the fake "now"
        }
    )
    db.commit()
    cid = make_campaign(db, workspace.id, sender.id, [cid_contact])
    from app.outbound import pipeline as pipeline_module

    # A summer evening ahead of the real clock, so the deferral is in the future.
    monkeypatch.setattr(pipeline_module, "utcnow", lambda: utc(2027, 7, 1, 19, 30))
    run_dispatch(sender_id=sender.id)
    (m,) = rows(db, cid)
    assert (m.status, m.next_attempt_at) == ("queued", utc(2027, 7, 2, 9, 0))
    assert graph_api.requests() == []


# --- Cloud API: 100 / subcode 33 stops the number ---------------------------------------------


def _graph_body(code: int, subcode: int | None = None) -> bytes:
    error = {"message": "Unsupported post request.", "type": "GraphMethodException", "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    return orjson.dumps({"error": error})


def test_code_100_subcode_33_is_sender_level_with_a_hint():
    err = error_from_response(400, _graph_body(100, 33))
    assert err.category == ErrorCategory.SENDER_BLOCKED
    assert "phone number ID" in err.details["hint"]
    plain = error_from_response(400, _graph_body(100))  # a bad parameter of one message
    assert plain.category == ErrorCategory.PERMANENT and "hint" not in plain.details


def test_wrong_phone_number_id_pauses_the_number_and_says_why(
    db, workspace, graph_api, monkeypatch
):
    monkeypatch.setattr(settings, "SEND_CONCURRENCY", 1)
    sender = big_sender(db, workspace.id)
    cid = make_campaign(db, workspace.id, sender.id, make_contacts(db, workspace.id, 5))
    graph_api.script(code=100, subcode=33, http_status=400, times=None)

    run_dispatch(sender_id=sender.id)

    fresh(db)
    number = db.get(SenderNumber, sender.id)
    assert number.status == "paused"
    assert "subcode 33" in number.status_reason and "phone number ID" in number.status_reason
    campaign = db.get(Campaign, cid)
    assert campaign.status == "paused" and "phone number ID" in campaign.status_reason
    assert len(graph_api.requests()) == 1  # not every message failed one by one
    assert status_counts(db, cid) == {"queued": 5}
    assert {m.attempts for m in rows(db, cid)} == {0}


# --- Graph API version ------------------------------------------------------------------------


def test_default_version_is_current_and_not_warned():
    assert type(settings).model_fields["WHATSAPP_API_VERSION"].default == "v24.0"
    assert version_warning("v24.0", today=date(2026, 12, 1)) is None


def test_version_warning_from_60_days_before_retirement():
    assert VERSIONS["v21.0"][1] == date(2027, 1, 21)
    assert version_warning("v21.0", today=date(2026, 11, 21)) is None  # 61 days left
    soon = version_warning("v21.0", today=date(2026, 12, 1))
    assert soon and "2027-01-21" in soon and "51 days" in soon and "v24.0" in soon
    gone = version_warning("v21.0", today=date(2027, 2, 1))
    assert gone and "was retired on 2027-01-21" in gone
    assert "not in the table" in (version_warning("v99.0", today=date(2026, 12, 1)) or "")


def test_start_up_warns_about_a_retiring_version(monkeypatch, caplog):
    from app import wiring

    monkeypatch.setattr(settings, "WHATSAPP_API_VERSION", "v21.0")
    monkeypatch.setattr(wiring, "_checked", False)
    monkeypatch.setattr(wiring, "utcnow", lambda: utc(2026, 12, 1, 9, 0))
    with caplog.at_level(logging.WARNING):
        wiring.wire()
    assert any("v21.0 is retired on 2027-01-21" in r.getMessage() for r in caplog.records)


# --- suspected: send_message paces like the dispatcher ----------------------------------------


def test_send_message_waits_for_the_lease_and_keeps_it_through_the_delay(
    db, workspace, graph_api, monkeypatch
):
    monkeypatch.setattr(settings, "MESSAGE_DELAY_MIN", 1.0)
    monkeypatch.setattr(settings, "MESSAGE_DELAY_MAX", 2.0)
    sender = big_sender(db, workspace.id)
    cid = make_campaign(db, workspace.id, sender.id, make_contacts(db, workspace.id, 2))
    first, second = rows(db, cid)

    with sender_lease(sender.id) as held:  # a dispatcher is pacing the number
        assert held
        assert send_one(message_id=first.id) is False
    assert graph_api.requests() == []

    lease_free_during_delay = []

    def sleep(seconds: float) -> None:
        assert 1.0 <= seconds <= 2.0
        with get_engine().connect() as conn:
            key = 0x5741_0000_0000 + sender.id
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
            if got:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            lease_free_during_delay.append(got)

    monkeypatch.setattr(dispatch_module.time, "sleep", sleep)
    assert send_one(message_id=first.id) is True
    assert lease_free_during_delay == [False]
    fresh(db)
    assert db.get(Message, first.id).status == "sent"
    assert db.get(Message, second.id).status == "queued"
