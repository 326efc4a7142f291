"""POST/GET /campaigns: the seed's bodies, up-front validation, audience, workspace isolation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.campaigns.models import Campaign, DripStep
from app.core.db import utcnow
from tests.support.factories import make_contact, make_sender, make_template

URL = "/api/v1/campaigns"


@pytest.fixture
def sender(db, workspace):
    return make_sender(db, workspace.id, "100000000000001")


@pytest.fixture
def contacts(db, workspace):
    """Three opted-in contacts; the first wrote to us an hour ago (inside the 24 h window)."""
    return [
        make_contact(db, workspace.id, "+14155550101", name="Ann Lee", last_inbound_minutes_ago=60),
        make_contact(
            db, workspace.id, "+14155550102", name="Bob Stone", attributes={"city": "Rome"}
        ),
        make_contact(db, workspace.id, "+14155550103", name="Cy", email="cy@example.com"),
    ]


def broadcast_body(sender, contacts, **over):
    body = {
        "name": "Product Launch Campaign",
        "message_template": "Hi {name}! We just launched {product_name}. Check it out!",
        "contact_ids": [c.id for c in contacts],
        "phone_number_id": sender.id,
        "metadata": {"tone": "friendly", "product_name": "SuperApp 2.0"},
    }
    body.update(over)
    return body


def drip_body(sender, contacts, **over):
    body = {
        "name": "Onboarding Drip",
        "type": "drip",
        "contact_ids": [c.id for c in contacts],
        "phone_number_id": sender.id,
        "metadata": {
            "sequence": [
                {"delay_hours": 0, "message": "Welcome {name}! Thanks for signing up."},
                {"delay_hours": 24, "message": "Hi {name}, here are some tips to get started..."},
                {"delay_hours": 72, "message": "How's it going {name}? Any questions?"},
            ]
        },
    }
    body.update(over)
    return body


def campaign_count(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Campaign))


def assert_422(r, field_prefix):
    assert r.status_code == 422, r.text
    fields = [e["field"] for e in r.json()["errors"]]
    assert any(f.startswith(field_prefix) for f in fields), fields
    return r.json()


# --- creation --------------------------------------------------------------------------------


def test_create_broadcast_with_seed_body(client, auth, db, sender, contacts):
    r = client.post(URL, json=broadcast_body(sender, contacts), headers=auth)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["status"] == "draft" and out["type"] == "broadcast"
    assert out["phone_number_id"] == sender.id
    assert out["recipient_count"] == 3
    assert out["metadata"]["product_name"] == "SuperApp 2.0"
    assert out["ai_rewrite"] is False and out["stop_on_reply"] is True
    assert out["audience"] == {
        "total": 3,
        "eligible": 3,
        "opted_out": 0,
        "not_opted_in": 0,
        "outside_service_window": 2,
    }
    stored = db.get(Campaign, out["id"])
    assert stored.contact_ids == [c.id for c in contacts]
    assert stored.message_template.startswith("Hi {name}!")


def test_create_drip_with_seed_body(client, auth, db, sender, contacts):
    r = client.post(URL, json=drip_body(sender, contacts), headers=auth)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["type"] == "drip" and out["status"] == "draft"
    assert [s["delay_hours"] for s in out["steps"]] == [0, 24, 72]
    assert out["steps"][1]["message_template"].startswith("Hi {name}, here are")
    positions = db.scalars(select(DripStep.position).where(DripStep.campaign_id == out["id"]))
    assert sorted(positions) == [0, 1, 2]


def test_drip_stop_on_reply_and_ai_rewrite_from_metadata(client, auth, sender, contacts):
    body = drip_body(sender, contacts)
    body["metadata"].update(stop_on_reply=False, ai_rewrite=True)
    out = client.post(URL, json=body, headers=auth).json()
    assert out["stop_on_reply"] is False and out["ai_rewrite"] is True
    body = broadcast_body(sender, contacts, ai_rewrite=True)
    assert client.post(URL, json=body, headers=auth).json()["ai_rewrite"] is True


def test_duplicate_contact_ids_are_collapsed(client, auth, sender, contacts):
    ids = [c.id for c in contacts]
    r = client.post(URL, json=broadcast_body(sender, contacts, contact_ids=ids + ids), headers=auth)
    assert r.status_code == 201 and r.json()["recipient_count"] == 3


def test_template_broadcast_by_id_and_by_name(client, auth, db, workspace, sender, contacts):
    template = make_template(db, workspace.id)  # "Hello {{1}}, your order {{2}} is ready."
    params = ["{first_name|there}", "{order_id}"]
    body = broadcast_body(
        sender, contacts, template_id=template.id, template_params=params, message_template=None
    )
    body["metadata"]["order_id"] = "A-1"
    r = client.post(URL, json=body, headers=auth)
    assert r.status_code == 201, r.text
    assert r.json()["template_id"] == template.id
    assert r.json()["template_params"] == params

    del body["template_id"]
    body.update(template_name="order_update", language="en_US")
    r = client.post(URL, json=body, headers=auth)
    assert r.status_code == 201 and r.json()["template_id"] == template.id


def test_drip_with_template_step(client, auth, db, workspace, sender, contacts):
    template = make_template(db, workspace.id)
    body = drip_body(sender, contacts)
    body["metadata"]["sequence"].append(
        {"delay_hours": 48, "template_id": template.id, "template_params": ["{name}", "{{x}}"]}
    )
    r = client.post(URL, json=body, headers=auth)
    assert r.status_code == 201, r.text
    assert r.json()["steps"][3]["template_params"] == ["{name}", "{{x}}"]


def test_future_scheduled_at_makes_it_scheduled(client, auth, sender, contacts):
    when = (utcnow() + timedelta(hours=2)).isoformat()
    r = client.post(URL, json=broadcast_body(sender, contacts, scheduled_at=when), headers=auth)
    assert r.status_code == 201 and r.json()["status"] == "scheduled"


def test_audience_counts_consent_and_window(client, auth, db, workspace, sender):
    cs = [
        make_contact(db, workspace.id, "+14155550111", last_inbound_minutes_ago=10),
        make_contact(db, workspace.id, "+14155550112", last_inbound_minutes_ago=60 * 30),
        make_contact(db, workspace.id, "+14155550113"),
        make_contact(db, workspace.id, "+14155550114", opted_in=False),
        make_contact(db, workspace.id, "+14155550115", opted_out_at=utcnow()),
    ]
    body = broadcast_body(sender, cs, message_template="Hello {name|friend}")
    r = client.post(URL, json=body, headers=auth)
    assert r.status_code == 201, r.text
    assert r.json()["audience"] == {
        "total": 5,
        "eligible": 3,
        "opted_out": 1,
        "not_opted_in": 1,
        "outside_service_window": 2,
    }


# --- bad input: clear 4xx, nothing created --------------------------------------------------


def test_unknown_contact_ids_are_listed(client, auth, db, sender, contacts):
    body = broadcast_body(sender, contacts, contact_ids=[contacts[0].id, 999999, 888888])
    out = assert_422(client.post(URL, json=body, headers=auth), "contact_ids")
    assert out["errors"][0]["unknown_ids"] == [999999, 888888]
    assert "999999" in out["detail"]
    assert campaign_count(db) == 0


def test_other_workspace_contacts_are_unknown(client, auth, db, sender, contacts, other_workspace):
    foreign = make_contact(db, other_workspace.id, "+14155550199")
    body = broadcast_body(sender, contacts, contact_ids=[contacts[0].id, foreign.id])
    out = assert_422(client.post(URL, json=body, headers=auth), "contact_ids")
    assert out["errors"][0]["unknown_ids"] == [foreign.id]
    assert campaign_count(db) == 0


def test_other_workspace_sender_is_404(client, auth, db, contacts, other_workspace):
    foreign_sender = make_sender(db, other_workspace.id, "100000000000099")
    r = client.post(URL, json=broadcast_body(foreign_sender, contacts), headers=auth)
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert campaign_count(db) == 0


def test_unknown_sender_is_404(client, auth, db, sender, contacts):
    body = broadcast_body(sender, contacts, phone_number_id=424242)
    assert client.post(URL, json=body, headers=auth).status_code == 404


def test_inactive_sender_is_422(client, auth, db, workspace, contacts):
    paused = make_sender(db, workspace.id, "100000000000002", status="blocked")
    out = assert_422(client.post(URL, json=broadcast_body(paused, contacts), headers=auth), "phone")
    assert "blocked" in out["detail"]
    assert campaign_count(db) == 0


def test_empty_contact_list_is_422(client, auth, db, sender, contacts):
    r = client.post(URL, json=broadcast_body(sender, contacts, contact_ids=[]), headers=auth)
    assert_422(r, "contact_ids")
    assert campaign_count(db) == 0


@pytest.mark.parametrize("bad", [[0], [-3], [2**63], ["x"], "1,2", None])
def test_invalid_contact_ids_are_422(client, auth, sender, contacts, bad):
    r = client.post(URL, json=broadcast_body(sender, contacts, contact_ids=bad), headers=auth)
    assert_422(r, "contact_ids")


def test_more_than_max_recipients_is_422(client, auth, db, sender, contacts):
    from app.core.config import settings

    ids = list(range(1, settings.MAX_CAMPAIGN_RECIPIENTS + 2))
    r = client.post(URL, json=broadcast_body(sender, contacts, contact_ids=ids), headers=auth)
    out = assert_422(r, "contact_ids")
    assert str(settings.MAX_CAMPAIGN_RECIPIENTS) in out["detail"]
    assert campaign_count(db) == 0


def test_placeholder_no_recipient_can_fill_is_422(client, auth, db, sender, contacts):
    body = broadcast_body(sender, contacts, message_template="Hi {name}, your {coupon} awaits")
    out = assert_422(client.post(URL, json=body, headers=auth), "message_template")
    assert "{coupon}" in out["detail"] and "any recipient" in out["detail"]
    assert campaign_count(db) == 0


def test_placeholder_some_recipients_cannot_fill_lists_them(client, auth, db, sender, contacts):
    body = broadcast_body(sender, contacts, message_template="See you in {city}!")
    out = assert_422(client.post(URL, json=body, headers=auth), "message_template")
    assert out["errors"][0]["contact_ids"] == [contacts[0].id, contacts[2].id]
    assert "{city|" in out["detail"]  # suggests a fallback
    body["message_template"] = "See you in {city|town}!"
    assert client.post(URL, json=body, headers=auth).status_code == 201


def test_placeholder_in_drip_step_is_checked(client, auth, db, sender, contacts):
    body = drip_body(sender, contacts)
    body["metadata"]["sequence"][2]["message"] = "Your {plan} renews soon"
    assert_422(client.post(URL, json=body, headers=auth), "metadata.sequence.2.message")
    assert campaign_count(db) == 0


def test_unapproved_template_is_422(client, auth, db, workspace, sender, contacts):
    pending = make_template(db, workspace.id, "promo", status="PENDING", body="Hi {{1}}")
    body = broadcast_body(
        sender, contacts, message_template=None, template_id=pending.id, template_params=["{name}"]
    )
    out = assert_422(client.post(URL, json=body, headers=auth), "template_id")
    assert "PENDING" in out["detail"]
    assert campaign_count(db) == 0


def test_unknown_or_foreign_template_is_404(client, auth, db, sender, contacts, other_workspace):
    foreign = make_template(db, other_workspace.id)
    for template_id in (foreign.id, 987654):
        body = broadcast_body(
            sender, contacts, message_template=None, template_id=template_id, template_params=[]
        )
        assert client.post(URL, json=body, headers=auth).status_code == 404
    assert campaign_count(db) == 0


def test_template_param_count_mismatch_is_422(client, auth, db, workspace, sender, contacts):
    template = make_template(db, workspace.id)
    body = broadcast_body(
        sender, contacts, message_template=None, template_id=template.id, template_params=["a"]
    )
    assert_422(client.post(URL, json=body, headers=auth), "template_params")


def test_text_and_template_together_is_422(client, auth, db, workspace, sender, contacts):
    template = make_template(db, workspace.id)
    body = broadcast_body(sender, contacts, template_id=template.id, template_params=["a", "b"])
    assert_422(client.post(URL, json=body, headers=auth), "message_template")
    body = broadcast_body(sender, contacts, message_template=None)
    assert_422(client.post(URL, json=body, headers=auth), "message_template")
    body = broadcast_body(sender, contacts, template_params=["{name}"])
    assert_422(client.post(URL, json=body, headers=auth), "template_params")


@pytest.mark.parametrize(
    ("sequence", "field"),
    [
        (None, "metadata.sequence"),
        ([], "metadata.sequence"),
        ("daily", "metadata.sequence"),
        ([{"delay_hours": -1, "message": "hi"}], "metadata.sequence.0.delay_hours"),
        ([{"delay_hours": 1}], "metadata.sequence.0"),
        ([{"message": "hi"}], "metadata.sequence.0.delay_hours"),
        ([{"delay_hours": 1, "message": "hi", "bogus": 1}], "metadata.sequence.0.bogus"),
    ],
)
def test_bad_drip_sequences_are_422(client, auth, db, sender, contacts, sequence, field):
    body = drip_body(sender, contacts)
    body["metadata"]["sequence"] = sequence
    assert_422(client.post(URL, json=body, headers=auth), field)
    assert campaign_count(db) == 0


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"name": ""}, "name"),
        ({"phone_number_id": "abc"}, "phone_number_id"),
        ({"type": "blast"}, "type"),
        ({"metadata": []}, "metadata"),
        ({"scheduled_at": "yesterday"}, "scheduled_at"),
        ({"scheduled_at": "2001-01-01T00:00:00Z"}, "scheduled_at"),
        ({"unknown_field": 1}, "unknown_field"),
        ({"message_template": "x" * 5000}, "message_template"),
    ],
)
def test_bad_fields_are_422(client, auth, db, sender, contacts, over, field):
    r = client.post(URL, json=broadcast_body(sender, contacts, **over), headers=auth)
    assert_422(r, field)
    assert campaign_count(db) == 0


def test_several_problems_are_reported_together(client, auth, db, sender, contacts):
    body = broadcast_body(
        sender, contacts, contact_ids=[contacts[0].id, 999999], scheduled_at="2001-01-01T00:00:00Z"
    )
    out = assert_422(client.post(URL, json=body, headers=auth), "contact_ids")
    assert {"contact_ids", "scheduled_at"} <= {e["field"] for e in out["errors"]}


def test_malformed_json_and_missing_auth(client, auth, sender, contacts):
    r = client.post(URL, content="{not json", headers={**auth, "Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["code"] == "malformed_json"
    assert client.post(URL, json=broadcast_body(sender, contacts)).status_code == 401
    assert client.get(URL).status_code == 401
    assert client.post(f"{URL}/1/start").status_code == 401


# --- reading ---------------------------------------------------------------------------------


def test_list_paginates_and_filters_by_status(client, auth, sender, contacts):
    ids = [client.post(URL, json=broadcast_body(sender, contacts), headers=auth).json()["id"]]
    ids += [client.post(URL, json=drip_body(sender, contacts), headers=auth).json()["id"]]
    later = (utcnow() + timedelta(days=1)).isoformat()
    body = broadcast_body(sender, contacts, scheduled_at=later)
    ids += [client.post(URL, json=body, headers=auth).json()["id"]]

    page = client.get(URL, params={"limit": 2}, headers=auth).json()
    assert page["total"] == 3 and [c["id"] for c in page["items"]] == ids[::-1][:2]
    assert page["items"][0]["recipient_count"] == 3 and page["items"][0]["steps"] is None
    page2 = client.get(URL, params={"limit": 2, "offset": 2}, headers=auth).json()
    assert [c["id"] for c in page2["items"]] == [ids[0]]

    drafts = client.get(URL, params={"status": "draft"}, headers=auth).json()
    assert drafts["total"] == 2 and {c["id"] for c in drafts["items"]} == set(ids[:2])
    assert client.get(URL, params={"status": "nope"}, headers=auth).status_code == 422
    assert client.get(URL, params={"limit": 0}, headers=auth).status_code == 422


def test_get_detail_has_counts(client, auth, sender, contacts):
    cid = client.post(URL, json=drip_body(sender, contacts), headers=auth).json()["id"]
    out = client.get(f"{URL}/{cid}", headers=auth).json()
    assert out["id"] == cid and out["audience"]["total"] == 3
    assert out["message_counts"]["queued"] == 0 and "delivered" in out["message_counts"]
    assert out["enrollment_counts"] == {"active": 0, "completed": 0, "stopped": 0, "cancelled": 0}
    assert len(out["steps"]) == 3


def test_unknown_and_out_of_range_ids_are_404_or_422(client, auth):
    assert client.get(f"{URL}/12345", headers=auth).status_code == 404
    assert client.post(f"{URL}/12345/start", headers=auth).status_code == 404
    assert client.get(f"{URL}/{2**70}", headers=auth).status_code == 422
    assert client.get(f"{URL}/abc", headers=auth).status_code == 422


def test_other_workspace_campaign_is_404_everywhere(
    client, auth, sender, contacts, other_workspace
):
    cid = client.post(URL, json=broadcast_body(sender, contacts), headers=auth).json()["id"]
    foreign = other_workspace.headers
    assert client.get(f"{URL}/{cid}", headers=foreign).status_code == 404
    for action in ("start", "pause", "resume", "cancel"):
        assert client.post(f"{URL}/{cid}/{action}", headers=foreign).status_code == 404
    assert client.get(URL, headers=foreign).json()["total"] == 0
    assert client.get(f"{URL}/{cid}", headers=auth).json()["status"] == "draft"
