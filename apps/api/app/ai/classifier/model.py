"""The labelled replies the built-in models train from (tests/data/replies, see its README)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def replies_dir() -> Path:
    """Where the labelled replies live: AI_TRAINING_DATA_DIR, else the repository's
    tests/data/replies (an editable install or a checkout)."""
    from app.core.config import settings

    if settings.AI_TRAINING_DATA_DIR:
        return Path(settings.AI_TRAINING_DATA_DIR)
    return Path(__file__).resolve().parents[5] / "tests" / "data" / "replies"


def load_replies(split: str = "train") -> list[dict[str, Any]]:
    """Rows of the labelled reply set (`train` or `heldout`)."""
    path = replies_dir() / f"{split}.jsonl"
    if not path.exists():
        raise FileNotFoundError(f"labelled replies not found at {path} (AI_TRAINING_DATA_DIR)")
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
