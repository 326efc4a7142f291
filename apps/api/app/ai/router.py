"""All `/api/v1/ai/*` routes: each AI subpackage's router mounted under one prefix."""

from __future__ import annotations

from fastapi import APIRouter

from app.ai.classifier.router import router as classifier_router
from app.ai.custom_intents.router import router as custom_intents_router
from app.ai.leads.router import router as leads_router
from app.ai.rewriter.router import router as rewriter_router
from app.ai.risk.router import router as risk_router

router = APIRouter(prefix="/ai", tags=["ai"])
router.include_router(rewriter_router)
router.include_router(classifier_router)
router.include_router(risk_router)
router.include_router(leads_router)
router.include_router(custom_intents_router)
