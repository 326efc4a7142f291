"""Opt-out keyword detection (SPEC §2.2): pure text rules, no I/O.

Consent belongs to contacts, so the matcher lives here: the webhook path (app.inbound) and the
reply classifier (app.ai) both call it, and neither may import the other.

A message opts out only when the WHOLE message is a keyword — "stop" or "Stop!" does, "don't
stop sending me deals" does not. Matching ignores case, surrounding/inner whitespace runs and
punctuation, so "  S.T.O.P ", "Opt-out" and "STOP ALL!!" all match. A few plain-words requests
("stop texting me", "remove me from your list") are matched the same whole-message way.
"""

from __future__ import annotations

import re
import unicodedata

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


def normalize(text: str) -> str:
    """Upper-case, punctuation and symbols removed, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).upper()
    kept = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat[0] in ("P", "S"):
            # Hyphen-like punctuation separates words ("OPT-OUT"); the rest is dropped ("S.T.O.P").
            kept.append(" " if cat == "Pd" else "")
        else:
            kept.append(ch)
    return re.sub(r"\s+", " ", "".join(kept)).strip()


def _squash(text: str) -> str:
    return text.replace(" ", "")


def keywords() -> dict[str, str]:
    """Normalized → canonical keyword, built-ins plus settings.OPT_OUT_KEYWORDS."""
    table: dict[str, str] = {}
    for kw in (*DEFAULT_KEYWORDS, *settings.OPT_OUT_KEYWORDS):
        norm = normalize(kw)
        if norm:
            table[norm] = norm.lower()
            table.setdefault(_squash(norm), norm.lower())  # "OPTOUT" == "OPT OUT"
    return table


def match_opt_out(text: str | None) -> str | None:
    """The canonical keyword (lower case, e.g. "stop all") the message is, or None."""
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
