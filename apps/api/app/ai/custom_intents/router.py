"""`/api/v1/ai/intents`: a workspace's own reply intents (label, train, status)."""

from __future__ import annotations

from fastapi import APIRouter

from app.ai.custom_intents import service
from app.ai.custom_intents.schemas import ExamplesAdded, ExamplesIn, IntentStatus, TrainResult
from app.core.config import settings
from app.core.errors import Conflict
from app.workspaces.deps import PrincipalDep, SessionDep

router = APIRouter(prefix="/intents", tags=["ai"])


def _require_enabled() -> None:
    if not settings.AI_REPLY_CLASSIFICATION_ENABLED:
        raise Conflict(
            "reply classification is disabled (AI_REPLY_CLASSIFICATION_ENABLED=false)",
            code="feature_disabled",
        )


@router.get("", response_model=IntentStatus, summary="Custom intents: examples and model status")
def intents_status(db: SessionDep, principal: PrincipalDep) -> IntentStatus:
    return service.status(db=db, workspace_id=principal.workspace_id)


@router.post(
    "/examples",
    response_model=ExamplesAdded,
    summary="Add labelled replies (a text labelled again is relabelled)",
)
def add_examples(body: ExamplesIn, db: SessionDep, principal: PrincipalDep) -> ExamplesAdded:
    _require_enabled()
    result = service.add_examples(
        db=db, workspace_id=principal.workspace_id, examples=body.examples
    )
    db.commit()
    return result


@router.post(
    "/train",
    response_model=TrainResult,
    summary="Train this workspace's reply classifier from its examples (replaces the last one)",
)
def train_intents(db: SessionDep, principal: PrincipalDep) -> TrainResult:
    _require_enabled()
    result = service.train(db=db, workspace_id=principal.workspace_id)
    db.commit()
    return result
