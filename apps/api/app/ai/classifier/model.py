"""The labelled replies the built-in models train from (tests/data/replies, see its README)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.core.config import settings


def replies_dir() -> Path:
    """Where the labelled replies live: $AI_DATA_DIR/replies, else the repository's
    tests/data/replies (an editable install or a checkout)."""
    if settings.AI_DATA_DIR:
        return Path(settings.AI_DATA_DIR) / "replies"
    return Path(__file__).resolve().parents[5] / "tests" / "data" / "replies"


def load_replies(split: str = "train") -> list[dict[str, Any]]:
    """Rows of the labelled reply set (`train` or `heldout`)."""
    path = replies_dir() / f"{split}.jsonl"
    if not path.exists():
        raise FileNotFoundError(f"labelled replies not found at {path} (set AI_DATA_DIR)")
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
