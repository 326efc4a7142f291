"""A campaign's template slots and media, checked and resolved at creation.

What a template needs is read from its synced components (`app.templates.components`); what
fills each slot comes from the request: fixed text, personalisation (`{first_name|there}`) or
campaign metadata (`{product_name}`), the same syntax as message texts. Media are resolved once
here — an upload's Meta id, or an https link — so every message of the campaign reuses them and
the engine needs no lookup per message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from app.core.errors import ValidationFailed
from app.integrations.whatsapp.base import MAX_CAPTION
from app.media import service as media_service
from app.templates import components as tc
from app.templates.models import Template
from app.templates.service import template_spec

if TYPE_CHECKING:
    from app.campaigns.schemas import _TemplateRef
    from app.campaigns.validation import _Errors

PREFIX = "template_components"


def _media(
    *,
    db: Session,
    workspace_id: int,
    sender_id: int,
    kind: str,
    ref: Any,
    field: str,
    errors: _Errors,
) -> dict[str, Any] | None:
    try:
        return media_service.resolve(
            db=db, workspace_id=workspace_id, sender_id=sender_id, kind=kind, ref=ref, field=field
        )
    except ValidationFailed as exc:
        for item in exc.errors:
            errors.add(item["field"], item["message"])
        return None


def template_slots(
    *,
    db: Session,
    workspace_id: int,
    sender_id: int,
    template: Template,
    ref: _TemplateRef,
    prefix: str,
    errors: _Errors,
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """(the slots to store, the (field, text) pairs to personalise). Problems go to `errors`,
    each naming its slot: missing, not in the template, or the wrong kind."""
    slots: dict[str, Any] = {}
    texts: list[tuple[str, str]] = []
    if ref.media is not None:
        errors.add(prefix + "media", "media is for free-form messages; a template has a header")
    try:
        spec = template_spec(template)
    except ValidationFailed as exc:
        errors.add(prefix + "template_id", exc.message)
        return slots, texts
    comp = ref.template_components
    if comp is not None and comp.header is not None:
        kind, value = comp.header.given()
        field = f"{prefix}{PREFIX}.header.{kind}"
        if kind == "text":
            slots["header"] = {"text": value}
            texts.append((field, value))
        elif kind == "location":
            slots["header"] = {"location": value.model_dump(exclude_none=True)}
        else:
            media = _media(
                db=db,
                workspace_id=workspace_id,
                sender_id=sender_id,
                kind=kind,
                ref=value,
                field=field,
                errors=errors,
            )
            slots["header"] = {kind: media or {}}
    if comp is not None and comp.body:
        slots["body"] = dict(comp.body)
        texts += [(f"{prefix}{PREFIX}.body.{k}", v) for k, v in comp.body.items()]
    if comp is not None and comp.buttons:
        slots["buttons"] = dict(comp.buttons)
        texts += [(f"{prefix}{PREFIX}.buttons.{k}", v) for k, v in comp.buttons.items()]
    for problem in tc.check_slots(spec, params=list(ref.template_params), slots=slots):
        errors.add(prefix + problem.field, f"template {template.name}: {problem.message}")
    texts += [(f"{prefix}template_params.{i}", p) for i, p in enumerate(ref.template_params)]
    return slots, texts


def media_message(
    *,
    db: Session,
    workspace_id: int,
    sender_id: int,
    ref: _TemplateRef,
    caption: str | None,
    caption_field: str,
    prefix: str,
    errors: _Errors,
) -> dict[str, Any] | None:
    """The stored media of a free-form message ({"type", "id" | "link", "filename"?})."""
    if ref.template_components is not None:
        errors.add(prefix + PREFIX, "only used with a template")
    media = ref.media
    if media is None:
        return None
    if caption is not None and len(caption) > MAX_CAPTION:
        errors.add(prefix + caption_field, f"a media caption is at most {MAX_CAPTION} characters")
    resolved = _media(
        db=db,
        workspace_id=workspace_id,
        sender_id=sender_id,
        kind=media.type,
        ref=media,
        field=prefix + "media",
        errors=errors,
    )
    return {"type": media.type, **resolved} if resolved is not None else None
