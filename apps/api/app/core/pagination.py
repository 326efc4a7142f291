"""Keyset (cursor) pagination: newest first by id, the cursor an opaque token of the last id.

A cursor stays valid while rows are added (no offset drift) and costs one index range scan
whatever the page number. A token that does not decode is a 422 naming `cursor`.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Annotated, TypeVar

from fastapi import Query

from app.core.errors import ValidationFailed
from app.core.schemas import BIGINT_MAX

CursorQuery = Annotated[
    str | None, Query(max_length=64, description="`next_cursor` of the previous page")
]
T = TypeVar("T")
LimitQuery = Annotated[int, Query(ge=1, le=500, description="Page size")]


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    """The id to continue below, None for the first page."""
    if cursor is None or cursor == "":
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, value = raw.partition(":")
        last = int(value)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValidationFailed("cursor is not a token this API issued", field="cursor") from None
    if prefix != "v1" or not 1 <= last <= BIGINT_MAX:
        raise ValidationFailed("cursor is not a token this API issued", field="cursor")
    return last


def page_of(rows: Sequence[T], limit: int, key: Callable[[T], int]) -> tuple[list[T], str | None]:
    """`rows` fetched with LIMIT limit + 1: the page and the cursor of the next one (None
    when this is the last)."""
    page = list(rows[:limit])
    return page, encode_cursor(key(page[-1])) if len(rows) > limit and page else None
