"""A second look for opt-outs the rules miss: a learned "is this a request to stop?" score.

The explicit rules decide opt-outs (a legal decision), and independent sets written by people
who never saw them show the rules still miss one explicit opt-out in five to ten when the
wording is new (docs/ai-evaluation.md). The intent model sends some of those to a person, but
it learns opt-out as one intent among eleven from ~350 examples. This model learns only that
one question, opt-out or not, from the train split plus the independent opt-out sets already
measured (each set is added here only after its one measurement, so the newest set still
measures this model). Above THRESHOLD a reply the rules did not match is a *probable* opt-out:
a person reviews it and campaign messages to the contact wait (replies.processing); the model
never opts anyone out.

Same features as the intent model (word and character n-grams, concept tokens); trained at
first use, about a second.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from app.ai.classifier.model import load_replies, replies_dir
from app.ai.intents import Analyzed, IntentModel

# Independent opt-out sets (tests/data/replies), each measured once before it was added here.
TRAINING_SETS = tuple(f"optout_fresh{n}.txt" for n in ("", *range(2, 14)))
# P(opt-out) at or above which a reply the rules missed goes to a person; chosen by grouped
# cross-validation on the training material (python -m bench.cv_optout), not on any test set.
THRESHOLD = 0.4
OPT_OUT, OTHER = "opt_out", "other"

log = logging.getLogger(__name__)
_lock = threading.Lock()
_model: IntentModel | None = None


def read_independent_set(path: Path) -> list[tuple[str, str, str]]:
    """(language, text, section) of one independent set: `## opt_out` / `## not_opt_out`
    sections of `<lang> | <text>` lines (bench.eval_intents reads them the same way)."""
    rows, section = [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
        elif " | " in line and section:
            lang, text = line.split(" | ", 1)
            rows.append((lang.strip(), text.strip(), section))
    return rows


def independent_rows(names: tuple[str, ...] = TRAINING_SETS) -> list[tuple[str, str, str]]:
    """(set name, text, label) of the independent sets."""
    rows = []
    for name in names:
        path: Path = replies_dir() / name
        if not path.exists():  # the threshold was chosen with it: say the model differs
            log.warning("opt-out review model: %s not found, trained without it", path)
            continue
        rows.extend(
            (name, text, OPT_OUT if section == "opt_out" else OTHER)
            for _, text, section in read_independent_set(path)
        )
    return rows


def training_data() -> tuple[list[str], list[str]]:
    train = load_replies("train")
    texts = [r["text"] for r in train]
    labels = [OPT_OUT if r["intent"] == "opt_out" else OTHER for r in train]
    for _, text, label in independent_rows():
        texts.append(text)
        labels.append(label)
    return texts, labels


def optout_model() -> IntentModel:
    """Trained at first use, kept for the process."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = IntentModel.train(*training_data())
    return _model


def opt_out_probability(analyzed: Analyzed) -> float:
    model = optout_model()
    proba = model.proba_vec(model.vectorize(analyzed))
    return float(proba[model.labels.index(OPT_OUT)])
