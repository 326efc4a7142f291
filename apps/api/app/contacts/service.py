"""Contacts: CRUD, consent (opt-in/opt-out) and lookups other domains call. Callers commit."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, func, literal, or_, select, type_coerce
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import Session

from app.contacts.erasure import erase_contact, restore_opt_outs, take_suppressions
from app.contacts.models import Contact
from app.contacts.phone import (
    inspect_phone,
    parse_phone,
    require_phone,
    timezone_of,
)
from app.contacts.schemas import ContactCreate, ContactUpdate
from app.core.db import dialect_insert, utcnow
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.schemas import has_nul

_WA_ID = re.compile(r"^\d{8,15}$")
_PHONEISH = re.compile(r"^[\d\s()+\-.]+$")


def phone_facts(raw: str, region: str | None = None) -> tuple[str, str | None, str | None]:
    """(E.164, timezone, country) of a number; ValidationFailed(field="phone") if invalid."""
    facts = inspect_phone(raw, region)
    if facts is None:
        require_phone(raw, region)  # raises the error that names the value
    assert facts is not None
    return facts[1:]


# --- queries ---------------------------------------------------------------------------------


def get_contact(
    *, db: Session, workspace_id: int, contact_id: int, for_update: bool = False
) -> Contact:
    """`for_update` locks the row until the commit, so a write racing a DELETE waits and then
    gets 404, and of concurrent DELETEs exactly one succeeds (the others: 404)."""
    lock = for_update or None
    contact = db.get(Contact, contact_id, with_for_update=lock) if 0 < contact_id < 2**63 else None
    if contact is None or contact.workspace_id != workspace_id:
        raise NotFound("Contact", contact_id)
    return contact


def find_by_phone(*, db: Session, workspace_id: int, phone: str) -> Contact | None:
    """The contact with this exact E.164 phone, if any."""
    return db.scalar(
        select(Contact).where(Contact.workspace_id == workspace_id, Contact.phone == phone)
    )


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def has_tag(db: Session, tag: str) -> ColumnElement[bool]:
    """`tag` is in the JSON `tags` array: JSONB containment on PostgreSQL, json_each on SQLite."""
    if db.get_bind().dialect.name == "postgresql":
        return type_coerce(Contact.tags, JSONB).contains([tag])
    values = func.json_each(Contact.tags).table_valued("value")
    return exists(select(literal(1)).select_from(values).where(values.c.value == tag))


def is_opted_in() -> ColumnElement[bool]:
    return and_(Contact.opted_in_at.is_not(None), Contact.opted_out_at.is_(None))


def check_filter_text(*, tags: list[str] | None, search: str | None) -> None:
    """Refuse filter text the database cannot take (NUL), before anything is streamed."""
    if search and has_nul(search):
        raise ValidationFailed("search must not contain NUL characters", field="search")
    if tags and has_nul(tags):
        raise ValidationFailed("tag must not contain NUL characters", field="tag")


def contact_filters(
    db: Session,
    *,
    workspace_id: int,
    tags: list[str] | None = None,
    opted_in: bool | None = None,
    search: str | None = None,
) -> list[ColumnElement[bool]]:
    """WHERE clauses shared by the list and the CSV export. Always scoped to the workspace."""
    check_filter_text(tags=tags, search=search)
    clauses: list[ColumnElement[bool]] = [Contact.workspace_id == workspace_id]
    clauses += [has_tag(db, tag) for tag in tags or [] if tag.strip()]
    if opted_in is not None:
        clauses.append(is_opted_in() if opted_in else ~is_opted_in())
    term = (search or "").strip()
    if term:
        options = [
            Contact.name.ilike(_like(term), escape="\\"),
            Contact.email.ilike(_like(term), escape="\\"),
            Contact.phone.ilike(_like(term), escape="\\"),
        ]
        digits = re.sub(r"\D", "", term)
        if digits and digits != term and _PHONEISH.match(term):  # "(415) 555" finds +1415555…
            options.append(Contact.phone.like(_like(digits), escape="\\"))
        clauses.append(or_(*options))
    return clauses


def list_contacts(
    *,
    db: Session,
    workspace_id: int,
    tags: list[str] | None = None,
    opted_in: bool | None = None,
    search: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Contact], int]:
    """One page (newest first) and the total count of matching contacts."""
    where = contact_filters(
        db, workspace_id=workspace_id, tags=tags, opted_in=opted_in, search=search
    )
    total = db.scalar(select(func.count()).select_from(Contact).where(*where)) or 0
    stmt = select(Contact).where(*where).order_by(Contact.id.desc()).limit(limit).offset(offset)
    return list(db.scalars(stmt)), total


# --- writes ----------------------------------------------------------------------------------


def _ensure_phone_free(db: Session, workspace_id: int, phone: str, *, exclude_id: int | None):
    existing = find_by_phone(db=db, workspace_id=workspace_id, phone=phone)
    if existing is not None and existing.id != exclude_id:
        raise Conflict(
            f"A contact with phone {phone} already exists (id {existing.id})",
            errors=[{"field": "phone", "message": "already exists", "contact_id": existing.id}],
        )


def create_contact(
    *, db: Session, workspace_id: int, data: ContactCreate, region: str | None = None
) -> Contact:
    phone, derived_tz, country = phone_facts(data.phone, region)
    _ensure_phone_free(db, workspace_id, phone, exclude_id=None)
    if data.opt_in_source and not data.opted_in:
        raise ValidationFailed(
            "opt_in_source given without opted_in=true; consent must be explicit",
            field="opted_in",
        )
    now = utcnow()
    contact = Contact(
        workspace_id=workspace_id,
        phone=phone,
        name=data.name or None,
        email=data.email,
        tags=data.tags,
        attributes=data.attributes,
        timezone=data.timezone or derived_tz,
        country=country,
        opted_in_at=now if data.opted_in else None,
        opt_in_source=(data.opt_in_source or "api") if data.opted_in else None,
        **take_suppressions(db=db, workspace_id=workspace_id, phones=[phone]).get(phone, {}),
    )
    db.add(contact)
    db.flush()
    return contact


def update_contact(
    *, db: Session, workspace_id: int, contact_id: int, data: ContactUpdate
) -> Contact:
    contact = get_contact(db=db, workspace_id=workspace_id, contact_id=contact_id, for_update=True)
    fields = data.model_fields_set
    if "phone" in fields:
        if data.phone is None:
            raise ValidationFailed("phone cannot be null", field="phone")
        old_tz = timezone_for_contact_phone(contact.phone)
        phone, derived_tz, country = phone_facts(data.phone)
        _ensure_phone_free(db, workspace_id, phone, exclude_id=contact.id)
        contact.phone, contact.country = phone, country
        if "timezone" not in fields and contact.timezone in (None, old_tz):
            contact.timezone = derived_tz  # the zone was derived from the old number: follow it
    if "name" in fields:
        contact.name = data.name or None
    if "email" in fields:
        contact.email = data.email
    if "tags" in fields:
        contact.tags = data.tags or []
    if "attributes" in fields:
        contact.attributes = data.attributes or {}
    if "timezone" in fields:
        contact.timezone = data.timezone or timezone_for_contact_phone(contact.phone)
    db.flush()
    return contact


def timezone_for_contact_phone(phone: str) -> str | None:
    number = parse_phone(phone)
    return timezone_of(number) if number is not None else None


def delete_contact(*, db: Session, workspace_id: int, contact_id: int) -> None:
    """An erasure: personal data goes, message facts stay anonymous (app.contacts.erasure).
    Of concurrent DELETEs exactly one erases; the others wait on the row lock, then 404."""
    contact = get_contact(db=db, workspace_id=workspace_id, contact_id=contact_id)
    try:
        erase_contact(db=db, contact=contact)
    except InvalidRequestError as exc:  # erased by a concurrent DELETE while we waited
        raise NotFound("Contact", contact_id) from exc


def opt_in(*, db: Session, contact: Contact, source: str, at: datetime | None = None) -> None:
    """Record explicit consent (timestamp + source); a new opt-in lifts earlier opt-outs."""
    contact.opted_in_at = at or utcnow()
    contact.opt_in_source = source
    contact.opted_out_at = None
    contact.opt_out_source = None
    contact.marketing_opted_out_at = None
    db.flush()


def opt_out(*, db: Session, contact: Contact, source: str, at: datetime | None = None) -> None:
    """Stop all campaign messages to the contact. Idempotent: the first opt-out time is kept."""
    if contact.opted_out_at is None:
        contact.opted_out_at = at or utcnow()
        contact.opt_out_source = source
        db.flush()


def get_or_create_by_phone(
    *, db: Session, workspace_id: int, phone: str, name: str | None = None
) -> Contact:
    """The contact for an inbound sender, created (NOT opted in) when unknown.

    Accepts Meta's `wa_id` (digits without '+'). Safe against a concurrent insert of the same
    number: INSERT … ON CONFLICT DO NOTHING, then read.
    """
    raw = phone.strip()
    if _WA_ID.match(raw):
        raw = "+" + raw
    facts = inspect_phone(raw)
    if facts is not None:
        _, e164, tz, country = facts
    elif _WA_ID.match(raw.lstrip("+")) and raw.startswith("+"):
        # Meta knows the number exists even if our metadata is older than its range.
        e164, tz, country = raw, None, None
    else:
        e164, tz, country = phone_facts(raw)  # raises, naming the value
    existing = find_by_phone(db=db, workspace_id=workspace_id, phone=e164)
    if existing is None:
        insert = dialect_insert(db)
        now = utcnow()
        values = {
            "workspace_id": workspace_id,
            "phone": e164,
            "name": name or None,
            "tags": [],
            "attributes": {},
            "timezone": tz,
            "country": country,
            "created_at": now,
            "updated_at": now,
        }
        stmt = insert(Contact).values(**values)
        done = db.execute(stmt.on_conflict_do_nothing(index_elements=["workspace_id", "phone"]))
        if done.rowcount:
            restore_opt_outs(db=db, workspace_id=workspace_id, phones=[e164])
        existing = find_by_phone(db=db, workspace_id=workspace_id, phone=e164)
        assert existing is not None
    elif name and not existing.name:
        existing.name = name
        db.flush()
    return existing
