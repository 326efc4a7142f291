"""Pull a sender's message templates from the Cloud API into the `templates` table.

Meta owns template approval, so the local rows are a cache refreshed from
`GET /{waba_id}/message_templates`; only rows whose status is APPROVED may be sent.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.config import settings
from app.core.db import utcnow
from app.core.enums import TemplateStatus
from app.core.errors import AppError, ValidationFailed
from app.core.schemas import has_nul, json_problem
from app.core.security import decrypt_secret
from app.integrations.whatsapp.base import WhatsAppError
from app.integrations.whatsapp.cloud_api import CloudApiProvider
from app.integrations.whatsapp.errors import as_app_error
from app.senders.models import SenderNumber
from app.templates.models import Template

FIELDS = "name,status,category,language,components,id,quality_score,rejected_reason"
PAGE_SIZE = 100
MAX_PAGES = 1000  # a guard against a server that never stops paging

# Meta's statuses folded into ours; anything not sendable becomes DISABLED.
_STATUS = {
    "APPROVED": TemplateStatus.APPROVED,
    "PENDING": TemplateStatus.PENDING,
    "IN_APPEAL": TemplateStatus.PENDING,
    "REJECTED": TemplateStatus.REJECTED,
    "PAUSED": TemplateStatus.PAUSED,
}


def _status(raw: Any) -> str:
    return _STATUS.get(str(raw or "").upper(), TemplateStatus.DISABLED).value


def _body_text(components: list[dict[str, Any]]) -> str:
    for component in components:
        if str(component.get("type", "")).upper() == "BODY":
            return str(component.get("text") or "")
    return ""


def _quality(raw: Any) -> str:
    score = raw.get("score") if isinstance(raw, dict) else raw
    return str(score or "UNKNOWN").upper()[:20]


def _reason(item: dict[str, Any]) -> str | None:
    reason = str(item.get("rejected_reason") or "").upper()
    return f"rejected by Meta: {reason}" if reason and reason != "NONE" else None


def _credentials(sender: SenderNumber) -> tuple[str, str]:
    waba_id = sender.waba_id or settings.WHATSAPP_BUSINESS_ACCOUNT_ID
    if not waba_id:
        raise ValidationFailed(
            "sender has no WhatsApp Business Account id (and WHATSAPP_BUSINESS_ACCOUNT_ID "
            "is not set)",
            field="waba_id",
        )
    if not sender.access_token_encrypted:
        raise ValidationFailed("sender has no Cloud API access token", field="access_token")
    try:
        return waba_id, decrypt_secret(sender.access_token_encrypted)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field="access_token") from exc


async def fetch_templates(*, waba_id: str, token: str) -> list[dict[str, Any]]:
    """Every template of the WABA, following the cursor paging to the last page."""
    provider = CloudApiProvider()
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"fields": FIELDS, "limit": PAGE_SIZE}
    seen: set[str] = set()
    try:
        for _ in range(MAX_PAGES):
            _, body = await provider.request(
                "GET", f"{waba_id}/message_templates", token=token, params=params
            )
            page = _decode(body)
            items.extend(t for t in page.get("data") or [] if isinstance(t, dict))
            paging = page.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after")
            if not paging.get("next") or not after or after in seen:
                break
            seen.add(after)
            params = {**params, "after": after}
    finally:
        await provider.aclose()
    return items


def _decode(body: bytes) -> dict[str, Any]:
    try:
        page = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise AppError(
            "Cloud API returned a non-JSON template list",
            code="whatsapp_api_error",
            status_code=502,
        ) from exc
    if not isinstance(page, dict):
        raise AppError(
            "Cloud API returned an unexpected template list",
            code="whatsapp_api_error",
            status_code=502,
        )
    return page


async def sync_templates(*, db: Session, workspace_id: int, sender: SenderNumber) -> dict:
    """Upsert the sender's templates by (name, language); the caller commits.

    Rows Meta no longer lists are left alone: templates are not tied to one WABA in our model,
    so absence from this sender's list does not prove deletion.
    """
    waba_id, token = _credentials(sender)
    try:
        remote = await fetch_templates(waba_id=waba_id, token=token)
    except WhatsAppError as exc:
        raise as_app_error(exc, action="template sync", field="waba_id") from exc

    existing = {
        (t.name, t.language): t
        for t in db.scalars(select(Template).where(Template.workspace_id == workspace_id))
    }
    now = utcnow()
    created = updated = 0
    seen: set[tuple[str, str]] = set()
    for item in remote:
        name, language = str(item.get("name") or ""), str(item.get("language") or "")
        if not name or not language or (name, language) in seen:
            continue
        seen.add((name, language))
        # Never store what cannot be read back: a component nested past the API's bound is
        # dropped (it would make every GET /templates fail).
        components = [
            c
            for c in item.get("components") or []
            if isinstance(c, dict) and json_problem(c, depth=1) is None and not has_nul(c)
        ]
        values = {
            "status": _status(item.get("status")),
            "category": str(item.get("category") or "MARKETING").upper()[:20],
            "components": components,
            "body": _body_text(components),
            "provider_template_id": str(item["id"]) if item.get("id") else None,
            "quality_score": _quality(item.get("quality_score")),
            "status_reason": _reason(item),
            "synced_at": now,
        }
        row = existing.get((name, language))
        if row is None:
            db.add(Template(workspace_id=workspace_id, name=name, language=language, **values))
            created += 1
        else:
            for key, value in values.items():
                setattr(row, key, value)
            updated += 1

    db.flush()
    return {"fetched": len(remote), "created": created, "updated": updated}
