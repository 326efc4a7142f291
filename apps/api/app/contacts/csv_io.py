"""CSV import (streamed, batched upserts) and export (streamed) of contacts.

Import reads the upload row by row through `csv` over a text wrapper, so memory stays flat
whatever the file size. Valid rows are merged with what the workspace already has (one lookup
per batch) and upserted in batches with INSERT … ON CONFLICT (workspace_id, phone) DO UPDATE:
one json_to_recordset() statement per batch on PostgreSQL, an executemany on SQLite. Everything
happens in the caller's transaction: a file that fails as a whole (undecodable, not CSV, no
phone column) leaves nothing behind.

Export neutralises spreadsheet formulas and import undoes exactly that (`csv_cells`), so what
export wrote imports back unchanged.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

import orjson
from sqlalchemy import String, any_, func, literal, select, text, true, type_coerce
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Session

from app.contacts.csv_cells import neutralise, restore
from app.contacts.erasure import restore_opt_outs
from app.contacts.models import Contact
from app.contacts.phone import check_region, inspect_phone
from app.contacts.schemas import (
    MAX_ATTRIBUTE_VALUE,
    MAX_ATTRIBUTES,
    ImportResult,
    RowError,
    attributes_problem,
    clean_email,
    clean_tags,
    clean_timezone,
)
from app.contacts.service import contact_filters
from app.core.db import dialect_insert, utcnow
from app.core.errors import ValidationFailed

BATCH_SIZE = 2000
MAX_REPORTED_ERRORS = 1000
PHONE_ALIASES = ("phone", "phone_number", "mobile", "whatsapp")
EXPORT_COLUMNS = ("phone", "name", "email", "tags", "timezone", "opted_in", "opt_in_source")
ATTRIBUTE_PREFIX = "attributes."  # export prefix for attribute keys that clash with a column
_TRUE = frozenset({"true", "yes", "1", "y"})
_FALSE = frozenset({"false", "no", "0", "n"})
_RESERVED = frozenset(EXPORT_COLUMNS) | frozenset(PHONE_ALIASES)
_UPDATED = ("name", "email", "tags", "attributes", "timezone", "opted_in_at", "opt_in_source")
_PG_TYPES = {name: "varchar" for name in ("phone", "name", "email", "timezone", "country")}
_PG_TYPES |= {"tags": "jsonb", "attributes": "jsonb", "opted_in_at": "timestamptz"}
_PG_TYPES |= {"opt_in_source": "varchar"}
# The batch travels as ONE JSON parameter expanded by json_to_recordset(): the statement text
# never changes (no re-compiling in SQLAlchemy or psycopg) and orjson encodes a batch in about a
# millisecond, where per-value parameters cost tens of microseconds a row in Python.
_PG_UPSERT = text(
    f"INSERT INTO {Contact.__tablename__} (workspace_id, created_at, updated_at, "
    + ", ".join(_PG_TYPES)
    + ") SELECT :workspace_id, :now, :now, "
    + ", ".join(f"u.{n}" for n in _PG_TYPES)
    + " FROM json_to_recordset(CAST(:rows AS json)) AS u("
    + ", ".join(f"{n} {t}" for n, t in _PG_TYPES.items())
    + ") ON CONFLICT (workspace_id, phone) DO UPDATE SET "
    + ", ".join(f"{n} = excluded.{n}" for n in (*_UPDATED, "updated_at"))
)


class RowInvalid(Exception):
    def __init__(self, reason: str, value: str | None) -> None:
        super().__init__(reason)
        self.reason, self.value = reason, value


def _header_key(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


@dataclass
class _Layout:
    """Where each known column sits; any other column is a custom attribute."""

    phone: int
    known: dict[str, int]
    attributes: list[tuple[int, str]]
    width: int

    @classmethod
    def from_header(cls, header: list[str]) -> _Layout:
        phone: int | None = None
        known: dict[str, int] = {}
        attributes: list[tuple[int, str]] = []
        for index, cell in enumerate(header):
            raw = restore(cell.strip())
            key = _header_key(raw)
            if key in PHONE_ALIASES:
                if phone is not None:
                    raise ValidationFailed(f"More than one phone column: {raw!r}", field="file")
                phone = index
            elif key in ("name", "email", "tags", "timezone", "opted_in", "opt_in_source"):
                known.setdefault(key, index)
            elif raw.strip():
                name = raw.strip()
                attributes.append((index, name.removeprefix(ATTRIBUTE_PREFIX) or name))
        if phone is None:
            raise ValidationFailed(
                "No phone column (expected one of: " + ", ".join(PHONE_ALIASES) + ")",
                field="file",
            )
        if len(attributes) > MAX_ATTRIBUTES:
            raise ValidationFailed(
                f"The file has {len(attributes)} attribute columns; at most {MAX_ATTRIBUTES} "
                "(every attribute becomes a column of every export row)",
                field="file",
            )
        return cls(phone=phone, known=known, attributes=attributes, width=len(header))


@dataclass
class _Row:
    phone: str
    first_in_file: bool
    line: int = 0
    name: str | None = None
    email: str | None = None
    tags: list[str] | None = None
    timezone: str | None = None
    derived_timezone: str | None = None
    country: str | None = None
    opted_in: bool = False
    opt_in_source: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)

    def absorb(self, later: _Row) -> None:
        """A later row for the same phone wins for every value it provides."""
        for name in ("name", "email", "tags", "timezone", "opt_in_source"):
            value = getattr(later, name)
            if value is not None:
                setattr(self, name, value)
        self.opted_in = self.opted_in or later.opted_in
        self.attributes.update(later.attributes)


def _cell(values: list[str], index: int | None) -> str | None:
    if index is None or index >= len(values):
        return None
    text = restore(values[index].strip())
    return text or None


def _parse_row(values: list[str], layout: _Layout, region: str | None, seen: set[str]) -> _Row:
    if len(values) > layout.width and any(v.strip() for v in values[layout.width :]):
        raise RowInvalid(f"row has {len(values)} fields, header has {layout.width}", None)
    if any("\x00" in v for v in values):
        raise RowInvalid("contains a NUL character", None)
    raw_phone = _cell(values, layout.phone)
    if raw_phone is None:
        raise RowInvalid("missing phone", None)
    facts = inspect_phone(raw_phone, region)
    if facts is None:
        raise RowInvalid("invalid phone number", raw_phone)
    _, phone, derived_timezone, country = facts
    get = layout.known.get
    try:
        row = _Row(
            phone=phone,
            first_in_file=phone not in seen,
            name=_bounded(_cell(values, get("name")), 200, "name"),
            email=clean_email(_cell(values, get("email"))),
            timezone=clean_timezone(_cell(values, get("timezone"))),
            opt_in_source=_bounded(_cell(values, get("opt_in_source")), 100, "opt_in_source"),
        )
        tags = _cell(values, get("tags"))
        if tags is not None:
            row.tags = clean_tags(tags.replace("|", ";").split(";"))
    except ValueError as exc:
        raise RowInvalid(str(exc), None) from exc
    consent = _cell(values, get("opted_in"))
    if consent is not None:
        if consent.lower() not in _TRUE | _FALSE:
            raise RowInvalid("opted_in must be true/yes/1 or false/no/0", consent)
        row.opted_in = consent.lower() in _TRUE
    if row.timezone is None:
        row.derived_timezone = derived_timezone
    row.country = country
    for index, key in layout.attributes:
        value = _cell(values, index)
        if value is not None:
            if len(value) > MAX_ATTRIBUTE_VALUE:
                raise RowInvalid(f"{key} longer than {MAX_ATTRIBUTE_VALUE} characters", None)
            row.attributes[key] = value
    return row


def _bounded(value: str | None, limit: int, name: str) -> str | None:
    if value is not None and len(value) > limit:
        raise ValueError(f"{name} longer than {limit} characters")
    return value


def _delimiter(header_line: str) -> str:
    for candidate in (",", "\t", ";"):
        if candidate in header_line:
            return candidate
    return ","


class _Importer:
    def __init__(self, db: Session, workspace_id: int) -> None:
        self.db, self.workspace_id = db, workspace_id
        self.counts: Counter[str] = Counter()  # plain ints: pydantic setattr is slow per row
        self.errors: list[RowError] = []
        self.seen: set[str] = set()
        self.pending: dict[str, _Row] = {}
        self.postgres = db.get_bind().dialect.name == "postgresql"
        if self.postgres:
            # The batch lookup runs many times in one transaction; psycopg prepares it after a
            # few runs and a generic plan made while the table was small scans the whole
            # workspace per batch (quadratic). Plan each execution with its real parameters.
            db.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
        table = Contact.__table__
        stmt = dialect_insert(db)(table)
        self.upsert = stmt.on_conflict_do_update(
            index_elements=[table.c.workspace_id, table.c.phone],
            set_={name: stmt.excluded[name] for name in (*_UPDATED, "updated_at")},
        )

    def report(self) -> ImportResult:
        truncated = self.counts["invalid"] > len(self.errors)
        return ImportResult(**self.counts, errors=self.errors, errors_truncated=truncated)

    def invalid(self, line: int, exc: RowInvalid) -> None:
        self.counts["invalid"] += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(line=line, reason=exc.reason, value=exc.value))

    def add(self, row: _Row) -> None:
        if not row.first_in_file:
            self.counts["duplicates"] += 1
        self.seen.add(row.phone)
        earlier = self.pending.get(row.phone)
        if earlier is not None:
            earlier.absorb(row)
        else:
            self.pending[row.phone] = row
        if len(self.pending) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        rows, self.pending = list(self.pending.values()), {}
        existing = self._existing([r.phone for r in rows])
        now = utcnow()
        values = [
            self._values(row, existing.get(row.phone), now)
            for row in rows
            if self._attributes_fit(row, existing.get(row.phone))
        ]
        if not values:
            return
        if self.postgres:
            self._upsert_postgres(values, now)
        else:
            self.db.execute(self.upsert, values)
        # A new contact whose number belonged to an erased, opted-out one stays opted out.
        new = [r.phone for r in rows if r.phone not in existing]
        restore_opt_outs(db=self.db, workspace_id=self.workspace_id, phones=new)

    def _upsert_postgres(self, values: list[dict[str, Any]], now: datetime) -> None:
        rows = orjson.dumps([{name: v[name] for name in _PG_TYPES} for v in values])
        params = {"workspace_id": self.workspace_id, "now": now, "rows": rows.decode()}
        self.db.execute(_PG_UPSERT, params)

    def _attributes_fit(self, row: _Row, old: Any) -> bool:
        """The contact's attributes once merged stay within the per-contact bounds."""
        merged = {**((old.attributes or {}) if old is not None else {}), **row.attributes}
        problem = attributes_problem(merged) if row.attributes else None
        if problem is not None:
            self.invalid(row.line, RowInvalid(problem, row.phone))
        return problem is None

    def _existing(self, phones: list[str]) -> dict[str, Any]:
        c = Contact.__table__.c
        in_batch = c.phone == any_(literal(phones, ARRAY(String()))) if self.postgres else None
        stmt = select(c.phone, *(c[name] for name in _UPDATED)).where(
            c.workspace_id == self.workspace_id,
            c.phone.in_(phones) if in_batch is None else in_batch,
        )
        return {r.phone: r for r in self.db.execute(stmt)}

    def _values(self, row: _Row, old: Any, now: datetime) -> dict[str, Any]:
        if row.first_in_file:
            if old is None:
                self.counts["created"] += 1
            else:
                self.counts["updated"] += 1
        consent_at = now if row.opted_in else None
        source = (row.opt_in_source or "csv_import") if row.opted_in else None
        values: dict[str, Any] = {
            "workspace_id": self.workspace_id,
            "phone": row.phone,
            "name": row.name,
            "email": row.email,
            "tags": row.tags or [],
            "attributes": row.attributes,
            "timezone": row.timezone or row.derived_timezone,
            "country": row.country,
            "opted_in_at": consent_at,
            "opt_in_source": source,
            "created_at": now,
            "updated_at": now,
        }
        if old is not None:  # empty cells keep what the contact has; consent is never undone
            values["name"] = row.name or old.name
            values["email"] = row.email or old.email
            values["tags"] = old.tags if row.tags is None else row.tags
            values["attributes"] = {**(old.attributes or {}), **row.attributes}
            values["timezone"] = row.timezone or old.timezone or row.derived_timezone
            if old.opted_in_at is not None:
                values["opted_in_at"], values["opt_in_source"] = old.opted_in_at, old.opt_in_source
        return values


def import_contacts(
    *, db: Session, workspace_id: int, stream: IO[bytes], default_region: str | None = None
) -> ImportResult:
    """Upsert every valid row of a CSV file; report invalid rows by line. Caller commits."""
    region = check_region(default_region)
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    importer = _Importer(db, workspace_id)
    try:
        header_line = text.readline()
        if not header_line.strip():
            raise ValidationFailed("The file is empty or has no header row", field="file")
        header = next(csv.reader([header_line], delimiter=_delimiter(header_line)))
        layout = _Layout.from_header(header)
        reader = csv.reader(text, delimiter=_delimiter(header_line))
        line = 1
        for values in reader:
            start, line = line + 1, reader.line_num + 1
            if not values or not any(v.strip() for v in values):
                continue
            importer.counts["total_rows"] += 1
            try:
                row = _parse_row(values, layout, region, importer.seen)
                row.line = start
                importer.add(row)
            except RowInvalid as exc:
                importer.invalid(start, exc)
        importer.flush()
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            f"The file is not UTF-8 text (byte {exc.start}): upload a UTF-8 CSV", field="file"
        ) from exc
    except csv.Error as exc:
        raise ValidationFailed(f"The file is not valid CSV: {exc}", field="file") from exc
    finally:
        text.detach()  # leave the upload open; its owner closes it
    return importer.report()


# --- export ----------------------------------------------------------------------------------


def attribute_keys(db: Session, where: list[Any]) -> list[str]:
    """Every attribute name used by the selected contacts, sorted."""
    if db.get_bind().dialect.name == "postgresql":
        key = func.jsonb_object_keys(type_coerce(Contact.attributes, JSONB))
        stmt = select(key).where(*where).distinct()
    else:
        each = func.json_each(Contact.attributes).table_valued("key")
        stmt = select(each.c.key).select_from(Contact).join(each, true()).where(*where).distinct()
    return sorted(str(k) for k in db.scalars(stmt))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def export_csv(
    *,
    db: Session,
    workspace_id: int,
    tags: list[str] | None = None,
    opted_in: bool | None = None,
    search: str | None = None,
    chunk_rows: int = 1000,
) -> Iterator[str]:
    """CSV text in chunks: the import's columns, then one column per attribute name."""
    where = contact_filters(
        db, workspace_id=workspace_id, tags=tags, opted_in=opted_in, search=search
    )
    keys = attribute_keys(db, where)
    buffer = io.StringIO()
    # RFC 4180 line ends: with "\r\n" as the terminator the writer also quotes a value holding a
    # lone "\r", which a reader would otherwise take for the end of the row.
    writer = csv.writer(buffer, lineterminator="\r\n")
    attribute_header = (neutralise(ATTRIBUTE_PREFIX + k if k in _RESERVED else k) for k in keys)
    writer.writerow([*EXPORT_COLUMNS, *attribute_header])
    c = Contact.__table__.c
    columns = ("phone", "name", "email", "tags", "timezone", "opted_in_at", "opted_out_at")
    stmt = (
        select(*(c[name] for name in columns), c.opt_in_source, c.attributes)
        .where(*where)
        .order_by(c.id)
        .execution_options(yield_per=chunk_rows)
    )
    for count, r in enumerate(db.execute(stmt), start=1):
        attributes = r.attributes or {}
        cells = [
            r.phone,
            r.name or "",
            r.email or "",
            ";".join(r.tags or []),
            r.timezone or "",
            _text(r.opted_in_at is not None and r.opted_out_at is None),
            r.opt_in_source or "",
            *(_text(attributes.get(k)) for k in keys),
        ]
        writer.writerow([neutralise(cell) for cell in cells])
        if count % chunk_rows == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
