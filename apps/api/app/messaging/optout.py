"""Opt-out keyword detection for inbound messages (SPEC §2.2).

A message opts out only when the WHOLE message is a keyword — "stop" or "Stop!" does, "don't
stop sending me deals" does not. Matching ignores case, surrounding/inner whitespace runs and
punctuation, so "  S.T.O.P ", "Opt-out" and "STOP ALL!!" all match. The reply classifier also
asks for explicit opt-out *sentences* (`match_opt_out(text, sentences=True)`, optout_phrases.py);
the request path below never does.
"""

from __future__ import annotations

import re
import string
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.orm import Session

from app.core.config import settings
from app.core.db import utcnow
from app.messaging.optout_phrases import match_phrase

DEFAULT_KEYWORDS = ("STOP", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPT OUT")
_MAX_LEN = 64  # a long message is a conversation, not a keyword


# ASCII fast path: in ASCII, "-" is the only hyphen (Pd) and string.punctuation is exactly the
# P* and S* categories, so this translation equals the per-character loop below.
_ASCII_PUNCT = str.maketrans({ch: " " if ch == "-" else "" for ch in string.punctuation})
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Upper-case, punctuation and symbols removed, whitespace collapsed."""
    if text.isascii():
        return _SPACES.sub(" ", text.upper().translate(_ASCII_PUNCT)).strip()
    return _normalize_unicode(text)


def _normalize_unicode(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).upper()
    kept = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat[0] in ("P", "S"):
            # Hyphen-like punctuation separates words ("OPT-OUT"); the rest is dropped ("S.T.O.P").
            kept.append(" " if cat == "Pd" else "")
        else:
            kept.append(ch)
    return _SPACES.sub(" ", "".join(kept)).strip()


def _squash(text: str) -> str:
    return text.replace(" ", "")


def keywords() -> dict[str, str]:
    """Normalized → canonical keyword, built-ins plus settings.OPT_OUT_KEYWORDS."""
    return _keyword_table(tuple(settings.OPT_OUT_KEYWORDS))


@lru_cache(maxsize=8)
def _keyword_table(extra: tuple[str, ...]) -> dict[str, str]:
    table: dict[str, str] = {}
    for kw in (*DEFAULT_KEYWORDS, *extra):
        norm = normalize(kw)
        if norm:
            table[norm] = norm.lower()
            table.setdefault(_squash(norm), norm.lower())  # "OPTOUT" == "OPT OUT"
    return table


def match_opt_out(text: str | None, *, sentences: bool = False) -> str | None:
    """The canonical keyword (lower case, e.g. "stop all") the message is, or None.

    `sentences=False` (the webhook request path, where a false positive opts a customer out
    unasked): only a whole-message keyword. `sentences=True` (the reply classifier): also an
    explicit opt-out sentence in one of seven languages ("please remove me from your list"),
    returned as `"phrase:<lang>:<rule>"` (see app.messaging.optout_phrases)."""
    keyword = _match_keyword(text)
    if keyword or not sentences:
        return keyword
    return match_phrase(text)


def _match_keyword(text: str | None) -> str | None:
    if not text or len(text) > _MAX_LEN:
        return None
    norm = normalize(text)
    if not norm:
        return None
    table = keywords()
    return table.get(norm) or table.get(_squash(norm))


# --- applied at once, on the request path ----------------------------------------------------

# Inbound message types whose text can be an opt-out keyword (button: quick reply text).
KEYWORD_TYPES = frozenset({"text", "button", "interactive"})
_FAST_LOCK_TIMEOUT = "50ms"  # never hold the webhook acknowledgement behind a busy contact


@dataclass(frozen=True)
class KeywordOptOut:
    phone_number_id: str
    phone: str  # E.164, from Meta's wa_id
    at: datetime
    keyword: str


def keyword_opt_outs(payload: Any) -> list[KeywordOptOut]:
    """The inbound messages of a delivery that are an opt-out keyword (CPU only, no I/O)."""
    from app.messaging.webhook_parser import parse_webhook

    found = []
    for msg in parse_webhook(payload).messages:
        keyword = match_opt_out(msg.text) if msg.type in KEYWORD_TYPES else None
        pnid = msg.channel.phone_number_id
        if keyword and pnid and msg.from_.isdigit():
            found.append(KeywordOptOut(pnid, "+" + msg.from_, msg.timestamp or utcnow(), keyword))
    return found


def record_keyword_opt_outs(*, db: Session, found: list[KeywordOptOut]) -> int:
    """Opt the contacts out now, before the event's full processing (which repeats it
    idempotently, stores the message and stops drips): one indexed UPDATE each, on
    (workspace of the receiving number, phone). An unknown contact is left to that processing;
    a contact locked by a send batch too (lock timeout), rather than delay the acknowledgement.
    Returns how many contacts were opted out. The caller commits."""
    from app.contacts.models import Contact
    from app.senders.models import SenderNumber

    if not found:
        return 0
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text(f"SET LOCAL lock_timeout = '{_FAST_LOCK_TIMEOUT}'"))
    workspace = (
        select(SenderNumber.workspace_id)
        .where(SenderNumber.phone_number_id == bindparam("b_pnid"))
        .scalar_subquery()
    )
    stmt = (
        update(Contact)
        .where(
            Contact.workspace_id == workspace,
            Contact.phone == bindparam("b_phone"),
            Contact.opted_out_at.is_(None),
        )
        .values(opted_out_at=bindparam("b_at"), opt_out_source=bindparam("b_source"))
        .execution_options(synchronize_session=False)
    )
    done = 0
    for item in found:
        params = {"b_pnid": item.phone_number_id, "b_phone": item.phone, "b_at": item.at}
        done += db.execute(stmt, {**params, "b_source": f"keyword:{item.keyword}"}).rowcount or 0
    return done
