# PLACEHOLDER (owner: h9b) — the two calls of AI_CONTRACT.md issue 10 uses: store a labelled
# example (a reviewer corrected an intent) and load the workspace's trained model (none yet).
"""A workspace's own labelled replies and classifier."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.ai.custom_intents.models import IntentExample


def add_example(*, db: Session, workspace_id: int, text: str, intent: str) -> IntentExample:
    example = IntentExample(workspace_id=workspace_id, text=text, intent=intent)
    db.add(example)
    db.flush()
    return example


def load_model(*, db: Session, workspace_id: int) -> Any:
    """The workspace's trained IntentModel, or None (the built-in model answers)."""
    return None
