"""Build the labelled reply set: tests/data/replies/{train,heldout}.jsonl.

Inputs (all written for this project): tests/data/replies/hand_written.txt and the template
families in templates.py, which the split is made from, and tests/data/replies/extra/*.txt,
training-only replies written later (same format as hand_written.txt): they are added to the
train split after it is made, so the held-out split does not depend on them at all.
The output is deterministic (fixed seed, hash-ordered split), so the committed files can be
checked against a fresh build (tests/test_reply_dataset.py):

    python scripts/reply_dataset/build.py          # rewrite the two split files
    python scripts/reply_dataset/build.py --check  # exit 1 if they differ from a fresh build

The split is stratified by intent (opt-outs by intent AND language, so every language has
held-out opt-outs) and made by *group*: a hand-written line is its own group, a template family
is one group, so no held-out phrasing pattern is seen in training. Nothing is tuned on held-out.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import sys
import unicodedata
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from templates import FAMILIES, SLOTS

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "replies"
SEED = 20261201
HELDOUT_FRACTION = 0.25
VARIANTS_PER_FAMILY = 8
INTENTS = (
    "interested", "question", "pricing", "meeting_request", "not_interested", "opt_out",
    "complaint", "already_customer", "wrong_number", "auto_reply", "other",
)  # fmt: skip
SENTIMENTS = {"pos": "positive", "neu": "neutral", "neg": "negative"}


@dataclass
class Reply:
    text: str
    intent: str
    sentiment: str
    lang: str
    source: str  # "hand" or "template:<family>"
    group: str


def read_hand_written(path: Path = DATA / "hand_written.txt") -> list[Reply]:
    out: list[Reply] = []
    intent = None
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if line.startswith("## "):
            intent = line[3:].strip()
            if intent not in INTENTS:
                raise ValueError(f"line {n}: unknown intent {intent!r}")
            continue
        if not line or line.startswith("#"):
            continue
        head, _, text = raw.partition(" | ")
        sentiment, lang = head.split()
        if intent is None or sentiment not in SENTIMENTS or not text.strip():
            raise ValueError(f"line {n}: malformed {raw!r}")
        out.append(Reply(text.strip(), intent, SENTIMENTS[sentiment], lang, "hand", f"h{n}"))
    return out


_INNER = re.compile(r"\{([^{}]*)\}")


def fill(pattern: str, rng: random.Random) -> str:
    """Resolve `{slot}` and `{a|b|c}` innermost first."""
    while True:
        m = _INNER.search(pattern)
        if m is None:
            return re.sub(r"\s+", " ", pattern).strip()
        body = m.group(1)
        value = rng.choice(body.split("|")) if "|" in body or body not in SLOTS else None
        if value is None:
            value = rng.choice(SLOTS[body])
        pattern = pattern[: m.start()] + value + pattern[m.end() :]


def _typo(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long:
        return text
    i = rng.choice(long)
    w = words[i]
    j = rng.randrange(1, len(w) - 2)
    kind = rng.random()
    if kind < 0.4:
        w = w[:j] + w[j + 1] + w[j] + w[j + 2 :]  # swap
    elif kind < 0.7:
        w = w[:j] + w[j + 1 :]  # drop
    else:
        w = w[:j] + w[j] + w[j:]  # double
    words[i] = w
    return " ".join(words)


def noisy(text: str, intent: str, rng: random.Random) -> str:
    """WhatsApp-style noise. Letter typos are not added to opt-outs: the explicit opt-out rules
    are measured on the phrasings people type, typos included only where hand-written."""
    r = rng.random()
    if r < 0.25:
        text = text.lower()
    elif r < 0.32:
        text = text.upper() if len(text) < 40 else text
    if rng.random() < 0.3:
        text = text.rstrip(".!?").replace("'", "")
    if intent != "opt_out" and rng.random() < 0.25:
        text = _typo(text, rng)
    if rng.random() < 0.12:
        text += rng.choice([" pls", " plz", "!!", " ?", " 🙏", "..."])
    return text


def generate_templates(rng: random.Random) -> list[Reply]:
    out: list[Reply] = []
    for name, intent, lang, sentiment, patterns in FAMILIES:
        seen: set[str] = set()
        for k in range(VARIANTS_PER_FAMILY * 4):  # bounded attempts; small families stay small
            if len(seen) >= VARIANTS_PER_FAMILY:
                break
            text = fill(patterns[k % len(patterns)], rng)
            text = noisy(text, intent, rng) if k >= len(patterns) else text
            key = norm_key(text)
            if key in seen:
                continue
            seen.add(key)
            senti = SENTIMENTS[sentiment]
            if any(e in text for e in SLOTS["emoji_neg"]):
                senti = "negative"
            out.append(Reply(text, intent, senti, lang, f"template:{name}", f"t:{name}"))
    return out


def norm_key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", "", text)).strip() or text.strip()


def dedupe(replies: list[Reply]) -> list[Reply]:
    """One row per text; the same text with two intents is a labelling error."""
    seen: dict[str, Reply] = {}
    for r in replies:
        key = norm_key(r.text)
        if key in seen:
            if seen[key].intent != r.intent:
                raise ValueError(f"{r.text!r}: {seen[key].intent} vs {r.intent}")
            continue
        seen[key] = r
    return list(seen.values())


def _rank(group: str) -> str:
    return hashlib.sha1(f"{SEED}:{group}".encode()).hexdigest()


def split(replies: list[Reply]) -> tuple[list[Reply], list[Reply]]:
    strata: dict[tuple[str, str], dict[str, list[Reply]]] = defaultdict(lambda: defaultdict(list))
    for r in replies:
        stratum = (r.intent, r.lang if r.intent == "opt_out" else "*")
        strata[stratum][r.group].append(r)
    train: list[Reply] = []
    held: list[Reply] = []
    for stratum in sorted(strata):
        groups = strata[stratum]
        total = sum(len(g) for g in groups.values())
        want = round(total * HELDOUT_FRACTION)
        taken = 0
        for name in sorted(groups, key=_rank):
            rows = groups[name]
            if taken < want and taken + len(rows) <= want + 2:
                held.extend(rows)
                taken += len(rows)
            else:
                train.extend(rows)
    train_keys = {norm_key(r.text) for r in train}
    held = [r for r in held if norm_key(r.text) not in train_keys]
    return train, held


def read_extra(folder: Path = DATA / "extra") -> list[Reply]:
    """Training-only replies (written after the split, by writers who never saw held-out)."""
    rows: list[Reply] = []
    for path in sorted(folder.glob("*.txt")):
        for r in read_hand_written(path):
            r.group = f"x:{path.stem}:{r.group}"
            rows.append(r)
    return rows


def add_training_only(
    train: list[Reply], held: list[Reply], extra: list[Reply]
) -> tuple[list[Reply], int]:
    """Append `extra` to train without touching held-out: a text already in train is skipped
    (a different label there is an error), a text that is in held-out is dropped (so it cannot
    leak), silently: the writers must not learn held-out texts from the build."""
    by_key = {norm_key(r.text): r for r in train}
    held_keys = {norm_key(r.text) for r in held}
    dropped = 0
    for r in extra:
        key = norm_key(r.text)
        if key in held_keys:
            dropped += 1
        elif key in by_key:
            if by_key[key].intent != r.intent:
                raise ValueError(f"{r.text!r}: {by_key[key].intent} vs {r.intent}")
        else:
            by_key[key] = r
            train.append(r)
    return train, dropped


def build() -> dict[str, str]:
    rng = random.Random(SEED)
    replies = dedupe(read_hand_written() + generate_templates(rng))
    train, held = split(replies)  # made once, from the original sources only
    train, _ = add_training_only(train, held, read_extra())
    files = {}
    for name, rows in (("train.jsonl", train), ("heldout.jsonl", held)):
        lines = []
        for r in sorted(rows, key=lambda r: (INTENTS.index(r.intent), r.lang, r.text)):
            row = asdict(r)
            row.pop("group")
            lines.append(json.dumps(row, ensure_ascii=False))
        files[name] = "\n".join(lines) + "\n"
    return files


def main(argv: list[str]) -> int:
    files = build()
    if "--check" in argv:
        stale = [n for n, t in files.items() if (DATA / n).read_text(encoding="utf-8") != t]
        print("stale: " + ", ".join(stale) if stale else "split files are up to date")
        return 1 if stale else 0
    for name, text in files.items():
        (DATA / name).write_text(text, encoding="utf-8")
        print(f"wrote {DATA / name}: {text.count(chr(10))} replies")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
