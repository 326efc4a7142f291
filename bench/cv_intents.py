"""Grouped cross-validation of the intent model on the TRAIN split only.

    .venv/bin/python -m bench.cv_intents [--folds 5] [--set C=10 --set char=2,5 ...]

How model settings are chosen without touching held-out: folds keep a phrasing group together
(a template family, a hand-written line), so a fold's test phrasings are new to its model, as
held-out ones are. `--set` tries other settings (C, word=lo,hi, char=lo,hi, char_max=N,
word_max=N, analyzer=char|char_wb,
concepts=off) and prints macro-F1 beside the current ones.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from typing import Any

import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedGroupKFold

from app.ai import intents
from app.ai.classifier.model import load_replies
from app.contacts.optout_keywords import match_opt_out


def phrasing_group(row: dict[str, Any]) -> str:
    """A hand-written line is its own group, a template family one: folds never split it."""
    return row["source"] if row["source"] != "hand" else "h:" + row["text"]


def apply(settings: list[str]) -> dict[str, Any]:
    """Override the model's module-level settings (this process only)."""
    done: dict[str, Any] = {}
    for item in settings:
        key, _, value = item.partition("=")
        if key == "C":
            intents.C = float(value)
        elif key in ("word", "char"):
            lo, hi = (int(v) for v in value.split(","))
            params = intents.WORD_PARAMS if key == "word" else intents.CHAR_PARAMS
            params["ngram_range"] = (lo, hi)
        elif key in ("word_max", "char_max"):
            params = intents.WORD_PARAMS if key == "word_max" else intents.CHAR_PARAMS
            params["max_features"] = int(value)
        elif key == "concepts" and value == "off":
            intents.concept_tokens = lambda doc: []
        elif key == "analyzer":
            intents.CHAR_PARAMS["analyzer"] = value
        else:
            raise SystemExit(f"unknown setting {key!r}")
        done[key] = value
    intents._ANALYZERS.clear()
    return done


def cross_validate(folds: int, seed: int = 0) -> dict[str, float]:
    rows = load_replies("train")
    texts = np.array([r["text"] for r in rows], dtype=object)
    y = np.array([r["intent"] for r in rows])
    groups = [phrasing_group(r) for r in rows]
    pred = np.empty(len(rows), dtype=object)
    cv = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    t0 = time.perf_counter()
    for fit, out in cv.split(texts, y, groups):
        model = intents.IntentModel.train(list(texts[fit]), list(y[fit]))
        pred[out] = model.predict(list(texts[out]))
    rules = np.array([bool(match_opt_out(t, sentences=True)) for t in texts])
    with_rules = np.where(rules, "opt_out", pred)
    labels = sorted(set(y))
    per_class = dict(zip(labels, f1_score(y, with_rules, average=None, labels=labels), strict=True))
    pairs = Counter((t, p) for t, p in zip(y, with_rules, strict=True) if t != p)
    return {
        "per_class": per_class,
        "confused": pairs.most_common(12),
        "macro_f1_model": f1_score(y, pred, average="macro"),
        "macro_f1": f1_score(y, with_rules, average="macro"),
        "accuracy": float((with_rules == y).mean()),
        "seconds": time.perf_counter() - t0,
        "n": len(rows),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--set", action="append", default=[])
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--seeds", type=int, default=1, help="repeat with this many fold seeds")
    args = parser.parse_args()
    changed = apply(args.set)
    runs = [cross_validate(args.folds, seed) for seed in range(args.seeds)]
    r = runs[0]
    if args.seeds > 1:
        for key in ("macro_f1", "macro_f1_model", "accuracy"):
            r[key] = float(np.mean([run[key] for run in runs]))
        r["seconds"] = sum(run["seconds"] for run in runs)
    print(
        f"{changed or 'current settings'}: macro-F1 {r['macro_f1']:.3f} (model alone "
        f"{r['macro_f1_model']:.3f}), accuracy {r['accuracy']:.3f}, {r['n']} train replies, "
        f"{args.folds} grouped folds x {args.seeds} seeds, {r['seconds']:.0f} s"
    )
    if args.verbose:
        print("  F1 per intent:", ", ".join(f"{k} {v:.2f}" for k, v in r["per_class"].items()))
        print("  most confused (true → predicted):", r["confused"])


if __name__ == "__main__":
    main()
