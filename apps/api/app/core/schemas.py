"""What every request body shares: a base model and field types that turn input the database
cannot take into a 422 naming the field (SPEC §2.8), instead of a DataError → 500 later.

- `RequestModel`: no string anywhere in a body — nested in dicts and lists included (metadata,
  attributes, tags, template_params, keys too) — may hold U+0000; PostgreSQL text and jsonb
  refuse it.
- `UTCDatetime`: a request date-time as aware UTC (naive = UTC); an offset that pushes it out of
  Python's range (`9999-12-31T23:59:59-05:00`) is a 422, not an OverflowError.
- `DbId` / `IdPath` / `DbInt`: integers that fit the BIGINT / INTEGER columns they end up in.
- `Text`: a NUL-free string for query parameters (filters compared in SQL).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Path
from pydantic import AfterValidator, BaseModel, Field, field_validator

BIGINT_MAX = 2**63 - 1
INT_MAX = 2**31 - 1
NUL_MESSAGE = "must not contain NUL (\\u0000) characters"

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


class RequestModel(BaseModel):
    """Base of every request body. Runs before each field's own validation, on the raw input,
    so the error names the top-level field and its message the nested place."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        where = find_nul(value)
        if where is not None:
            raise _nul_error(where)
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


UTCDatetime = Annotated[datetime, AfterValidator(to_utc)]
