"""Grouped cross-validation of the opt-out review model (app.ai.classifier.optout_model).

    .venv/bin/python -m bench.cv_optout [--folds 5]

Its training material only: the train split and the independent opt-out sets already
measured (optout_model.TRAINING_SETS). Each fold trains the model without its rows and scores
them; the table gives, per threshold, how many of the opt-outs the RULES MISS it sends to a
person (what it is for) and how many other replies it would send to review needlessly. The
threshold in optout_model was read from this table.
"""

from __future__ import annotations

import argparse

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold

from app.ai.classifier.model import load_replies
from app.ai.classifier.optout_model import OPT_OUT, OTHER, THRESHOLD, independent_rows
from app.ai.intents import IntentModel
from app.contacts.optout_keywords import match_opt_out
from bench.cv_intents import phrasing_group

THRESHOLDS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7)


def rows() -> list[tuple[str, str, str]]:
    """(group, text, label): a hand-written train line or template family is one group, an
    independent set's line its own group."""
    out = []
    for r in load_replies("train"):
        out.append((phrasing_group(r), r["text"], OPT_OUT if r["intent"] == "opt_out" else OTHER))
    out.extend((f"{name}:{text}", text, label) for name, text, label in independent_rows())
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    data = rows()
    texts = np.array([t for _, t, _ in data], dtype=object)
    y = np.array([label for *_, label in data])
    groups = np.array([g for g, _, _ in data])
    rule = np.array([bool(match_opt_out(t, sentences=True)) for t in texts])
    proba = np.zeros(len(texts))
    folds = StratifiedGroupKFold(n_splits=args.folds, shuffle=True, random_state=0)
    for train_idx, test_idx in folds.split(texts, y, groups):
        model = IntentModel.train(list(texts[train_idx]), list(y[train_idx]))
        col = model.labels.index(OPT_OUT)
        proba[test_idx] = [p[col] for p in map(model.proba_one, texts[test_idx])]
    indep = np.array([g.startswith("optout_fresh") for g in groups])
    opt, other = y == OPT_OUT, y == OTHER
    print(f"{len(texts)} replies ({int(opt.sum())} opt-outs); cross-validated P(opt-out).")
    print("The rules were revised on all of these, so they miss few here; on a new set they")
    print("miss 10-20%, and this model is what sends those to a person.\n")
    print("| threshold | opt-outs ≥ threshold | of them, independent sets | train replies of "
          "other intents ≥ | look-alikes ≥ (independent sets) |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|")
    for t in THRESHOLDS:
        hit = proba >= t

        def share(mask: np.ndarray, hit: np.ndarray = hit) -> str:
            n, k = int(mask.sum()), int((mask & hit).sum())
            return f"{k} of {n} ({k / max(n, 1):.1%})"

        print(
            f"| {t:.1f} | {share(opt)} | {share(opt & indep)} | {share(other & ~indep)} "
            f"| {share(other & indep)} |"
        )
    missed = opt & ~rule
    caught = int((missed & (proba >= THRESHOLD)).sum())
    print(f"\nOpt-outs the rules miss here: {int(missed.sum())}; of them ≥ {THRESHOLD}: {caught}.")


if __name__ == "__main__":
    main()
