"""`POST /api/v1/ai/classify`."""

from __future__ import annotations

from fastapi import APIRouter

from app.ai.classifier.schemas import Classification, ClassifyRequest
from app.ai.classifier.service import classify_reply
from app.core.config import settings
from app.core.deps import PrincipalDep, SessionDep
from app.core.errors import FeatureDisabled

router = APIRouter()


@router.post(
    "/classify",
    response_model=Classification,
    summary="Classify a reply: intent, sentiment, urgency, auto-response (opt-out by rules)",
    responses={409: {"description": "AI_REPLY_CLASSIFICATION_ENABLED=false"}},
)
async def classify(
    body: ClassifyRequest, db: SessionDep, principal: PrincipalDep
) -> Classification:
    if not settings.AI_REPLY_CLASSIFICATION_ENABLED:
        raise FeatureDisabled("Reply classification", "AI_REPLY_CLASSIFICATION_ENABLED")
    return await classify_reply(
        body.reply_text, body.original_message, db=db, workspace_id=principal.workspace_id
    )
