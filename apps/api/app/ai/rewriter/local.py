"""The offline rewriter: deterministic rules that rewrite a message in a tone.

Steps: hide every fact (URLs, prices, dates, numbers, codes, placeholders, the name) behind a
private-use character; take off the message's own greeting; remove spam markers (runs of
`!!!`, shouting caps, "CLICK NOW"-style phrases, `$$$`, emoji walls); rephrase in the tone
(vocabulary and contractions); add a greeting, an optional opener and a closing in the tone;
then put the facts back. Facts never pass through a transformation, so they survive exactly.

Variants differ in greeting, opener, closing and phrase choices (one seeded choice each) and
are kept only while every pair stays below the ban-risk near-duplicate threshold: asked for more
variants than the phrase tables can make distinct, it returns fewer, never near-duplicates.

A message in Spanish, Portuguese, French, German, Indonesian or Hinglish gets its frame in that
language (phrases.LOCAL_FRAMES) and no English tone vocabulary; spam markers are removed the
same way in every language.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass

from app.ai.classifier.language import detect_language
from app.ai.facts import DAY_RE, mask, strip_private_use, unmask
from app.ai.rewriter.phrases import (
    ACRONYMS,
    CLOSINGS,
    CONTRACT,
    EXPAND,
    GREETINGS,
    LOCAL_FRAMES,
    OPENERS,
    SPAM_PHRASES,
    TONE_WORDS,
    VARIATIONS,
)
from app.ai.risk.similarity import THRESHOLD, similarity

TONES = tuple(GREETINGS)
PUA = "\ue000-\ue7ff"  # the fact stand-ins (see app.ai.facts)

_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|hiya|dear|greetings|good\s+(?:morning|afternoon|evening)|hola|olá|"
    r"ola|oi|buenas|buenos\s+d[ií]as|bom\s+dia|bonjour|salut|hallo|guten\s+tag|namaste|halo|"
    r"hai|selamat\s+(?:pagi|siang|sore|malam))\b[ \t,]*"
    rf"(?P<who>[{PUA}]|(?-i:[A-Z][\w'-]*(?:[ \t]+[A-Z][\w'-]*)?|[a-z][\w'-]*(?=[ \t]*,)))?"
    r"\s*[,!.:;-]*\s*",
    re.I,
)
_DAY_WORD = DAY_RE
_PUNCT_RUN = re.compile(r"([!?])[!?1]+|([¡¿])[¡¿]+|\.{4,}")
_DOLLARS = re.compile(r"\${2,}")
_EMOJI = re.compile(
    "[\U0001f300-\U0001faff\U00002600-\U000027bf\U0001f000-\U0001f2ff\U0000fe0f\U0000200d]"
)
_EMOJI_RUN = re.compile(f"(({_EMOJI.pattern})\\s*)\\2+")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_SPACES = re.compile(r"[ \t]+")
_NEWLINE = re.compile(r" *\n *")
_BANG_RUN = re.compile(r"([!?])[!?.]+|([¡¿])[¡¿]+")
_BANG_GLUED = re.compile(r"([!?])(?=[^\W\d_])")
_DOT_BANG = re.compile(r"\.\s*([!?])")
_MARKER = re.compile("\u2063(\\d+)\u2063")
_SPACE_BEFORE = re.compile(r"\s+([,.!?;:])")
_DOUBLE_PUNCT = re.compile(r"([,.;:])\s*[,.;:]+")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+")
_LEANS_BACK = re.compile(
    r"(?:it|this|that|these|those|they|he|she|also|and|but|so|then|there)\b", re.I
)
# Bodies that already open with a stance of their own take no opener ("Quick note: thanks…").
_NO_OPENER = re.compile(
    r"(?:thanks|thank|sorry|congrat\w*|happy|welcome|please|just|great|good)\b", re.I
)
_OPT_OUT = re.compile(r"\b(?:stop|unsubscribe|opt[ -]?out)\b", re.I)
# Only before words the phrase tables put in, so the sender's own grammar is never touched.
_ARTICLE = re.compile(
    r"\b([Aa]n?) (deal|offer|promotion|reduction|saving|discount|items?|range|brand-new|latest"
    r"|new|lovely|really|great|important|special|time-limited|excellent|affordable)\b"
)
_SENTENCE_START = re.compile(r"(^|[.!?]\s+)([^\W\d_])")


Frame = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]  # greetings, openers, closings


@dataclass(frozen=True)
class Choice:
    """The choices behind one variant: which greeting, opener and closing, a seed for phrase
    options, and how many body sentences move to the end."""

    greeting: int
    opener: int
    closing: int
    phrase: int
    rotate: int = 0


def rewrite_local(
    text: str,
    *,
    contact_name: str | None = None,
    tone: str = "friendly",
    variants: int = 1,
    seed: int = 0,
) -> list[str]:
    """`variants` rewrites of `text` in `tone` (first = the main one); same seed, same output."""
    if tone not in GREETINGS:
        raise ValueError(f"unknown tone {tone!r}; expected one of {', '.join(TONES)}")
    name = (contact_name or "").strip() or None
    text = _DAY_WORD.sub(_calm_day, strip_private_use(text))
    masked, facts = mask(text, names=(name,) if name else ())
    who, body = _split_greeting(masked)
    if who is None and name:
        who = name
    frame = LOCAL_FRAMES.get(detect_language(body))
    if frame is None:  # English (or too little text to tell): the tone's own frame and words
        frame = (GREETINGS[tone], OPENERS[tone], CLOSINGS[tone])
        body = _tone_words(_clean(body), tone)
    else:
        body = _clean(body)
    wanted = max(1, variants)
    chosen: list[str] = []
    for choice in _choices(frame, f"{seed}:{tone}", wanted * 8):
        candidate = unmask(_compose(body, who, tone, choice, frame), facts)
        if candidate not in chosen and all(
            similarity(candidate, other) < THRESHOLD for other in chosen
        ):
            chosen.append(candidate)
        if len(chosen) == wanted:
            break
    return chosen


def _choices(frame: Frame, seed: str, count: int) -> Iterator[Choice]:
    """The main rewrite (first options, body in order), then variants. Greeting, opener and
    closing advance at different strides, so each later combination differs from every
    earlier one in at least two of the three; sentences move once the combinations run out."""
    rng = random.Random(seed)
    perms = []
    for options in frame:
        rest = list(range(1, len(options)))
        rng.shuffle(rest)
        perms.append([0, *rest])
    (gs, os_, cs), n = perms, len(perms[0])
    for j in range(count):
        lap = j // n
        g, o, c = gs[j % n], os_[(j + lap) % len(os_)], cs[(j + 2 * lap) % len(cs)]
        yield Choice(g, o, c, 0 if j == 0 else rng.randrange(1, 1 << 16), lap)


def _calm_day(match: re.Match[str]) -> str:
    """TODAY → today, FRIDAY → Friday: a shouted day is still the same day."""
    word = match.group()
    if not word.isupper():
        return word
    return word.capitalize() if word.lower().endswith("day") and len(word) > 5 else word.lower()


GENERIC_ADDRESSEES = frozenset(
    {"there", "all", "everyone", "dear", "friend", "friends", "customer", "customers"}
    | {"sir", "madam", "team", "guys", "folks"}
)


# Capitalised words after "Hi," that start the message rather than name someone.
NOT_NAMES = frozenset(
    {"we", "our", "your", "you", "the", "this", "it", "i", "thanks", "thank", "just", "quick"}
    | {"good", "great", "today", "tomorrow", "here", "a", "an", "please", "hope", "it's", "we're"}
)


def _is_fact(char: str) -> bool:
    return "\ue000" <= char <= "\ue7ff"


def _split_greeting(masked: str) -> tuple[str | None, str]:
    match = _GREETING.match(masked)
    if not match:
        return None, masked.strip().lstrip("!?.,;:- ")
    who = match.group("who")
    rest = masked[match.end() :]
    if who and not _is_fact(who[0]):
        first = who.lower().split()[0]
        if first in NOT_NAMES:  # "Hi, We just launched…": the body starts there
            who, rest = None, masked[match.start("who") :]
        elif first in GENERIC_ADDRESSEES:
            who = None
        elif who.isupper() or who.islower():
            who = who.title()  # "HI JOHN!!!", "hi john," → "John"
    return who, rest.lstrip(" \t\n!?.,;:-")


def _clean(body: str) -> str:
    """Remove spam markers; facts are stand-in characters here and are never touched."""
    body = _DOLLARS.sub("", body)
    body = _EMOJI_RUN.sub(r"\2 ", body)
    # Each pushy phrase becomes a marker naming its table row; variants pick the wording.
    body = SPAM_PHRASES.pattern.sub(lambda m: f"\u2063{m.lastgroup[1:]}\u2063", body)
    body = _PUNCT_RUN.sub(lambda m: m.group(1) or m.group(2) or "...", body)
    shouting = _mostly_caps(body)
    body = _WORD.sub(lambda m: _uncap(m.group(), shouting), body)
    return body


def _mostly_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.5


def _uncap(word: str, shouting: bool) -> str:
    if not word.isupper() or word in ACRONYMS or word == "I":
        return word
    if len(word) > 3 or shouting:
        return word.lower()
    return word


def _tone_words(body: str, tone: str) -> str:
    body = TONE_WORDS[tone].sub(body, _same_case)
    table = CONTRACT if tone in ("friendly", "casual", "enthusiastic") else EXPAND
    if tone in ("professional", "formal"):
        body = _EMOJI.sub("", body)
        body = body.replace("!", ".")
    body = table.sub(body, _same_case)
    return body


def _same_case(found: str, replacement: str) -> str:
    if found[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def _compose(body: str, who: str | None, tone: str, choice: Choice, frame: Frame) -> str:
    rng = random.Random(choice.phrase)
    body = _MARKER.sub(
        lambda m: _pick(SPAM_PHRASES.values[int(m.group(1))], rng, choice.phrase == 0), body
    )
    first = choice.phrase == 0
    body = VARIATIONS.sub(
        body, lambda found, options: _same_case(found, _pick(options, rng, first))
    )
    greetings, openers, closings = frame
    greeting = greetings[choice.greeting]
    greeting = greeting.format(who=who) if who else _nameless(greeting)
    opener = openers[choice.opener]
    body = _rotate(_tidy(body), choice.rotate)
    if opener and body and not _NO_OPENER.match(body):
        first = body[0]
        if first.isupper() and not _starts_with_acronym(body):
            body = first.lower() + body[1:]
        body = f"{opener} {body}"
    closing = closings[choice.closing]
    if _repeats(closing, body):
        closing = ""
    body = _sentence_case(body)
    ends_open = bool(body) and body[-1] not in ".!?:"
    text = (body + ("\n" if ends_open else " ") + closing) if body and closing else body or closing
    joiner = "\n" if greeting.endswith((",", ".")) else " "
    return _articles(_tidy(greeting + joiner + text))


def _repeats(closing: str, body: str) -> bool:
    """A closing that says what the body's last line already says ("Let me know…")."""
    head = " ".join(_WORD.findall(closing.lower())[:3])
    return bool(head) and head in body.lower()


def _rotate(body: str, times: int) -> str:
    """Move the first sentences to the end (a closing opt-out line stays last), unless the new
    first sentence leans on the one before it ("It costs…")."""
    sentences = [s for s in _SENTENCE_SPLIT.split(body) if s]
    tail = [sentences.pop()] if sentences and _OPT_OUT.search(sentences[-1]) else []
    if len(sentences) < 3 or times == 0:
        return body
    for k in range(times % len(sentences), len(sentences)):
        if k and not _LEANS_BACK.match(sentences[k]):
            return " ".join(sentences[k:] + sentences[:k] + tail)
    return body


def _articles(text: str) -> str:
    """ "an deal" → "a deal", "a offer" → "an offer" after phrase swaps."""

    def fix(m: re.Match[str]) -> str:
        article = "an" if m.group(2)[0].lower() in "aeio" else "a"
        if m.group(1)[0].isupper():
            article = article.capitalize()
        return f"{article} {m.group(2)}"

    return _ARTICLE.sub(fix, text)


def _pick(options: tuple[str, ...], rng: random.Random, first: bool) -> str:
    return options[0] if first else options[rng.randrange(len(options))]


def _nameless(greeting: str) -> str:
    """ "Hi {who}!" without a name: "Hi there!" / "Hello,"."""
    if greeting.startswith(("Hi ", "Hey ")):
        return greeting.replace("{who}", "there")
    if greeting.startswith("Dear "):
        return greeting.replace("Dear {who}", "Hello")
    return re.sub(r"\s*,?\s*\{who\}", "", greeting)


def _starts_with_acronym(body: str) -> bool:
    word = _WORD.match(body)
    return bool(word) and (word.group() in ACRONYMS or word.group() == "I")


def _sentence_case(text: str) -> str:
    return _SENTENCE_START.sub(lambda m: m.group(1) + m.group(2).upper(), text)


def _tidy(text: str) -> str:
    text = _SPACES.sub(" ", text)
    text = _NEWLINE.sub("\n", text)
    text = _SPACE_BEFORE.sub(r"\1", text)
    text = _DOUBLE_PUNCT.sub(r"\1", text)
    text = _BANG_RUN.sub(lambda m: m.group(1) or m.group(2), text)
    text = _BANG_GLUED.sub(r"\1 ", text)
    text = _DOT_BANG.sub(r"\1", text)
    return text.strip(" ,;")
