"""Per-workspace intent models.

# PLACEHOLDER (owner: h9b) — h9b's branch replaces this file: it loads the workspace's trained
# IntentModel from the database. Until then no workspace has a custom model.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session


def load_model(*, db: Session, workspace_id: int) -> Any | None:
    """The workspace's trained IntentModel, or None (the built-in model answers)."""
    return None
