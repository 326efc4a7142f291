"""Opt-out keyword detection (SPEC §2.2): pure text rules, no I/O.

Consent belongs to contacts, so the matcher lives here: the webhook path (app.inbound) and the
reply classifier (app.ai) both call it, and neither may import the other.

A message opts out only when the WHOLE message is a keyword — "stop" or "Stop!" does, "don't
stop sending me deals" does not. Matching ignores case, surrounding/inner whitespace runs and
punctuation, so "  S.T.O.P ", "Opt-out" and "STOP ALL!!" all match. A few plain-words requests
("stop texting me", "remove me from your list") are matched the same whole-message way. The
reply classifier also asks for explicit opt-out *sentences* (`match_opt_out(text,
sentences=True)`, optout_phrases.py); the webhook request path (app.inbound.optout) never does.
"""

from __future__ import annotations

import re
import string
import unicodedata
from functools import lru_cache

from app.contacts.optout_clauses import match_clause_in
from app.contacts.optout_phrases import match_bare_keyword, match_phrase_in, without_unwanted
from app.core.config import settings

DEFAULT_KEYWORDS = ("STOP", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPT OUT")
# Plain-words requests to stop, as exact as the keywords: the WHOLE normalised message must be
# one of these shapes, so "stop texting me" opts out and "why did you stop texting me?" or
# "please don't stop texting me" do not.
_POLITE = r"(?: PLEASE| NOW| THANKS| THANK YOU)?"
_REQUESTS = re.compile(
    "^(?:"
    + "|".join(
        (
            r"(?:PLEASE )?(?:STOP|QUIT) (?:TEXTING|MESSAGING|CONTACTING|SPAMMING|WRITING TO|"
            r"SENDING (?:ME )?(?:MESSAGES|TEXTS))(?: ME| US)?(?: AGAIN| ANYMORE)?",
            r"(?:PLEASE )?(?:REMOVE|DELETE|TAKE) ME (?:FROM|OFF) (?:YOUR|THIS|THE) "
            r"(?:LIST|MAILING LIST|CONTACT LIST|CONTACTS)",
            r"(?:PLEASE )?UNSUBSCRIBE ME",
            r"(?:PLEASE )?(?:DO NOT|DONT) (?:TEXT|MESSAGE|CONTACT|WRITE TO) ME "
            r"(?:AGAIN|ANYMORE|EVER AGAIN)",
        )
    )
    + ")"
    + _POLITE
    + "$"
)
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
    returned as `"phrase:<lang>:<rule>"` (app.contacts.optout_phrases) or `"clause:<request>"`
    (app.contacts.optout_clauses, read by word roles)."""
    keyword = _match_keyword(text)
    if keyword or not sentences:
        return keyword
    if not text:
        return None
    found = match_bare_keyword(text)
    if found:
        return found
    kept = without_unwanted(text)  # once, for both readings
    return match_phrase_in(kept) or match_clause_in(kept)


def _match_keyword(text: str | None) -> str | None:
    if not text or len(text) > _MAX_LEN:
        return None
    norm = normalize(text)
    if not norm:
        return None
    table = keywords()
    found = table.get(norm) or table.get(_squash(norm))
    if found is None and _REQUESTS.match(norm):
        return norm.lower()
    return found
