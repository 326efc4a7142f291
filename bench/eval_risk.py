"""Content ban-risk evaluation on the held-out split → docs/ai-evaluation-risk.md.

Run: `.venv/bin/python -m bench.eval_risk`. The text model is trained on
`tests/data/risk/train.jsonl` only (as at run time); `heldout.jsonl` is scored once, here.
Reported: ROC AUC and average precision of the learned P(spam) alone and of the full content
risk score (rules + learned), and precision/recall at the `medium` (≥ 25) and `high` (≥ 50)
levels, with confusion counts.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sklearn.metrics import average_precision_score, confusion_matrix, roc_auc_score

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "apps" / "api"))

from app.ai.risk.model import load_split, spam_probability  # noqa: E402
from app.ai.risk.service import assess_message  # noqa: E402

OUT = ROOT / "docs" / "ai-evaluation-risk.md"
TARGET_AUC = 0.95


def at_threshold(labels: list[int], scores: list[int], floor: int) -> dict[str, float]:
    predicted = [1 if s >= floor else 0 for s in scores]
    tn, fp, fn, tp = confusion_matrix(labels, predicted, labels=[0, 1]).ravel()
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn, "precision": precision, "recall": recall}


def main() -> int:
    train_texts, train_labels = load_split("train")
    texts, labels = load_split("heldout")
    learned = spam_probability(texts)
    scores = [assess_message(t).risk_score for t in texts]
    auc_learned = roc_auc_score(labels, learned)
    auc_full = roc_auc_score(labels, scores)
    rows = [
        ("learned text score P(spam)", auc_learned, average_precision_score(labels, learned)),
        ("content risk score (rules + learned)", auc_full, average_precision_score(labels, scores)),
    ]
    spam, ok = sum(labels), len(labels) - sum(labels)
    lines = [
        "# Ban-risk content model: held-out evaluation",
        "",
        "Regenerate with `.venv/bin/python -m bench.eval_risk` (deterministic: same data, same",
        "figures). Data: `tests/data/risk/` — business WhatsApp messages written for this project",
        f"and labelled spam/ok; trained on `train.jsonl` ({len(train_texts)} messages,",
        f"{sum(train_labels)} spam), evaluated on `heldout.jsonl` ({len(texts)} messages: {spam}",
        f"spam, {ok} ok), which no rule or model was tuned on. Target: ROC AUC ≥ {TARGET_AUC}.",
        "",
        "| Score | ROC AUC | Average precision |",
        "|---|---:|---:|",
        *[f"| {name} | {auc:.3f} | {ap:.3f} |" for name, auc, ap in rows],
        "",
        "Risk levels on the held-out part (content score; `low` < 25 ≤ `medium` < 50 ≤ `high`"
        " < 75 ≤ `critical`):",
        "",
        "| Flagged at | Precision | Recall | True pos. | False pos. | False neg. | True neg. |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, floor in (("medium or above (≥ 25)", 25), ("high or above (≥ 50)", 50)):
        m = at_threshold(labels, scores, floor)
        lines.append(
            f"| {name} | {m['precision']:.3f} | {m['recall']:.3f} | {m['tp']} | {m['fp']} | "
            f"{m['fn']} | {m['tn']} |"
        )
    missed = sorted(
        (s, t) for s, t, y in zip(scores, texts, labels, strict=True) if y == 1 and s < 25
    )
    flagged = sorted(
        ((s, t) for s, t, y in zip(scores, texts, labels, strict=True) if y == 0 and s >= 25),
        reverse=True,
    )
    lines += ["", "Spam scored `low` (missed):", ""]
    lines += [f"- {s}: {t}" for s, t in missed] or ["- none"]
    lines += ["", "Normal messages scored `medium` or above (false alarms):", ""]
    lines += [f"- {s}: {t}" for s, t in flagged] or ["- none"]
    lines += [
        "",
        "Caveat: the set is small and written by one team, so these figures say the model",
        "separates the kinds of messages in it; they are not a claim about every market.",
    ]
    OUT.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0 if min(auc_learned, auc_full) >= TARGET_AUC else 1


if __name__ == "__main__":
    raise SystemExit(main())
