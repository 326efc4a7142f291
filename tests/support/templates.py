"""Templates in the shape Meta lists them (GET /{waba_id}/message_templates), for the fake Graph
API and for syncing into our rows; and small helpers the template tests share."""

from __future__ import annotations

from typing import Any

WABA = "555000111"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64  # enough of a PNG for the type check
PDF = b"%PDF-1.7\n" + b"0" * 64


def _body(text: str, *examples: str) -> dict[str, Any]:
    return {"type": "BODY", "text": text, "example": {"body_text": [list(examples)]}}


PROMO = {
    "id": "9101",
    "name": "spring_promo",
    "language": "en_US",
    "status": "APPROVED",
    "category": "MARKETING",
    "parameter_format": "POSITIONAL",
    "components": [
        {"type": "HEADER", "format": "IMAGE", "example": {"header_handle": ["4::aW1n"]}},
        _body("Hi {{1}}, {{2}} is 20% off this week.", "Ana", "SuperApp"),
        {"type": "FOOTER", "text": "Reply STOP to opt out"},
        {
            "type": "BUTTONS",
            "buttons": [
                {
                    "type": "URL",
                    "text": "Shop now",
                    "url": "https://x.com/{{1}}",
                    "example": ["https://x.com/spring"],
                },
                {"type": "QUICK_REPLY", "text": "Interested"},
                {"type": "PHONE_NUMBER", "text": "Call us", "phone_number": "+15550001111"},
            ],
        },
    ],
}
NAMED = {
    "id": "9102",
    "name": "order_named",
    "language": "en_US",
    "status": "APPROVED",
    "category": "UTILITY",
    "parameter_format": "NAMED",
    "components": [
        {
            "type": "HEADER",
            "format": "TEXT",
            "text": "Order for {{first_name}}",
            "example": {"header_text_named_params": [{"param_name": "first_name", "example": "A"}]},
        },
        {
            "type": "BODY",
            "text": "Hi {{first_name}}, order {{order_id}} ships today.",
            "example": {
                "body_text_named_params": [
                    {"param_name": "first_name", "example": "Ana"},
                    {"param_name": "order_id", "example": "A-1"},
                ]
            },
        },
        {"type": "BUTTONS", "buttons": [{"type": "COPY_CODE", "example": "SAVE20"}]},
    ],
}
DOC = {
    "id": "9103",
    "name": "invoice_doc",
    "language": "en_US",
    "status": "APPROVED",
    "category": "UTILITY",
    "components": [
        {"type": "HEADER", "format": "DOCUMENT", "example": {"header_handle": ["4::cGRm"]}},
        {"type": "BODY", "text": "Your invoice is attached."},
        {"type": "BUTTONS", "buttons": [{"type": "URL", "text": "Help", "url": "https://x.com"}]},
    ],
}
VIDEO = {
    "id": "9104",
    "name": "launch_video",
    "language": "en_US",
    "status": "APPROVED",
    "category": "MARKETING",
    "components": [
        {"type": "HEADER", "format": "VIDEO", "example": {"header_handle": ["4::dmlk"]}},
        _body("Watch what is new, {{1}}!", "Ana"),
    ],
}
STORE = {
    "id": "9105",
    "name": "store_location",
    "language": "en_US",
    "status": "APPROVED",
    "category": "UTILITY",
    "components": [
        {"type": "HEADER", "format": "LOCATION"},
        {"type": "BODY", "text": "Your order waits at our store."},
    ],
}
CAROUSEL = {
    "id": "9106",
    "name": "cards",
    "language": "en_US",
    "status": "APPROVED",
    "category": "MARKETING",
    "components": [
        {"type": "BODY", "text": "Pick one"},
        {"type": "CAROUSEL", "cards": [{"components": []}]},
    ],
}
ALL = [PROMO, NAMED, DOC, VIDEO, STORE, CAROUSEL]


def sync_all(client, auth, graph_api, sender_id: int, templates=ALL) -> dict[str, int]:
    """Serve `templates` from the fake and sync them through the API; name → our id."""
    graph_api.set_templates(WABA, list(templates))
    r = client.post("/api/v1/templates/sync", json={"phone_number_id": sender_id}, headers=auth)
    assert r.status_code == 200, r.text
    listed = client.get("/api/v1/templates", headers=auth).json()
    return {t["name"]: t["id"] for t in listed}


def upload(client, auth, sender_id: int, data: bytes = PNG, mime: str = "image/png", name="a.png"):
    files = {"file": (name, data, mime)}
    return client.post(
        "/api/v1/media", data={"phone_number_id": str(sender_id)}, files=files, headers=auth
    )


def fields(response) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


def create_campaign(client, auth, sender, contacts, **body):
    """POST /campaigns for `contacts` from `sender` with the rest of the body given."""
    payload = {"name": "t", "contact_ids": [c.id for c in contacts], "phone_number_id": sender.id}
    return client.post("/api/v1/campaigns", json={**payload, **body}, headers=auth)


def run_campaign(db, workspace_id: int, campaign_id: int, sender_id: int):
    """Start the campaign and run its sender's dispatch in-process; its messages after."""
    from sqlalchemy import select

    from app.campaigns import service
    from app.messaging.models import Message
    from app.outbound.dispatch import run_dispatch

    service.start_campaign(db=db, workspace_id=workspace_id, campaign_id=campaign_id)
    db.commit()
    run_dispatch(sender_id=sender_id)
    db.rollback()
    db.expire_all()
    return list(db.scalars(select(Message).where(Message.campaign_id == campaign_id)))
