"""Near-duplicate share among a number's recent messages (rapidfuzz).

Bulk identical text is what Meta's spam systems see first, so the question is: how many
messages have a near-copy among the messages sent just before them? Each message is compared
with the WINDOW messages before it (rapidfuzz `fuzz.ratio` on case-folded text, one C call per
message via `process.extractOne` with a score cut-off), so 1,000 messages cost 1,000 calls
rather than half a million pairs. The rewriter's variants are built to stay below THRESHOLD.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process

THRESHOLD = 90.0  # fuzz.ratio at or above this = near-duplicate
WINDOW = 20


@dataclass(frozen=True)
class Similarity:
    compared: int
    near_duplicates: int
    max_similarity: float

    @property
    def ratio(self) -> float:
        return self.near_duplicates / self.compared if self.compared else 0.0


def similarity(a: str, b: str) -> float:
    return fuzz.ratio(a.casefold(), b.casefold())


def near_duplicates(
    texts: list[str], *, threshold: float = THRESHOLD, window: int = WINDOW
) -> Similarity:
    """`texts` in sending order; counts messages 2..n with a near-copy among the previous
    `window` ones."""
    folded = [t.casefold() for t in texts if t]
    dupes, best = 0, 0.0
    for i in range(1, len(folded)):
        previous = folded[max(0, i - window) : i]
        match = process.extractOne(folded[i], previous, scorer=fuzz.ratio)
        if match is None:
            continue
        score = match[1]
        best = max(best, score)
        if score >= threshold:
            dupes += 1
    return Similarity(compared=max(0, len(folded) - 1), near_duplicates=dupes, max_similarity=best)
