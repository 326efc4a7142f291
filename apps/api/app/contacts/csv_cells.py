"""Spreadsheet-safe CSV cells (OWASP "CSV injection").

A cell a spreadsheet would run as a formula — one that starts with `=`, `+`, `-`, `@`, tab or
carriage return once any leading quotes are set aside — is exported with one leading `'`, which
spreadsheets read as "this is text". A plain number (`+14155550100`, `-5`) is left alone: it
cannot run anything. Import removes exactly the quote export added, so a value round-trips
unchanged, whatever it holds (`'=x` is exported as `''=x` and imports back as `'=x`).
"""

from __future__ import annotations

import re

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


def _formula_like(text: str) -> bool:
    rest = text.lstrip("'")
    return rest.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(rest)


def neutralise(text: str) -> str:
    """A cell a spreadsheet will not run as a formula: `=cmd|' /C calc'!A0` → `'=cmd|…`."""
    return "'" + text if _formula_like(text) else text


def restore(text: str) -> str:
    """The inverse of `neutralise` (import): `restore(neutralise(x)) == x` for every x."""
    return text[1:] if text.startswith("'") and _formula_like(text) else text
