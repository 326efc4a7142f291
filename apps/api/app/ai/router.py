from __future__ import annotations

from fastapi import APIRouter

from app.ai.custom_intents.router import router as custom_intents_router

router = APIRouter(tags=["ai"])
router.include_router(custom_intents_router)
