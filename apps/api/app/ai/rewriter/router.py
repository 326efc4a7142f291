"""`POST /api/v1/ai/rewrite`."""

from __future__ import annotations

from fastapi import APIRouter

from app.ai.rewriter.schemas import RewriteRequest, RewriteResult
from app.ai.rewriter.service import MessageRewriter
from app.core.config import settings
from app.core.deps import PrincipalDep
from app.core.errors import FeatureDisabled

router = APIRouter()


@router.post(
    "/rewrite",
    response_model=RewriteResult,
    summary="Rewrite a message in a tone, keeping every fact; `variants` for campaigns",
    responses={409: {"description": "AI_MESSAGE_REWRITING_ENABLED=false"}},
)
async def rewrite(body: RewriteRequest, principal: PrincipalDep) -> RewriteResult:
    if not settings.AI_MESSAGE_REWRITING_ENABLED:
        raise FeatureDisabled("Message rewriting", "AI_MESSAGE_REWRITING_ENABLED")
    return await MessageRewriter().rewrite(
        body.message,
        contact_name=body.contact_name,
        tone=body.tone,
        variants=body.variants,
        seed=body.seed,
    )
