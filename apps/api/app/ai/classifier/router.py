"""`POST /api/v1/ai/classify`."""

from __future__ import annotations

from fastapi import APIRouter

from app.ai.classifier.schemas import Classification, ClassifyRequest
from app.ai.classifier.service import classify_reply
from app.ai.common import requires
from app.workspaces.deps import PrincipalDep, SessionDep

router = APIRouter()


@router.post(
    "/classify",
    response_model=Classification,
    summary="Classify a reply: intent, sentiment, urgency, auto-response (opt-out by rules)",
    **requires("AI_REPLY_CLASSIFICATION_ENABLED", "Reply classification"),
)
async def classify(
    body: ClassifyRequest, db: SessionDep, principal: PrincipalDep
) -> Classification:
    return await classify_reply(
        body.reply_text, body.original_message, db=db, workspace_id=principal.workspace_id
    )
