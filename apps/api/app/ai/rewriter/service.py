"""MessageRewriter: the LLM when one is configured, the local rewriter otherwise or on failure.

An LLM answer is used only if every variant keeps every fact of the original (URLs, prices,
dates, numbers, codes, placeholders, the name), carries no spam marker and the variants stay
below the near-duplicate threshold; otherwise the local rewrite answers, saying why.
"""

from __future__ import annotations

import re

from app.ai.common import MAX_TEXT
from app.ai.facts import missing_facts, preserved_facts
from app.ai.llm import LLMClient, LLMUnavailable, get_llm_client
from app.ai.rewriter.local import TONES, rewrite_local
from app.ai.rewriter.schemas import LLMRewrite, RewriteResult
from app.ai.risk.similarity import THRESHOLD, similarity
from app.core.metrics import record_ai_fallback

__all__ = ["MessageRewriter", "preserved_facts", "rewrite_local"]

SYSTEM = (
    "You rewrite WhatsApp messages a business sends to its own opted-in customers. Write "
    "natural, human text in the requested tone, as one person writing to another. Remove spam "
    "markers: no shouting capitals, no '!!!', no 'CLICK NOW'/'BUY NOW'/'FREE!!!' pressure. Keep "
    "the same offer and meaning. Copy every listed fact character for character, and keep every "
    "placeholder in curly braces exactly as written. Each variant must be worded differently."
)
_CAPS_WORD = re.compile(r"[^\W\d_]{4,}")


def _prompt(text: str, *, contact_name: str | None, tone: str, variants: int) -> str:
    facts = preserved_facts(text, names=(contact_name,) if contact_name else ())
    lines = [
        f"Tone: {tone}",
        f"Recipient's name: {contact_name}" if contact_name else "Recipient's name: unknown",
        f"Variants wanted: {variants}",
        "Facts to keep exactly: " + ("; ".join(facts) if facts else "(none)"),
        "Message:",
        text,
    ]
    return "\n".join(lines)


def check_rewrite(original: str, candidate: str, *, contact_name: str | None) -> str | None:
    """Why `candidate` may not replace `original` (None = acceptable)."""
    names = (contact_name,) if contact_name else ()
    if not candidate.strip() or len(candidate) > MAX_TEXT:
        return "invalid_length"
    if missing_facts(original, candidate, names=names):
        return "facts_not_preserved"
    if contact_name and contact_name not in candidate and "{" not in original:
        return "facts_not_preserved"
    kept = set(preserved_facts(original, names=names))
    shouting = [
        w for w in _CAPS_WORD.findall(candidate) if w.isupper() and not any(w in f for f in kept)
    ]
    if "!!" in candidate or "??" in candidate or shouting:
        return "spam_markers"
    return None


class MessageRewriter:
    def __init__(self, llm: LLMClient | None = None) -> None:
        self._llm = llm

    async def rewrite_message(
        self, text: str, contact_name: str | None = None, tone: str = "friendly"
    ) -> str:
        """The seed API: one rewrite as text."""
        return (await self.rewrite(text, contact_name=contact_name, tone=tone)).rewritten

    async def rewrite(
        self,
        text: str,
        *,
        contact_name: str | None = None,
        tone: str = "friendly",
        variants: int = 1,
        seed: int = 0,
    ) -> RewriteResult:
        if tone not in TONES:
            raise ValueError(f"unknown tone {tone!r}; expected one of {', '.join(TONES)}")
        name = (contact_name or "").strip() or None
        facts = preserved_facts(text, names=(name,) if name else ())
        client = self._llm or get_llm_client()
        reason = None
        if client.configured:
            try:
                texts = await self._from_llm(client, text, name, tone, variants)
                return RewriteResult(
                    original=text,
                    rewritten=texts[0],
                    variants=texts,
                    tone=tone,
                    provider=client.provider,
                    preserved=facts,
                )
            except LLMUnavailable as exc:
                reason = exc.reason
        texts = rewrite_local(text, contact_name=name, tone=tone, variants=variants, seed=seed)
        return RewriteResult(
            original=text,
            rewritten=texts[0],
            variants=texts,
            tone=tone,
            provider="local",
            fallback_reason=reason,
            preserved=facts,
        )

    async def _from_llm(
        self, client: LLMClient, text: str, name: str | None, tone: str, variants: int
    ) -> list[str]:
        prompt = _prompt(text, contact_name=name, tone=tone, variants=variants)
        answer = await client.complete_json(prompt, LLMRewrite, system=SYSTEM, operation="rewrite")
        texts = [t.strip() for t in answer.variants][:variants]
        problem, detail = _problem(text, texts, name, variants)
        if problem:  # a valid answer we cannot use: the local rewriter answers
            record_ai_fallback(client.provider, problem)
            raise LLMUnavailable(problem, detail)
        return texts


def _problem(
    text: str, texts: list[str], name: str | None, variants: int
) -> tuple[str | None, str]:
    """Why the model's variants cannot go out (too few, a fact lost, too alike), or None."""
    if len(texts) < variants:
        return "too_few_variants", f"{len(texts)} of {variants}"
    for candidate in texts:
        problem = check_rewrite(text, candidate, contact_name=name)
        if problem:
            return problem, candidate[:100]
    for i, a in enumerate(texts):
        if any(similarity(a, b) >= THRESHOLD for b in texts[i + 1 :]):
            return "too_similar", ""
    return None, ""
