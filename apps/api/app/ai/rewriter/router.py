"""`POST /api/v1/ai/rewrite`."""

from __future__ import annotations

from fastapi import APIRouter

from app.ai.common import requires
from app.ai.rewriter.schemas import RewriteRequest, RewriteResult
from app.ai.rewriter.service import MessageRewriter
from app.workspaces.deps import PrincipalDep

router = APIRouter()


@router.post(
    "/rewrite",
    response_model=RewriteResult,
    summary="Rewrite a message in a tone, keeping every fact; `variants` for campaigns",
    **requires("AI_MESSAGE_REWRITING_ENABLED", "Message rewriting"),
)
async def rewrite(body: RewriteRequest, principal: PrincipalDep) -> RewriteResult:
    return await MessageRewriter().rewrite(
        body.message,
        contact_name=body.contact_name,
        tone=body.tone,
        variants=body.variants,
        seed=body.seed,
    )
