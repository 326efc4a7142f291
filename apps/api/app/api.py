"""The /api/v1 router: every domain's router mounted in one place."""

from __future__ import annotations

from fastapi import APIRouter

from app.ai.router import router as ai_router
from app.analytics.router import router as analytics_router
from app.campaigns.messages_router import router as campaign_messages_router
from app.campaigns.router import router as campaigns_router
from app.contacts.messages_router import router as contact_messages_router
from app.contacts.router import router as contacts_router
from app.inbound.router import router as webhook_router
from app.media.router import router as media_router
from app.messaging.router import router as messages_router
from app.pacing.router import router as pacing_router
from app.replies.router import router as replies_router
from app.senders.router import router as senders_router
from app.templates.router import router as templates_router
from app.workspaces.router import router as workspace_router

api_router = APIRouter(prefix="/api/v1")
# The webhook comes first: it is the hottest route, and Starlette matches routes in order.
api_router.include_router(webhook_router)
api_router.include_router(workspace_router)
api_router.include_router(contacts_router)
api_router.include_router(contact_messages_router)
api_router.include_router(senders_router)
api_router.include_router(pacing_router)
api_router.include_router(templates_router)
api_router.include_router(media_router)
api_router.include_router(campaigns_router)
api_router.include_router(campaign_messages_router)
api_router.include_router(messages_router)
api_router.include_router(replies_router)
api_router.include_router(ai_router)
api_router.include_router(analytics_router)
