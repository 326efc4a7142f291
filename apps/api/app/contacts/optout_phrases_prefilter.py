"""Which rules of app.contacts.optout_phrases can match a text at all, in one cheap look.

Each rule's pattern is read once (with the `re` parser) for the literal words any match must
START with: `\\b(band|bnd)\\s+karo` can only match a text with a word beginning "band" or "bnd",
`(^|\\|\\s)enough` one with "|" or "enough". A text whose words begin with none of them is never
searched by that rule, so a 2,000-character reply costs a set lookup per rule instead of a
scan. A rule whose start cannot be read that way (it may begin with `.` or `\\w`) is always
searched. Sound by construction: a skipped rule could not have matched.
"""

from __future__ import annotations

import re

try:  # Python 3.11+
    from re import _constants as C
    from re import _parser as P
except ImportError:  # pragma: no cover
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse as P  # type: ignore[no-redef]

# A first literal at a word start ("w": some word of the text begins with it) or anywhere
# ("s": a substring of the text)
Key = tuple[str, str]
_ZERO_WIDTH = (C.ASSERT, C.ASSERT_NOT)
_WORD_START = (C.AT_BOUNDARY, C.AT_BEGINNING, C.AT_BEGINNING_STRING)


class _Unknown(Exception):
    """The rule may start with a character class or `.`: no key."""


def _first(items: list, word_start: bool) -> tuple[set[Key], bool]:
    """The keys a match of `items` starts with, and whether `items` can match empty."""
    keys: set[Key] = set()
    i = 0
    while i < len(items):
        op, arg = items[i]
        if op is C.AT:
            word_start = arg in _WORD_START
            i += 1
            continue
        if op in _ZERO_WIDTH:
            i += 1
            continue
        if op is C.LITERAL:
            run = ""
            while i < len(items) and items[i][0] is C.LITERAL and not chr(items[i][1]).isspace():
                run += chr(items[i][1])
                i += 1
            if not run:
                raise _Unknown
            for tail in _tails(items[i:]):  # "b(and|nd)": the parser factors out the "b"
                word = re.match(r"\w*", run + tail).group()  # a word start: up to a non-letter
                keys.add(("w", word) if word_start and word else ("s", run + tail))
            return keys, False
        if op is C.SUBPATTERN:
            found, empty = _first(list(arg[-1]), word_start)
        elif op is C.BRANCH:
            found, empty = set(), False
            for branch in arg[1]:
                sub, sub_empty = _first(list(branch), word_start)
                found |= sub
                empty = empty or sub_empty
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
            found, empty = _first(list(arg[2]), word_start)
            empty = empty or arg[0] == 0
        else:
            raise _Unknown
        keys |= found
        if not empty:
            return keys, False
        word_start = False  # after an optional part, the position is not known
        i += 1
    return keys, True


def _tails(items: list) -> set[str]:
    """What may follow a literal run: the next group's first literals, or nothing."""
    if not items or items[0][0] not in (C.SUBPATTERN, C.BRANCH):
        return {""}
    try:
        found, empty = _first(items[:1], False)
    except _Unknown:
        return {""}
    return {""} if empty else {s for _, s in found}


def rule_keys(pattern: str) -> frozenset[Key] | None:
    """The keys one of which any match starts with, or None (always search the rule)."""
    try:
        keys, empty = _first(list(P.parse(pattern)), False)
    except _Unknown:
        return None
    return None if empty or not keys else frozenset(keys)


def text_keys(*texts: str) -> frozenset[str]:
    """Every prefix of every word of `texts` (normalised: words and "|" separated by spaces)."""
    words = {w for text in texts for w in text.split()}
    return frozenset(w[:n] for w in words for n in range(1, len(w) + 1))


def may_match(keys: frozenset[Key] | None, prefixes: frozenset[str], text: str) -> bool:
    if keys is None:
        return True
    return any(s in prefixes if kind == "w" else s in text for kind, s in keys)


class RuleIndex:
    """`may_match` for every rule at once: which rules a text's words can start a match of.

    One set intersection of the text's word prefixes with the keys' words replaces a call per
    rule (the phrase rules number ~300); substring keys, few, are looked for one by one."""

    def __init__(self, keys: list[frozenset[Key] | None], negatable: list[bool]) -> None:
        self._always = {i for i, k in enumerate(keys) if k is None}
        self._by_word: dict[str, set[int]] = {}
        self._by_sub: dict[tuple[str, bool], set[int]] = {}
        for i, rule_keys_ in enumerate(keys):
            for kind, key in rule_keys_ or ():
                if kind == "w":
                    self._by_word.setdefault(key, set()).add(i)
                else:
                    self._by_sub.setdefault((key, negatable[i]), set()).add(i)

    def candidates(self, prefixes: frozenset[str], norm: str, clauses: str) -> list[int]:
        """Indexes, in rule order, of the rules that may match (`clauses` for negatable)."""
        found = set(self._always)
        for word in self._by_word.keys() & prefixes:
            found |= self._by_word[word]
        for (sub, negatable), rules in self._by_sub.items():
            if sub in (clauses if negatable else norm):
                found |= rules
        return sorted(found)


def _self_check() -> None:
    assert rule_keys(r"\b(band|bnd)\s+karo") == {("w", "band"), ("w", "bnd")}
    assert rule_keys(r"(^|\|\s)((ok)\s+)?enough") == {("s", "|"), ("s", "ok"), ("s", "enough")}
    assert rule_keys(r"\b(\w+\s+)?x") is None
    assert re.compile(r"\bx").pattern  # the parser and `re` agree on what a pattern is


_self_check()
