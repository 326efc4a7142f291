"""What every request body shares: a base model and field types that turn input the database
cannot take into a 422 naming the field (SPEC §2.8), instead of a DataError → 500 later.

- `RequestModel`: no string anywhere in a body — nested in dicts and lists included (metadata,
  attributes, tags, template_params, keys too) — may hold U+0000; PostgreSQL text and jsonb
  refuse it.
- `UTCDatetime`: a request date-time as aware UTC (naive = UTC); an offset that pushes it out of
  Python's range (`9999-12-31T23:59:59-05:00`) is a 422, not an OverflowError.
- `DbId` / `IdPath` / `DbInt`: integers that fit the BIGINT / INTEGER columns they end up in.
- `Text`: a NUL-free string for query parameters (filters compared in SQL).
- Free-form JSON (contact attributes, campaign metadata, template components) is bounded:
  at most `MAX_JSON_DEPTH` levels and `MAX_JSON_BYTES` once encoded, finite numbers only. A
  value nested ~300 deep used to be stored and then made every read of it fail (500).
- `ISODate`: a date given as "YYYY-MM-DD"; a bare number (`0`) is a 422, not 1970-01-01.
- `not_null()`: for optional PATCH fields that refuse an explicit null, so the OpenAPI document
  does not call them nullable.
"""

from __future__ import annotations

import math
import types
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Annotated, Any, Union, get_args, get_origin

import orjson
from fastapi import Path
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    ValidationInfo,
    field_validator,
)

BIGINT_MAX = 2**63 - 1
INT_MAX = 2**31 - 1
NUL_MESSAGE = "must not contain NUL (\\u0000) characters"
MAX_JSON_DEPTH = 32  # levels of objects/arrays inside one field
MAX_JSON_BYTES = 1_048_576  # one free-form object or array of objects, encoded

DbId = Annotated[int, Field(ge=1, le=BIGINT_MAX)]
DbInt = Annotated[int, Field(le=INT_MAX)]
IdPath = Annotated[int, Path(ge=1, le=BIGINT_MAX)]


_ATOMS = frozenset({int, float, bool, type(None)})


def find_nul(value: Any, path: str = "") -> str | None:
    """Where the first NUL character sits in `value` ("" = the value itself, "k.0" = nested),
    or None. Walks dicts (keys and values), lists and tuples."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and "\x00" in key:
                return where
            found = find_nul(item, where)
            if found is not None:
                return found
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            if type(item) in _ATOMS:
                continue  # fast path: 100k-id lists
            found = find_nul(item, f"{path}.{i}" if path else str(i))
            if found is not None:
                return found
    return None


def has_nul(value: Any) -> bool:
    """PostgreSQL text and jsonb cannot store U+0000: such input is refused as invalid."""
    return find_nul(value) is not None


def _nul_error(where: str) -> ValueError:
    return ValueError(f"{NUL_MESSAGE} (at {where})" if where else NUL_MESSAGE)


def json_problem(value: Any, depth: int = 0, path: str = "") -> str | None:
    """Why a free-form JSON value cannot be stored and read back, or None: too deep, or a
    non-finite number (jsonb has no NaN/Infinity)."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"numbers must be finite (at {path or 'the value'})"
    if not isinstance(value, dict | list | tuple):
        return None
    if depth >= MAX_JSON_DEPTH:
        return f"nested more than {MAX_JSON_DEPTH} levels deep (at {path})"
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in items:
        if type(item) in _ATOMS and not isinstance(item, float):
            continue  # fast path: 100k-id lists
        found = json_problem(item, depth + 1, f"{path}.{key}" if path else str(key))
        if found is not None:
            return found
    return None


def _holds_objects(value: Any) -> bool:
    return isinstance(value, dict) or (
        isinstance(value, list | tuple) and any(isinstance(v, dict | list) for v in value)
    )


def check_json_value(value: Any) -> None:
    """ValueError when a raw request value breaks the free-form JSON bounds. The depth check
    comes first: it stops at MAX_JSON_DEPTH, so the NUL walk never recurses further."""
    problem = json_problem(value)
    if problem is not None:
        raise ValueError(problem)
    where = find_nul(value)
    if where is not None:
        raise _nul_error(where)
    if _holds_objects(value):
        try:
            size = len(orjson.dumps(value))
        except (TypeError, orjson.JSONEncodeError):  # not JSON-like: the field's type decides
            return
        if size > MAX_JSON_BYTES:
            raise ValueError(f"larger than {MAX_JSON_BYTES} bytes once encoded as JSON")


@lru_cache(maxsize=1024)
def _scalar_types(annotation: Any) -> frozenset[type] | None:
    """The JSON scalar types a field takes (bool/int/float), or None when it takes others."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _scalar_types(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        found: set[type] = set()
        for arg in get_args(annotation):
            if arg is type(None):
                continue
            kinds = _scalar_types(arg)
            if kinds is None:
                return None
            found |= kinds
        return frozenset(found)
    return frozenset({annotation}) if annotation in (bool, int, float) else None


def check_json_type(annotation: Any, value: Any) -> None:
    """A boolean or number field takes that JSON type only. pydantic's lax mode would read
    `0`/`"yes"` as a boolean and `"10"` as a number, which the document does not allow."""
    kinds = _scalar_types(annotation)
    if not kinds or value is None:
        return
    if isinstance(value, bool):
        ok = bool in kinds
    elif isinstance(value, int | float):
        ok = bool(kinds & {int, float})
    else:
        ok = False
    if not ok:
        expected = "a boolean" if kinds == {bool} else "a number"
        raise ValueError(f"expected {expected} (JSON {type(value).__name__} given)")


class RequestModel(BaseModel):
    """Base of every request body. Runs before each field's own validation, on the raw input,
    so the error names the top-level field and its message the nested place."""

    @field_validator("*", mode="before")
    @classmethod
    def _storable(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        if field is not None:
            check_json_type(field.annotation, value)
        check_json_value(value)
        return value


def _text(value: str) -> str:
    if "\x00" in value:
        raise _nul_error("")
    return value


Text = Annotated[str, AfterValidator(_text)]


def to_utc(value: datetime) -> datetime:
    """Aware UTC; naive input is taken as UTC (the API speaks UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        raise ValueError("date-time is out of range once converted to UTC") from exc


def _no_number(value: Any) -> Any:
    # pydantic reads a number as a Unix timestamp (0 → 1970-01-01); the API speaks ISO 8601.
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("expected an ISO 8601 string, not a number")
    return value


UTCDatetime = Annotated[datetime, BeforeValidator(_no_number), AfterValidator(to_utc)]
ISODate = Annotated[date, BeforeValidator(_no_number)]


def _drop_null(schema: dict[str, Any]) -> None:
    options = schema.pop("anyOf", None)
    if options is None:
        return
    kept = [o for o in options if o.get("type") != "null"]
    if len(kept) == 1:
        schema.update(kept[0])
    else:
        schema["anyOf"] = kept
    if schema.get("default", 0) is None:
        del schema["default"]


def not_null(**kwargs: Any) -> Any:
    """`Field(default=None, ...)` for a partial-update field that may be omitted but not null:
    the document shows it non-nullable (a null is refused by the model's own validator)."""
    return Field(default=None, json_schema_extra=_drop_null, **kwargs)
