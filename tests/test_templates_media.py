"""Media: uploads once per sender (POST /media → the Cloud API's /{phone_number_id}/media),
free-form image/video/document messages with a caption, and the sandbox's simulation."""

from __future__ import annotations

import asyncio

import pytest

from app.integrations.whatsapp.base import SenderCredentials, WhatsAppError
from app.integrations.whatsapp.sandbox import SandboxProvider, sandbox_media_id
from tests.fakes.graph_api import graph_api_fixture  # noqa: F401
from tests.support.engine import engine_settings  # noqa: F401  (autouse)
from tests.support.factories import make_contact, make_sender
from tests.support.templates import PDF, PNG, WABA, create_campaign, fields, run_campaign, upload

PNID = "106540352242922"


@pytest.fixture
def sender(db, workspace):
    return make_sender(
        db, workspace.id, PNID, waba_id=WABA, messaging_tier="TIER_UNLIMITED", max_per_hour=1000
    )


@pytest.fixture
def ann(db, workspace):
    return make_contact(db, workspace.id, "+14155550101", name="Ann", last_inbound_minutes_ago=30)


def test_upload_once_per_sender_then_reuse(client, auth, sender, graph_api):
    r = upload(client, auth, sender.id)
    assert r.status_code == 201, r.text
    first = r.json()
    [stored] = graph_api.uploads()
    assert (stored["phone_number_id"], stored["mime_type"], stored["filename"]) == (
        PNID,
        "image/png",
        "a.png",
    )
    assert first["provider_media_id"] == stored["id"] and first["kind"] == "image"
    assert first["reused"] is False

    again = upload(client, auth, sender.id).json()
    assert (again["id"], again["reused"]) == (first["id"], True)
    assert len(graph_api.uploads()) == 1  # the same file is not uploaded twice
    listed = client.get("/api/v1/media", headers=auth).json()
    assert [m["id"] for m in listed] == [first["id"]]


@pytest.mark.parametrize(
    ("data", "mime", "name"),
    [
        (b"GIF89a....", "image/gif", "a.gif"),  # not a type WhatsApp takes
        (b"not a png at all", "image/png", "a.png"),  # content differs from the declared type
        (b"", "image/png", "a.png"),
        (PNG, "", "a.png"),
    ],
)
def test_bad_upload_is_422_on_file(client, auth, sender, graph_api, data, mime, name):
    r = upload(client, auth, sender.id, data=data, mime=mime, name=name)
    assert r.status_code == 422, r.text
    assert fields(r) == ["file"]
    assert graph_api.uploads() == []


def test_upload_needs_a_known_sender_and_a_file(client, auth, sender, other_workspace, graph_api):
    assert upload(client, auth, 987654).status_code == 404
    assert upload(client, other_workspace.headers, sender.id).status_code == 404
    r = client.post("/api/v1/media", data={"phone_number_id": str(sender.id)}, headers=auth)
    assert r.status_code == 422 and "file" in fields(r)
    mid = upload(client, auth, sender.id).json()["id"]
    assert client.get(f"/api/v1/media/{mid}", headers=other_workspace.headers).status_code == 404


def test_image_with_caption_in_the_window(client, auth, db, workspace, sender, ann, graph_api):
    media = upload(client, auth, sender.id).json()
    outside = make_contact(db, workspace.id, "+14155550102", name="Bo")  # never wrote to us
    r = create_campaign(
        client,
        auth,
        sender,
        [ann, outside],
        message_template="Hi {name}, our new catalogue",
        media={"type": "image", "media_id": media["id"]},
    )
    assert r.status_code == 201, r.text
    assert r.json()["media"] == {
        "type": "image",
        "id": media["provider_media_id"],
        "media_id": media["id"],
    }
    by_contact = {
        m.contact_id: m for m in run_campaign(db, workspace.id, r.json()["id"], sender.id)
    }
    assert by_contact[ann.id].status == "sent" and by_contact[ann.id].type == "image"
    assert (by_contact[outside.id].status, by_contact[outside.id].skip_reason) == (
        "skipped",
        "outside_service_window",
    )
    [sent] = graph_api.requests()
    assert (sent["type"], sent["media"]) == (
        "image",
        {"id": media["provider_media_id"], "caption": "Hi Ann, our new catalogue"},
    )


def test_document_by_link_without_caption(client, auth, db, workspace, sender, ann, graph_api):
    link = "https://files.example.com/price-list.pdf"
    r = create_campaign(
        client,
        auth,
        sender,
        [ann],
        media={"type": "document", "link": link, "filename": "Prices.pdf"},
    )
    assert r.status_code == 201, r.text
    [message] = run_campaign(db, workspace.id, r.json()["id"], sender.id)
    assert message.status == "sent"
    [sent] = graph_api.requests()
    assert sent["media"] == {"link": link, "filename": "Prices.pdf"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"media": {"type": "image", "link": "http://x.com/a.png"}}, "media.link"),
        ({"media": {"type": "image", "link": "x.com/a.png"}}, "media.link"),
        ({"media": {"type": "image", "media_id": 987654}}, "media.media_id"),
        ({"media": {"type": "image"}}, "media"),
        ({"media": {"type": "audio", "link": "https://x.com/a.mp3"}}, "media.type"),
        (
            {"media": {"type": "image", "link": "https://x/a.png", "filename": "a"}},
            "media.filename",
        ),
        (
            {"media": {"type": "image", "link": "https://x/a.png"}, "message_template": "x" * 1025},
            "message_template",
        ),
        ({"media": {"type": "video", "uploaded": True}}, "media.uploaded"),
    ],
)
def test_bad_media_is_422_naming_the_field(client, auth, sender, ann, body, field):
    r = create_campaign(client, auth, sender, [ann], **body)
    assert r.status_code == 422, r.text
    assert field in fields(r), fields(r)


def test_media_of_the_wrong_kind_is_refused(client, auth, sender, ann, graph_api):
    pdf = upload(client, auth, sender.id, data=PDF, mime="application/pdf", name="p.pdf").json()
    r = create_campaign(client, auth, sender, [ann], media={"type": "image", "media_id": pdf["id"]})
    assert r.status_code == 422 and fields(r) == ["media.media_id"]
    assert "document, not image" in r.json()["errors"][0]["message"]


def test_drip_step_with_media(client, auth, db, sender, ann):
    step = {
        "delay_hours": 0,
        "message": "See {name}",
        "media": {"type": "video", "link": "https://x.com/v.mp4"},
    }
    r = create_campaign(client, auth, sender, [ann], type="drip", metadata={"sequence": [step]})
    assert r.status_code == 201, r.text
    [out] = r.json()["steps"]
    assert out["media"] == {"type": "video", "link": "https://x.com/v.mp4"}
    bad = {**step, "media": {"type": "video", "link": "http://x.com/v.mp4"}}
    r = create_campaign(client, auth, sender, [ann], type="drip", metadata={"sequence": [bad]})
    assert r.status_code == 422
    assert any(f.startswith("metadata.sequence.0") for f in fields(r)), fields(r)


# --- the sandbox --------------------------------------------------------------------------

SBX = SenderCredentials(phone_number_id="sandbox-1")


def _sandbox(call: str, **kwargs):
    async def go():
        try:
            return await getattr(SandboxProvider(), call)(sender=SBX, **kwargs)
        except WhatsAppError as err:
            return err

    return asyncio.run(go())


def test_sandbox_uploads_and_sends_media(monkeypatch):
    from app.core.config import settings

    monkeypatch.setattr(settings, "SANDBOX_STATUS_DELAY_SECONDS", 0)
    media_id = _sandbox("upload_media", data=PNG, mime_type="image/png", filename="a.png")
    assert media_id == sandbox_media_id("sandbox-1", PNG)
    common = {"to": "14155550101", "callback_data": "m1"}
    ok = _sandbox("send_media", kind="image", media={"id": media_id, "caption": "Hi"}, **common)
    assert str(ok).startswith("wamid.SBX")
    doc = {"link": "https://x.com/a.pdf", "filename": "a.pdf"}
    assert str(_sandbox("send_media", kind="document", media=doc, **common)).startswith("wamid.")
    for kind, media, code in [
        ("image", {"id": "1234"}, 131053),  # never uploaded to the sandbox
        ("image", {"id": media_id, "link": "https://x.com/a.png"}, 100),
        ("image", {"link": "ftp://x.com/a.png"}, 100),
        ("image", {"id": media_id, "caption": "x" * 1025}, 100),
        ("video", {"link": "https://x.com/v.mp4", "filename": "v.mp4"}, 100),
        ("sticker", {"link": "https://x.com/s.webp"}, 100),
    ]:
        err = _sandbox("send_media", kind=kind, media=media, **common)
        assert isinstance(err, WhatsAppError) and err.code == code, (kind, media, err)


def test_sandbox_checks_template_components(monkeypatch):
    from app.core.config import settings

    monkeypatch.setattr(settings, "SANDBOX_STATUS_DELAY_SECONDS", 0)
    common = {"to": "14155550101", "name": "promo", "language": "en_US", "callback_data": "t"}
    good = [
        {"type": "header", "parameters": [{"type": "image", "image": {"link": "https://x/a"}}]},
        {"type": "body", "parameters": [{"type": "text", "text": "Ann", "parameter_name": "n"}]},
        {
            "type": "button",
            "sub_type": "quick_reply",
            "index": "1",
            "parameters": [{"type": "payload", "payload": "yes"}],
        },
    ]
    assert str(_sandbox("send_template", components=good, **common)).startswith("wamid.")
    for bad in [
        [{"type": "footer", "parameters": [{"type": "text", "text": "x"}]}],
        [{"type": "body", "parameters": [{"type": "text", "text": " "}]}],
        [{"type": "header", "parameters": [{"type": "image", "image": {}}]}],
        [
            {
                "type": "button",
                "sub_type": "url",
                "index": "12",
                "parameters": [{"type": "text", "text": "s"}],
            }
        ],
        [
            {
                "type": "button",
                "sub_type": "url",
                "index": "0",
                "parameters": [{"type": "payload", "payload": "s"}],
            }
        ],
    ]:
        err = _sandbox("send_template", components=bad, **common)
        assert isinstance(err, WhatsAppError) and err.category == "permanent", bad


def test_sandbox_sender_campaign_with_uploaded_media(client, auth, db, workspace, ann, monkeypatch):
    from app.core.config import settings

    monkeypatch.setattr(settings, "SANDBOX_STATUS_DELAY_SECONDS", 0)
    sbx = make_sender(db, workspace.id, "sandbox-77", provider="sandbox", max_per_hour=1000)
    media = upload(client, auth, sbx.id).json()
    assert media["provider_media_id"].startswith("sbx-media-")
    r = create_campaign(
        client,
        auth,
        sbx,
        [ann],
        message_template="Look",
        media={"type": "image", "media_id": media["id"]},
    )
    assert r.status_code == 201, r.text
    [message] = run_campaign(db, workspace.id, r.json()["id"], sbx.id)
    assert message.status in ("sent", "delivered", "read", "failed") and message.wamid


def test_an_id_near_its_30_days_is_refused_then_uploaded_again(
    client, auth, db, sender, ann, graph_api
):
    from datetime import timedelta

    from app.core.db import utcnow
    from app.media.models import MediaAsset

    first = upload(client, auth, sender.id).json()
    db.get(MediaAsset, first["id"]).uploaded_at = utcnow() - timedelta(days=29)
    db.commit()
    r = create_campaign(
        client, auth, sender, [ann], media={"type": "image", "media_id": first["id"]}
    )
    assert r.status_code == 422 and fields(r) == ["media.media_id"]
    assert "upload it again" in r.json()["errors"][0]["message"]

    again = upload(client, auth, sender.id).json()
    assert (again["id"], again["reused"]) == (first["id"], False)
    assert again["provider_media_id"] != first["provider_media_id"]
    assert len(graph_api.uploads()) == 2
    r = create_campaign(
        client, auth, sender, [ann], media={"type": "image", "media_id": first["id"]}
    )
    assert r.status_code == 201, r.text
    assert r.json()["media"]["id"] == again["provider_media_id"]


def test_sandbox_simulates_a_quick_reply_tap():
    from app.integrations.whatsapp.sandbox import Outcome, plan_events

    outcome = Outcome(failure=None, delivered=True, read=True, reply="Yes I'm interested")
    common = {"sender": SBX, "wamid": "wamid.X", "to": "14155550101", "callback_data": "1"}
    events = plan_events(**common, outcome=outcome, start=0, step=1, quick_reply="promo-yes")
    message = events[-1][1]["entry"][0]["changes"][0]["value"]["messages"][0]
    assert (message["type"], message["button"]["payload"]) == ("button", "promo-yes")
    assert message["context"]["id"] == "wamid.X"
    text = plan_events(**common, outcome=outcome, start=0, step=1)[-1][1]
    assert text["entry"][0]["changes"][0]["value"]["messages"][0]["type"] == "text"
