"""Template sync from the (fake) Graph API into the templates table."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import select

from app.core.config import settings
from app.core.errors import AppError, ValidationFailed
from app.templates.models import Template
from app.templates.sync import sync_templates
from tests.fakes.graph_api import graph_api_fixture  # noqa: F401
from tests.support.factories import make_sender, make_template

WABA = "900800700"


def _remote(i: int, status: str = "APPROVED", language: str = "en_US") -> dict:
    return {
        "id": f"tpl{i:04d}{language}",
        "name": f"promo_{i:03d}",
        "language": language,
        "status": status,
        "category": "MARKETING",
        "components": [
            {"type": "HEADER", "format": "TEXT", "text": "Hi"},
            {"type": "BODY", "text": f"Hello {{{{1}}}}, offer {i} is live"},
            {"type": "FOOTER", "text": "Reply STOP to opt out"},
        ],
    }


def _rows(db, workspace_id: int) -> dict[tuple[str, str], Template]:
    db.expire_all()
    rows = db.scalars(select(Template).where(Template.workspace_id == workspace_id))
    return {(t.name, t.language): t for t in rows}


async def test_sync_follows_paging_and_upserts(db, workspace, graph_api):
    sender = make_sender(db, workspace.id, waba_id=WABA)
    remote = [_remote(i, "APPROVED" if i % 3 else "PENDING") for i in range(230)]
    remote.append(_remote(0, "REJECTED", language="es"))  # same name, other language
    graph_api.set_templates(WABA, remote)

    result = await sync_templates(db=db, workspace_id=workspace.id, sender=sender)
    db.commit()

    assert result == {"fetched": 231, "created": 231, "updated": 0}
    assert graph_api.stats()["template_requests"] == 3  # 100 + 100 + 31
    rows = _rows(db, workspace.id)
    assert len(rows) == 231
    first = rows[("promo_001", "en_US")]
    assert first.body == "Hello {{1}}, offer 1 is live"
    assert first.status == "APPROVED" and first.category == "MARKETING"
    assert first.provider_template_id == "tpl0001en_US"
    assert first.components[1]["type"] == "BODY"
    assert first.synced_at is not None
    assert rows[("promo_000", "es")].status == "REJECTED"
    assert rows[("promo_000", "en_US")].status == "PENDING"


async def test_resync_updates_status_and_only_approved_are_usable(db, workspace, graph_api):
    sender = make_sender(db, workspace.id, waba_id=WABA)
    graph_api.set_templates(WABA, [_remote(1), _remote(2, "PENDING"), _remote(3)])
    await sync_templates(db=db, workspace_id=workspace.id, sender=sender)
    db.commit()

    changed = [_remote(1, "PAUSED"), _remote(2, "APPROVED"), _remote(3, "DELETED"), _remote(4)]
    changed[1]["components"][1]["text"] = "New body {{1}}"
    graph_api.set_templates(WABA, changed)
    result = await sync_templates(db=db, workspace_id=workspace.id, sender=sender)
    db.commit()

    assert result == {"fetched": 4, "created": 1, "updated": 3}
    rows = _rows(db, workspace.id)
    assert len(rows) == 4  # upserted, not duplicated
    assert rows[("promo_002", "en_US")].body == "New body {{1}}"
    usable = db.scalars(
        select(Template.name).where(
            Template.workspace_id == workspace.id, Template.status == "APPROVED"
        )
    ).all()
    assert sorted(usable) == ["promo_002", "promo_004"]
    assert rows[("promo_001", "en_US")].status == "PAUSED"
    assert rows[("promo_003", "en_US")].status == "DISABLED"  # Meta's DELETED is not sendable


async def test_sync_updates_a_hand_made_row_and_leaves_other_workspaces(
    db, workspace, other_workspace, graph_api
):
    make_template(db, workspace.id, "promo_001", status="PENDING", body="old")
    make_template(db, other_workspace.id, "promo_001", status="PENDING", body="theirs")
    sender = make_sender(db, workspace.id, waba_id=WABA)
    graph_api.set_templates(WABA, [_remote(1)])

    result = await sync_templates(db=db, workspace_id=workspace.id, sender=sender)
    db.commit()

    assert result == {"fetched": 1, "created": 0, "updated": 1}
    assert _rows(db, workspace.id)[("promo_001", "en_US")].status == "APPROVED"
    theirs = _rows(db, other_workspace.id)[("promo_001", "en_US")]
    assert (theirs.status, theirs.body) == ("PENDING", "theirs")


async def test_waba_falls_back_to_settings(db, workspace, graph_api, monkeypatch):
    monkeypatch.setattr(settings, "WHATSAPP_BUSINESS_ACCOUNT_ID", "555444")
    sender = make_sender(db, workspace.id)
    graph_api.set_templates("555444", [_remote(1)])
    result = await sync_templates(db=db, workspace_id=workspace.id, sender=sender)
    assert result["created"] == 1


async def test_missing_waba_is_422(db, workspace, graph_api, monkeypatch):
    monkeypatch.setattr(settings, "WHATSAPP_BUSINESS_ACCOUNT_ID", None)
    sender = make_sender(db, workspace.id)
    with pytest.raises(ValidationFailed) as info:
        await sync_templates(db=db, workspace_id=workspace.id, sender=sender)
    assert info.value.status_code == 422
    assert info.value.errors[0]["field"] == "waba_id"
    assert graph_api.stats()["template_requests"] == 0


async def test_missing_token_is_422(db, workspace, graph_api):
    sender = make_sender(db, workspace.id, waba_id=WABA, access_token=None)
    with pytest.raises(ValidationFailed) as info:
        await sync_templates(db=db, workspace_id=workspace.id, sender=sender)
    assert info.value.errors[0]["field"] == "access_token"


async def test_token_rejected_by_graph_is_422_on_access_token(db, workspace, graph_api):
    sender = make_sender(db, workspace.id, waba_id=WABA, access_token="revoked")
    graph_api.set_templates(WABA, [_remote(1)])
    with pytest.raises(ValidationFailed) as info:
        await sync_templates(db=db, workspace_id=workspace.id, sender=sender)
    assert info.value.errors[0]["field"] == "access_token"
    assert info.value.errors[0]["graph_code"] == 190
    assert _rows(db, workspace.id) == {}


async def test_unreachable_graph_is_502(db, workspace, monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setattr(settings, "WHATSAPP_API_BASE_URL", f"http://127.0.0.1:{port}")
    sender = make_sender(db, workspace.id, waba_id=WABA)
    with pytest.raises(AppError) as info:
        await sync_templates(db=db, workspace_id=workspace.id, sender=sender)
    assert (info.value.status_code, info.value.code) == (502, "whatsapp_api_error")
