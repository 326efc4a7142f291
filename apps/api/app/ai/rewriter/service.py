# PLACEHOLDER (owner: h9a) — a small deterministic rule-based rewriter with the contract's
# names and guarantees (placeholders, links, prices, numbers kept verbatim), so issue 10 can
# prepare variant pools before h9a's rewriter lands. No LLM client exists on this branch: a
# configured LLM is reported as unavailable (fallback_reason), as the real service does when
# the LLM fails.
"""Message rewriting: `rewrite_local` (offline) and `MessageRewriter` (seed API)."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from app.core.config import settings

# Tokens a rewrite must keep: placeholders, URLs, e-mails, prices, anything with a digit.
_FACT = re.compile(
    r"\{[^{}]*\}|https?://\S+|www\.\S+|\S+@\S+\.\w+|[$€£]\s?\d[\d.,]*|\S*\d\S*", re.I
)
_SHOUT = re.compile(r"\b[A-Z]{3,}\b")
_BANGS = re.compile(r"([!?])\1+")
_OPENERS = ("", "Hi there! ", "Hello! ", "Good news: ", "Quick note: ", "Hey! ")
_CLOSERS = ("", " Let us know if you have questions.", " Reply any time.", " Thanks!")


def preserved_facts(text: str) -> list[str]:
    return [m.group(0).rstrip(".,!?;:") for m in _FACT.finditer(text or "")]


def _calm(text: str) -> str:
    """Shouting words lower-cased (facts untouched), repeated ! and ? collapsed."""
    parts, pos = [], 0
    for match in _FACT.finditer(text):
        chunk = text[pos : match.start()]
        parts.append(_SHOUT.sub(lambda m: m.group(0).capitalize(), chunk))
        parts.append(match.group(0))
        pos = match.end()
    parts.append(_SHOUT.sub(lambda m: m.group(0).capitalize(), text[pos:]))
    return _BANGS.sub(r"\1", "".join(parts)).strip()


def rewrite_local(
    text: str,
    *,
    contact_name: str | None = None,
    tone: str = "friendly",
    variants: int = 1,
    seed: int = 0,
) -> list[str]:
    base = _calm(text)
    rng = random.Random(f"{seed}:{text}")
    combos = [(o, c) for o in _OPENERS for c in _CLOSERS if o or c]
    rng.shuffle(combos)
    out: list[str] = []
    for opener, closer in combos:
        if len(out) >= max(1, variants):
            break
        candidate = f"{opener}{base}{closer}".strip()
        if candidate not in out:
            out.append(candidate)
    return out or [base]


@dataclass
class RewriteResult:
    original: str
    rewritten: str
    tone: str
    provider: str = "local"
    fallback_reason: str | None = None
    variants: list[str] = field(default_factory=list)


class MessageRewriter:
    async def rewrite(
        self,
        text: str,
        *,
        contact_name: str | None = None,
        tone: str = "friendly",
        variants: int = 1,
        seed: int = 0,
    ) -> RewriteResult:
        found = rewrite_local(
            text, contact_name=contact_name, tone=tone, variants=variants, seed=seed
        )
        fallback = None if settings.LLM_PROVIDER == "local" else "not_configured"
        return RewriteResult(text, found[0], tone, "local", fallback, found)

    async def rewrite_message(
        self, text: str, contact_name: str | None = None, tone: str = "friendly"
    ) -> str:
        return (await self.rewrite(text, contact_name=contact_name, tone=tone)).rewritten
