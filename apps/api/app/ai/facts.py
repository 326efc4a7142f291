"""The facts a message must keep exactly: URLs, e-mails, placeholders, prices, percentages,
dates, times, days, phone numbers, codes, reply keywords (`Reply STOP`) and plain numbers.

These are rules on purpose (what must survive a rewrite is exact, not a guess). The rewriter
swaps each fact for one private-use character before it touches the text and puts it back
after, so no transformation can alter a fact; the LLM path checks its output keeps them all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MONTHS = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
)
_TLDS = (
    r"(?:com|net|org|io|ly|gl|co|me|gd|gy|at|cc|in|uk|de|es|br|fr|id|info|biz|app|shop|link|"
    r"store|site|xyz|us|eu)"
)
_ORD = r"(?:st|nd|rd|th)?"

URL_RE = re.compile(
    r"(?:https?://|www\.)[^\s<>\"']*[^\s<>\"'.,;:!?)\]]"
    rf"|\b(?:[a-z0-9-]+\.)+{_TLDS}\b(?:/[^\s<>\"']*[^\s<>\"'.,;:!?)\]])?",
    re.I,
)
EMAIL_RE = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
PLACEHOLDER_RE = re.compile(r"\{\{\s*\w+\s*\}\}|\{[A-Za-z_][\w.]*(?:\|[^{}\n]*)?\}")
PRICE_RE = re.compile(
    r"(?:R\$|Rs\.?|USD|EUR|GBP|INR|IDR|[$€£¥₹])\s?\d[\d,]*(?:[.,]\d+)?(?:\s?(?:/|per\s)\s?\w+)?"
    r"|\b\d[\d,]*(?:[.,]\d+)?\s?(?:USD|EUR|GBP|INR|€|\$|rupees|euros|dollars)(?![\w])"
)
PERCENT_RE = re.compile(r"\b\d+(?:[.,]\d+)?\s?%")
DATE_RE = re.compile(
    r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b|\b\d{1,2}/\d{1,2}\b"
    rf"|\b\d{{1,2}}{_ORD}(?:\s*[–-]\s*\d{{1,2}}{_ORD})?\s+(?:of\s+)?{_MONTHS}(?:,?\s+\d{{4}})?"
    rf"|\b{_MONTHS}\s+\d{{1,2}}{_ORD}\b(?:,?\s+\d{{4}})?"
)
TIME_RE = re.compile(
    r"\b\d{1,2}[:.]\d{2}(?:\s*[–-]\s*\d{1,2}[:.]\d{2})?(?:\s?[ap]\.?m\.?)?(?![\d])"
    r"|\b\d{1,2}\s?[ap]\.?m\b\.?|\b\d{1,2}h\d{0,2}\b",
    re.I,
)
PHONE_RE = re.compile(r"\+?\d[\d ()-]{6,}\d")
CODE_RE = re.compile(
    r"#\w+|\b(?=[A-Za-z0-9-]*\d)(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+\b"
    r"|\b(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z0-9]{3,}\b"
    r"|\b(?i:code|coupon|ref)\s+(?P<v>[A-Z][A-Z0-9]{2,})\b"
)
NUMBER_RE = re.compile(r"\d+(?:[.,:]\d+)*")
# When something happens is a fact too: weekdays and today/tomorrow/tonight.
DAY_RE = re.compile(
    r"\b(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b|\b(?:today|tomorrow|tonight)\b", re.I
)
# What a reader must type back stays verbatim: "Reply STOP", "text YES", "responda SAIR".
KEYWORD_RE = re.compile(
    r"\b(?i:reply|text|send|type|responda|responde)\s+(?P<v>[A-Z]{1,12})\b(?![a-z])"
)

# Earlier patterns win where spans overlap at the same start (a price before its number).
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("placeholder", PLACEHOLDER_RE),
    ("url", URL_RE),
    ("email", EMAIL_RE),
    ("price", PRICE_RE),
    ("percent", PERCENT_RE),
    ("date", DATE_RE),
    ("time", TIME_RE),
    ("phone", PHONE_RE),
    ("code", CODE_RE),
    ("number", NUMBER_RE),
    ("day", DAY_RE),
    ("keyword", KEYWORD_RE),
)
# What a kind needs to be present at all ("digit" = any digit); skipping saves most scans.
_GUARDS = {
    "placeholder": "{",
    "url": ".",
    "email": "@",
    "price": "digit",
    "percent": "%",
    "date": "digit",
    "time": "digit",
    "phone": "digit",
    "number": "digit",
}
_DIGIT = re.compile(r"\d")
PUA_BASE = 0xE000  # private-use characters stand in for facts while text is rewritten
PUA_MAX = 0x1800


@dataclass(frozen=True)
class Fact:
    kind: str
    text: str
    start: int
    end: int


def find_facts(text: str, *, names: tuple[str, ...] = ()) -> list[Fact]:
    """Non-overlapping facts in order of appearance; a longer span wins an overlap."""
    found: list[Fact] = []
    has_digit = _DIGIT.search(text) is not None
    for kind, pattern in PATTERNS:
        guard = _GUARDS.get(kind)
        if (guard == "digit" and not has_digit) or (
            guard and guard != "digit" and guard not in text
        ):
            continue  # cheap pre-check: this kind cannot occur in the text
        for m in pattern.finditer(text):
            group = "v" if m.groupdict().get("v") else 0  # a code after "code"/"ref": the code
            found.append(Fact(kind, m.group(group), m.start(group), m.end(group)))
    for name in names:
        if name and name.strip():
            for m in re.finditer(rf"(?<!\w){re.escape(name.strip())}(?!\w)", text):
                found.append(Fact("name", m.group(), m.start(), m.end()))
    order = {kind: i for i, (kind, _) in enumerate(PATTERNS)}
    found.sort(key=lambda f: (f.start, -(f.end - f.start), order.get(f.kind, -1)))
    kept: list[Fact] = []
    end = -1
    for fact in found:
        if fact.start >= end and fact.text.strip():
            kept.append(fact)
            end = fact.end
    return kept


def preserved_facts(text: str, *, names: tuple[str, ...] = ()) -> list[str]:
    """The exact strings a rewrite of `text` must still contain."""
    return [f.text for f in find_facts(text, names=names)]


def missing_facts(original: str, rewritten: str, *, names: tuple[str, ...] = ()) -> list[str]:
    """Facts of `original` (with multiplicity) that `rewritten` lost. Days compare without
    case (a rewrite may turn a shouted TODAY into today); everything else exactly."""
    need: dict[tuple[str, str], int] = {}
    for fact in find_facts(original, names=names):
        key = (fact.kind, fact.text.casefold() if fact.kind == "day" else fact.text)
        need[key] = need.get(key, 0) + 1
    folded = rewritten.casefold()
    missing = []
    for (kind, text), count in need.items():
        have = folded.count(text) if kind == "day" else rewritten.count(text)
        if have < count:
            missing.append(text)
    return sorted(missing)


def mask(text: str, *, names: tuple[str, ...] = ()) -> tuple[str, list[str]]:
    """`text` with each fact replaced by one private-use character, and the facts in order."""
    facts = find_facts(text, names=names)[:PUA_MAX]
    parts, last = [], 0
    for i, fact in enumerate(facts):
        parts += [text[last : fact.start], chr(PUA_BASE + i)]
        last = fact.end
    parts.append(text[last:])
    return "".join(parts), [f.text for f in facts]


_PUA_RE = re.compile(f"[{chr(PUA_BASE)}-{chr(PUA_BASE + PUA_MAX - 1)}]")


def unmask(text: str, facts: list[str]) -> str:
    return _PUA_RE.sub(lambda m: facts[ord(m.group()) - PUA_BASE], text)


def strip_private_use(text: str) -> str:
    """Input must not smuggle in our stand-in characters."""
    return _PUA_RE.sub("", text)
