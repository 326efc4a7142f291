"""Every template component kind, from a synced template through a campaign to the request the
fake Graph API receives and checks against Meta's rules (tests/fakes/graph_rules.py)."""

from __future__ import annotations

import asyncio

import pytest

from app.integrations.whatsapp.base import SenderCredentials, WhatsAppError
from app.integrations.whatsapp.cloud_api import CloudApiProvider
from tests.fakes.graph_api import DEFAULT_TOKEN, graph_api_fixture  # noqa: F401
from tests.support.engine import engine_settings  # noqa: F401  (autouse)
from tests.support.factories import make_contact, make_sender
from tests.support.templates import (
    NAMED,
    PROMO,
    WABA,
    create_campaign,
    fields,
    run_campaign,
    sync_all,
    upload,
)

PNID = "106540352242922"


@pytest.fixture
def world(db, workspace, client, auth, graph_api):
    sender = make_sender(
        db, workspace.id, PNID, waba_id=WABA, messaging_tier="TIER_UNLIMITED", max_per_hour=1000
    )
    ann = make_contact(
        db, workspace.id, "+14155550101", name="Ann Lee", attributes={"city": "rome"}
    )
    ids = sync_all(client, auth, graph_api, sender.id)
    return sender, ann, ids


def test_image_header_body_and_buttons_go_out_as_meta_documents(
    client,
    auth,
    db,
    workspace,
    world,
    graph_api,
):
    sender, ann, ids = world
    media = upload(client, auth, sender.id).json()
    r = create_campaign(
        client,
        auth,
        sender,
        [ann],
        template_id=ids["spring_promo"],
        template_params=["{first_name|there}", "{product_name}"],
        template_components={
            "header": {"image": {"media_id": media["id"]}},
            "buttons": {"0": "{city|spring}", "1": "promo-yes"},
        },
        metadata={"product_name": "SuperApp"},
    )
    assert r.status_code == 201, r.text
    [message] = run_campaign(db, workspace.id, r.json()["id"], sender.id)

    assert message.status == "sent", (message.error_code, message.error_detail)
    assert message.body == "Hi Ann, SuperApp is 20% off this week."
    assert graph_api.rejections() == []
    [sent] = graph_api.requests()
    assert sent["template"] == {
        "name": "spring_promo",
        "language": {"code": "en_US"},
        "components": [
            {
                "type": "header",
                "parameters": [{"type": "image", "image": {"id": media["provider_media_id"]}}],
            },
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "text": "Ann"},
                    {"type": "text", "text": "SuperApp"},
                ],
            },
            {
                "type": "button",
                "sub_type": "url",
                "index": "0",
                "parameters": [{"type": "text", "text": "rome"}],
            },
            {
                "type": "button",
                "sub_type": "quick_reply",
                "index": "1",
                "parameters": [{"type": "payload", "payload": "promo-yes"}],
            },
        ],
    }


def test_named_parameters_go_out_with_parameter_name(
    client,
    auth,
    db,
    workspace,
    world,
    graph_api,
):
    sender, ann, _ = world
    db.get(type(ann), ann.id).attributes = {"order_id": "A-77"}
    db.commit()
    r = create_campaign(
        client,
        auth,
        sender,
        [ann],
        template_name="order_named",
        language="en_US",
        template_components={
            "header": {"text": "{first_name}"},
            "body": {"first_name": "{first_name|there}", "order_id": "{order_id}"},
            "buttons": {"0": "SAVE20"},
        },
    )
    assert r.status_code == 201, r.text
    [message] = run_campaign(db, workspace.id, r.json()["id"], sender.id)
    assert message.status == "sent" and message.body == "Hi Ann, order A-77 ships today."
    [sent] = graph_api.requests()
    assert sent["template"]["components"] == [
        {
            "type": "header",
            "parameters": [{"type": "text", "text": "Ann", "parameter_name": "first_name"}],
        },
        {
            "type": "body",
            "parameters": [
                {"type": "text", "text": "Ann", "parameter_name": "first_name"},
                {"type": "text", "text": "A-77", "parameter_name": "order_id"},
            ],
        },
        {
            "type": "button",
            "sub_type": "copy_code",
            "index": "0",
            "parameters": [{"type": "coupon_code", "coupon_code": "SAVE20"}],
        },
    ]


@pytest.mark.parametrize(
    ("name", "components", "expected"),
    [
        (
            "invoice_doc",
            {"header": {"document": {"link": "https://x.com/i.pdf", "filename": "inv.pdf"}}},
            {
                "type": "document",
                "document": {"link": "https://x.com/i.pdf", "filename": "inv.pdf"},
            },
        ),
        (
            "launch_video",
            {"header": {"video": {"link": "https://x.com/v.mp4"}}},
            {"type": "video", "video": {"link": "https://x.com/v.mp4"}},
        ),
        (
            "store_location",
            {"header": {"location": {"latitude": 41.9, "longitude": 12.5, "name": "Shop"}}},
            {"type": "location", "location": {"latitude": 41.9, "longitude": 12.5, "name": "Shop"}},
        ),
    ],
)
def test_document_video_and_location_headers(
    client,
    auth,
    db,
    workspace,
    world,
    graph_api,
    name,
    components,
    expected,
):
    sender, ann, ids = world
    params = ["{first_name}"] if name == "launch_video" else []
    r = create_campaign(
        client,
        auth,
        sender,
        [ann],
        template_id=ids[name],
        template_params=params,
        template_components=components,
    )
    assert r.status_code == 201, r.text
    [message] = run_campaign(db, workspace.id, r.json()["id"], sender.id)
    assert message.status == "sent", message.error_detail
    [sent] = graph_api.requests()
    assert sent["template"]["components"][0] == {"type": "header", "parameters": [expected]}


# --- creation names the slot that is wrong ----------------------------------------------------


@pytest.mark.parametrize(
    ("template", "extra", "field"),
    [
        ("spring_promo", {"template_components": {"buttons": {"0": "x"}}}, "header.image"),
        (
            "spring_promo",
            {"template_components": {"header": {"image": {"link": "http://x.com/a.png"}}}},
            "header.image.link",
        ),
        (
            "spring_promo",
            {"template_components": {"header": {"image": {"link": "ftp://x.com/a.png"}}}},
            "header.image.link",
        ),
        (
            "spring_promo",
            {"template_components": {"header": {"image": {"media_id": 987654}}}},
            "header.image.media_id",
        ),
        (
            "spring_promo",
            {"template_components": {"header": {"video": {"link": "https://x.com/v.mp4"}}}},
            "header.video",
        ),
        ("spring_promo", {"template_components": {"header": {"image": {}}}}, "header.image"),
        (
            "spring_promo",
            {"template_components": {"header": {"image": {"link": "https://x.com/a.png"}}}},
            "buttons.0",
        ),
        (
            "spring_promo",
            {"template_components": {"buttons": {"5": "x"}}},
            "buttons.5",
        ),
        ("spring_promo", {"template_components": {"buttons": {"2": "x"}}}, "buttons.2"),
        ("invoice_doc", {"template_components": {"header": {"text": "Hi"}}}, "header.text"),
        (
            "order_named",
            {"template_components": {"header": {"text": "x"}, "body": {"first_name": "x"}}},
            "body.order_id",
        ),
        (
            "order_named",
            {
                "template_components": {
                    "header": {"text": "x"},
                    "body": {"first_name": "x", "order_id": "y", "bogus": "z"},
                    "buttons": {"0": "C"},
                }
            },
            "body.bogus",
        ),
        ("store_location", {"template_params": ["x"]}, "template_params"),
        ("cards", {}, "template_id"),
    ],
)
def test_a_bad_slot_is_a_422_naming_it(client, auth, world, template, extra, field):
    sender, ann, ids = world
    params = {"template_params": ["{first_name|there}", "x"]} if template == "spring_promo" else {}
    r = create_campaign(
        client, auth, sender, [ann], template_id=ids[template], **{**params, **extra}
    )
    assert r.status_code == 422, r.text
    named = fields(r)
    expected = (
        field if field in ("template_id", "template_params") else f"template_components.{field}"
    )
    assert expected in named, named


def test_media_of_another_number_is_refused(client, auth, db, workspace, world):
    sender, ann, ids = world
    other = make_sender(db, workspace.id, "106540352242999", waba_id=WABA)
    media = upload(client, auth, other.id).json()
    r = create_campaign(
        client,
        auth,
        sender,
        [ann],
        template_id=ids["spring_promo"],
        template_params=["a", "b"],
        template_components={
            "header": {"image": {"media_id": media["id"]}},
            "buttons": {"0": "x"},
        },
    )
    assert r.status_code == 422
    assert fields(r) == ["template_components.header.image.media_id"]
    assert "another phone number" in r.json()["errors"][0]["message"]


def test_template_shows_the_slots_to_fill(client, auth, world):
    _, _, ids = world
    promo = client.get(f"/api/v1/templates/{ids['spring_promo']}", headers=auth).json()
    assert [s["field"] for s in promo["slots"]] == [
        "template_components.header.image",
        "template_params.0",
        "template_params.1",
        "template_components.buttons.0",
        "template_components.buttons.1",
    ]
    assert [s["required"] for s in promo["slots"]][-2:] == [True, False]
    named = client.get(f"/api/v1/templates/{ids['order_named']}", headers=auth).json()
    assert (named["parameter_format"], named["param_count"]) == ("NAMED", 2)


# --- the fake rejects what Meta rejects -------------------------------------------------------

SENDER = SenderCredentials(phone_number_id=PNID, access_token=DEFAULT_TOKEN)
IMAGE = {"type": "header", "parameters": [{"type": "image", "image": {"link": "https://x/a.png"}}]}
BODY2 = {
    "type": "body",
    "parameters": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}],
}
URL0 = {
    "type": "button",
    "sub_type": "url",
    "index": "0",
    "parameters": [{"type": "text", "text": "s"}],
}


def _send(name: str, components: list) -> WhatsAppError | str:
    async def go():
        provider = CloudApiProvider()
        try:
            return await provider.send_template(
                sender=SENDER,
                to="14155550101",
                name=name,
                language="en_US",
                components=components,
                callback_data="t",
            )
        except WhatsAppError as err:
            return err
        finally:
            await provider.aclose()

    return asyncio.run(go())


@pytest.mark.parametrize(
    ("name", "components", "code"),
    [
        ("spring_promo", [BODY2, URL0], 132012),  # image header missing
        (
            "spring_promo",
            [{**IMAGE, "parameters": [{"type": "video", "video": {"link": "https://x/v"}}]}, BODY2],
            132012,
        ),
        ("spring_promo", [IMAGE, {**BODY2, "parameters": BODY2["parameters"][:1]}, URL0], 132000),
        ("spring_promo", [IMAGE, BODY2], 132000),  # the URL button's suffix is missing
        ("spring_promo", [IMAGE, BODY2, URL0, {**URL0, "index": "7"}], 131009),
        ("spring_promo", [IMAGE, BODY2, {**URL0, "sub_type": "copy_code"}], 100),
        (
            "spring_promo",
            [
                IMAGE,
                BODY2,
                URL0,
                {
                    **URL0,
                    "index": "1",
                    "sub_type": "copy_code",
                    "parameters": [{"type": "coupon_code", "coupon_code": "X"}],
                },
            ],
            131009,
        ),
        (
            "order_named",
            [
                {"type": "header", "parameters": [{"type": "text", "text": "A"}]},
                {"type": "body", "parameters": [{"type": "text", "text": "A"}] * 2},
            ],
            132000,  # named parameters without parameter_name
        ),
        (
            "spring_promo",
            [{"type": "header", "parameters": [{"type": "image", "image": {"id": "404"}}]}, BODY2],
            100,  # a media id this number never uploaded
        ),
        ("no_such_template", [], 132001),
        (
            "spring_promo",
            [IMAGE, {"type": "body", "parameters": [{"type": "text", "text": " "}]}],
            131008,
        ),
    ],
)
def test_fake_rejects_what_meta_rejects(graph_api, name, components, code):
    graph_api.set_templates(WABA, [PROMO, NAMED])
    result = _send(name, components)
    assert isinstance(result, WhatsAppError), result
    assert result.code == code, result.message
    assert graph_api.stats()["accepted"] == 0


def test_fake_accepts_the_documented_send(graph_api):
    graph_api.set_templates(WABA, [PROMO])
    assert str(_send("spring_promo", [IMAGE, BODY2, URL0])).startswith("wamid.")
