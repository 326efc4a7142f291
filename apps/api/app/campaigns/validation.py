"""Up-front checks for a new campaign, and the audience figures. Everything here is set-based:
a 100k-recipient campaign costs a handful of queries, never one per contact."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import BigInteger, ColumnElement, and_, any_, case, func, literal, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from app.campaigns import personalize, slots
from app.campaigns.schemas import MAX_DRIP_STEPS, CampaignCreate, DripStepIn, _TemplateRef
from app.contacts.models import Contact
from app.core.config import settings
from app.core.db import utcnow
from app.core.enums import CampaignType, SenderStatus
from app.core.errors import ValidationFailed
from app.templates import service as templates_service
from app.templates.models import Template

SQLITE_CHUNK = 500  # stays far below SQLite's bound-parameter limit
SERVICE_WINDOW = timedelta(hours=24)
SAMPLE_IDS = 10  # contact ids quoted in an error message

_steps_adapter = TypeAdapter(list[DripStepIn])


# --- id sets ---------------------------------------------------------------------------------


def id_chunks(db: Session, ids: Sequence[int]) -> Iterator[list[int]]:
    """PostgreSQL takes the whole list as one array parameter; SQLite gets small IN lists."""
    size = len(ids) if db.get_bind().dialect.name == "postgresql" else SQLITE_CHUNK
    for start in range(0, len(ids), max(size, 1)):
        yield list(ids[start : start + size])


def ids_clause(db: Session, column: Any, ids: list[int]) -> ColumnElement[bool]:
    """`column = ANY(:ids)` on PostgreSQL (one bind, any size), `IN (...)` elsewhere."""
    if db.get_bind().dialect.name == "postgresql":
        return column == any_(literal(ids, ARRAY(BigInteger())))
    return column.in_(ids)


def existing_contact_ids(*, db: Session, workspace_id: int, ids: Sequence[int]) -> set[int]:
    found: set[int] = set()
    for chunk in id_chunks(db, ids):
        stmt = select(Contact.id).where(
            Contact.workspace_id == workspace_id, ids_clause(db, Contact.id, chunk)
        )
        found.update(db.scalars(stmt))
    return found


# --- audience --------------------------------------------------------------------------------


def audience(*, db: Session, workspace_id: int, contact_ids: Sequence[int]) -> dict[str, int]:
    """Who the campaign would reach if it started now (consent and the 24 h window)."""
    window_start = utcnow() - SERVICE_WINDOW
    eligible = and_(Contact.opted_in_at.is_not(None), Contact.opted_out_at.is_(None))
    outside = and_(
        eligible, or_(Contact.last_inbound_at.is_(None), Contact.last_inbound_at < window_start)
    )
    not_opted_in = and_(Contact.opted_in_at.is_(None), Contact.opted_out_at.is_(None))

    def total(cond: ColumnElement[bool]) -> Any:
        return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)

    counts = dict.fromkeys(
        ("total", "eligible", "opted_out", "not_opted_in", "outside_service_window"), 0
    )
    for chunk in id_chunks(db, contact_ids):
        row = db.execute(
            select(
                func.count(),
                total(eligible),
                total(Contact.opted_out_at.is_not(None)),
                total(not_opted_in),
                total(outside),
            ).where(Contact.workspace_id == workspace_id, ids_clause(db, Contact.id, chunk))
        ).one()
        for key, value in zip(counts, row, strict=True):
            counts[key] += int(value or 0)
    return counts


# --- validation ------------------------------------------------------------------------------


@dataclass
class StepPlan:
    delay_hours: float
    message: str | None
    template: Template | None
    template_params: list[str]
    template_components: dict[str, Any] = field(default_factory=dict)
    media: dict[str, Any] | None = None


@dataclass
class CampaignPlan:
    """A request that passed every check, with references resolved."""

    contact_ids: list[int]
    template: Template | None
    steps: list[StepPlan]
    stop_on_reply: bool
    ai_rewrite: bool
    scheduled_at: datetime | None
    texts: list[tuple[str, str]] = field(default_factory=list)  # (field, text) to personalise
    template_components: dict[str, Any] = field(default_factory=dict)
    media: dict[str, Any] | None = None


class _Errors:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, field_name: str, message: str, **extra: Any) -> None:
        self.items.append({"field": field_name, "message": message, **extra})

    def raise_if_any(self) -> None:
        if not self.items:
            return
        first = self.items[0]
        summary = f"{first['field']}: {first['message']}"
        if len(self.items) > 1:
            summary += f" (and {len(self.items) - 1} more problem(s))"
        exc = ValidationFailed(summary)
        exc.errors = self.items
        raise exc


def _resolve_template(
    *, db: Session, workspace_id: int, ref: _TemplateRef, prefix: str, errors: _Errors
) -> Template | None:
    """The approved template `ref` names. Unknown → 404 (raised); not approved or ambiguous →
    a 422 entry under `prefix` (its slots are checked by `slots.template_slots`)."""

    try:
        template = templates_service.get_approved_template(
            db=db,
            workspace_id=workspace_id,
            template_id=ref.template_id,
            name=ref.template_name,
            language=ref.language,
        )
    except ValidationFailed as exc:
        for item in exc.errors or [{"field": "template_id", "message": exc.message}]:
            errors.add(prefix + str(item.get("field") or "template_id"), item["message"])
        return None
    return template


def _parse_steps(metadata: dict[str, Any], errors: _Errors) -> list[DripStepIn]:
    raw = metadata.get("sequence")
    if not isinstance(raw, list) or not raw:
        errors.add("metadata.sequence", "a drip campaign needs a non-empty list of steps")
        return []
    if len(raw) > MAX_DRIP_STEPS:
        errors.add("metadata.sequence", f"at most {MAX_DRIP_STEPS} steps")
        return []
    try:
        return _steps_adapter.validate_python(raw)
    except ValidationError as exc:
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"])
            errors.add(f"metadata.sequence.{loc}".rstrip("."), err["msg"])
        return []


def _flag(metadata: dict[str, Any], key: str, default: bool, errors: _Errors) -> bool:
    value = metadata.get(key, default)
    if not isinstance(value, bool):
        errors.add(f"metadata.{key}", "must be true or false")
        return default
    return value


def _check_contacts(*, db: Session, workspace_id: int, ids: list[int], errors: _Errors) -> bool:
    limit = settings.MAX_CAMPAIGN_RECIPIENTS
    if len(ids) > limit:
        errors.add("contact_ids", f"at most {limit} recipients per campaign, got {len(ids)}")
        return False
    found = existing_contact_ids(db=db, workspace_id=workspace_id, ids=ids)
    unknown = [i for i in ids if i not in found]
    if unknown:
        errors.add(
            "contact_ids",
            f"{len(unknown)} unknown contact id(s): "
            + ", ".join(map(str, unknown[:SAMPLE_IDS]))
            + (" …" if len(unknown) > SAMPLE_IDS else ""),
            unknown_ids=unknown[:1000],
        )
        return False
    return True


def check_placeholders(
    *,
    db: Session,
    workspace_id: int,
    contact_ids: list[int],
    texts: list[tuple[str, str]],
    metadata: dict[str, Any],
    errors: _Errors,
) -> None:
    """Every placeholder must be fillable for every recipient (value or fallback). Contacts are
    loaded only when some placeholder depends on them, and only the columns that matter."""
    if not any(personalize.keys_needing_contacts(t, metadata=metadata) for _, t in texts):
        return
    rows: list[Any] = []
    for chunk in id_chunks(db, contact_ids):
        stmt = select(
            Contact.id, Contact.name, Contact.phone, Contact.email, Contact.attributes
        ).where(Contact.workspace_id == workspace_id, ids_clause(db, Contact.id, chunk))
        rows.extend(db.execute(stmt))
    for field_name, text in texts:
        missing = personalize.missing_placeholders(text, contacts=rows, metadata=metadata)
        for key, ids in missing.items():
            if len(ids) == len(rows):
                errors.add(
                    field_name,
                    f"placeholder {{{key}}} cannot be filled for any recipient: it is not a "
                    "contact field, contact attribute or metadata key",
                    placeholder=key,
                )
            else:
                sample = ", ".join(map(str, sorted(ids)[:SAMPLE_IDS]))
                errors.add(
                    field_name,
                    f"placeholder {{{key}}} has no value for {len(ids)} recipient(s) "
                    f"(contact ids {sample}{' …' if len(ids) > SAMPLE_IDS else ''}); "
                    f"add a fallback such as {{{key}|…}}",
                    placeholder=key,
                    contact_ids=sorted(ids)[:SAMPLE_IDS],
                )


def _message_parts(
    *,
    db: Session,
    workspace_id: int,
    sender_id: int,
    ref: _TemplateRef,
    text: str | None,
    text_field: str,
    prefix: str,
    errors: _Errors,
) -> tuple[Template | None, dict[str, Any], dict[str, Any] | None, list[tuple[str, str]]]:
    """One message's (template, template slots, media, texts to personalise)."""
    if ref.uses_template:
        template = _resolve_template(
            db=db, workspace_id=workspace_id, ref=ref, prefix=prefix, errors=errors
        )
        if template is None:
            return None, {}, None, []
        found, texts = slots.template_slots(
            db=db,
            workspace_id=workspace_id,
            sender_id=sender_id,
            template=template,
            ref=ref,
            prefix=prefix,
            errors=errors,
        )
        return template, found, None, texts
    media = slots.media_message(
        db=db,
        workspace_id=workspace_id,
        sender_id=sender_id,
        ref=ref,
        caption=text,
        caption_field=text_field,
        prefix=prefix,
        errors=errors,
    )
    return None, {}, media, [(prefix + text_field, text)] if text is not None else []


def validate_create(
    *, db: Session, workspace_id: int, sender_id: int, sender_status: str, data: CampaignCreate
) -> CampaignPlan:
    """All checks of a POST /campaigns body; one 422 listing every problem found."""
    errors = _Errors()
    metadata = data.metadata
    if sender_status != SenderStatus.ACTIVE:
        errors.add("phone_number_id", f"phone number is {sender_status}, not active")

    template, components, media = None, {}, None
    steps: list[StepPlan] = []
    texts: list[tuple[str, str]] = []
    parts = {"db": db, "workspace_id": workspace_id, "sender_id": sender_id, "errors": errors}
    if data.type == CampaignType.BROADCAST:
        free_form = data.message_template is not None or data.media is not None
        if free_form == data.uses_template:
            errors.add(
                "message_template",
                "give exactly one of message_template (or media) or template_id/template_name",
            )
        else:
            if free_form and data.template_params:
                errors.add("template_params", "only used with template_id/template_name")
            template, components, media, texts = _message_parts(
                **parts,
                ref=data,
                text=data.message_template,
                text_field="message_template",
                prefix="",
            )
    else:
        if data.message_template is not None or data.uses_template or data.media is not None:
            errors.add(
                "message_template",
                "a drip campaign takes its messages from "
                "metadata.sequence, not message_template/template_id/media",
            )
        for i, step in enumerate(_parse_steps(metadata, errors)):
            step_template, step_components, step_media, step_texts = _message_parts(
                **parts,
                ref=step,
                text=step.message,
                text_field="message",
                prefix=f"metadata.sequence.{i}.",
            )
            texts += step_texts
            steps.append(
                StepPlan(
                    step.delay_hours,
                    step.message,
                    step_template,
                    step.template_params if step_template else [],
                    step_components,
                    step_media,
                )
            )

    scheduled_at = data.scheduled_at  # aware UTC already (`UTCDatetime`)
    if scheduled_at is not None and scheduled_at <= utcnow():
        errors.add("scheduled_at", "must be in the future")

    stop_on_reply = _flag(metadata, "stop_on_reply", True, errors)
    ai_rewrite = (
        data.ai_rewrite
        if data.ai_rewrite is not None
        else _flag(metadata, "ai_rewrite", False, errors)
    )
    ids = data.contact_ids
    if _check_contacts(db=db, workspace_id=workspace_id, ids=ids, errors=errors):
        check_placeholders(
            db=db,
            workspace_id=workspace_id,
            contact_ids=ids,
            texts=texts,
            metadata=metadata,
            errors=errors,
        )
    errors.raise_if_any()
    return CampaignPlan(
        ids, template, steps, stop_on_reply, ai_rewrite, scheduled_at, texts, components, media
    )
