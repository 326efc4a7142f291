"""Message templates: CRUD, the approved-only lookup and Cloud API `components`. Callers commit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.db import delete_restricted
from app.core.enums import TemplateStatus
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.templates import components as tc
from app.templates.models import Template
from app.templates.schemas import TemplateCreate, TemplateUpdate, count_params


def param_count(body: str) -> int:
    """How many parameters a body takes; a malformed body is a 422 on `body`."""
    try:
        return count_params(body)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field="body") from exc


def template_spec(template: Template) -> tc.TemplateSpec:
    """What the template needs filled; a malformed text is a 422 on `template_id`."""
    try:
        return tc.spec_for(body=template.body, components=template.components)
    except ValueError as exc:
        raise ValidationFailed(
            f"Template {template.name} ({template.language}): {exc}", field="template_id"
        ) from exc


def get_template(
    *, db: Session, workspace_id: int, template_id: int, for_update: bool = False
) -> Template:
    """`for_update` locks the row until the commit: a PATCH or DELETE racing a DELETE then
    gets 404, and of concurrent DELETEs exactly one succeeds."""
    template = db.get(Template, template_id, with_for_update=for_update or None)
    if template is None or template.workspace_id != workspace_id:
        raise NotFound("Template", template_id)
    return template


def list_templates(
    *,
    db: Session,
    workspace_id: int,
    status: str | None = None,
    name: str | None = None,
    language: str | None = None,
) -> list[Template]:
    stmt = select(Template).where(Template.workspace_id == workspace_id)
    if status:
        stmt = stmt.where(Template.status == status)
    if name:
        stmt = stmt.where(Template.name == name)
    if language:
        stmt = stmt.where(Template.language == language)
    return list(db.scalars(stmt.order_by(Template.name, Template.language, Template.id)))


def create_template(*, db: Session, workspace_id: int, data: TemplateCreate) -> Template:
    clash = db.scalar(
        select(Template.id).where(
            Template.workspace_id == workspace_id,
            Template.name == data.name,
            Template.language == data.language,
        )
    )
    if clash is not None:
        raise Conflict(
            f"Template {data.name} ({data.language}) already exists",
            errors=[{"field": "name", "message": "already exists for this language"}],
        )
    template = Template(workspace_id=workspace_id, **data.model_dump())
    db.add(template)
    db.flush()
    return template


def update_template(
    *, db: Session, workspace_id: int, template_id: int, data: TemplateUpdate
) -> Template:
    template = get_template(
        db=db, workspace_id=workspace_id, template_id=template_id, for_update=True
    )
    for name, value in data.model_dump(exclude_unset=True).items():
        setattr(template, name, value)
    db.flush()
    return template


def delete_template(*, db: Session, workspace_id: int, template_id: int) -> None:
    """Refused while a campaign or drip step uses the template (their FKs are RESTRICT)."""
    template = get_template(
        db=db, workspace_id=workspace_id, template_id=template_id, for_update=True
    )
    delete_restricted(
        db, template, in_use=f"Template {template_id} is used by campaigns; it cannot be deleted"
    )


def _require_approved(template: Template) -> Template:
    if template.status != TemplateStatus.APPROVED:
        raise ValidationFailed(
            f"Template {template.name} ({template.language}) is {template.status}, "
            "only APPROVED templates can be sent",
            field="template_id",
        )
    return template


def get_approved_template(
    *,
    db: Session,
    workspace_id: int,
    template_id: int | None = None,
    name: str | None = None,
    language: str | None = None,
) -> Template:
    """A sendable template, by id or by name (+ language). Unknown → 404; known but not
    APPROVED → 422. Without a language, a name must match exactly one approved template."""
    if template_id is not None:
        template = get_template(db=db, workspace_id=workspace_id, template_id=template_id)
        return _require_approved(template)
    if not name:
        raise ValidationFailed("template_id or template name is required", field="template_id")
    candidates = list_templates(db=db, workspace_id=workspace_id, name=name, language=language)
    if not candidates:
        label = f"{name} ({language})" if language else name
        raise NotFound("Template", label)
    approved = [t for t in candidates if t.status == TemplateStatus.APPROVED]
    if not approved:
        return _require_approved(candidates[0])
    if len(approved) > 1:
        languages = ", ".join(t.language for t in approved)
        raise ValidationFailed(
            f"Template {name} exists in several languages ({languages}); say which",
            field="language",
        )
    return approved[0]


def build_components(
    template: Template, params: list[str], slots: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The Cloud API `template.components` of one send: header, body (positional `params` or
    named `slots["body"]`) and buttons, every value already personalised. A slot that does not
    fit the template is a 422 naming it."""
    spec = template_spec(template)
    try:
        return tc.build(spec, params=params, slots=slots)
    except tc.SlotError as exc:
        raise ValidationFailed(f"Template {template.name}: {exc.message}", field=exc.field) from exc
