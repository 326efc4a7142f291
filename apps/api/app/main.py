"""FastAPI application factory. `uvicorn app.main:app` serves it."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.ai.classifier.warm import start_warm_up
from app.api import api_router
from app.core.config import settings
from app.core.errors import install_error_handlers
from app.core.middleware import BodySizeLimitMiddleware, ErrorShieldMiddleware
from app.core.openapi import install_openapi
from app.dashboard.router import install as install_dashboard
from app.health import router as health_router
from app.observability import router as metrics_router
from app.wiring import wire

DESCRIPTION = """
Self-hosted WhatsApp outreach through the official WhatsApp Business Cloud API.

Every `/api/v1` route (except the Meta webhook) needs `Authorization: Bearer <api key>`.
Errors share one shape: `{"detail": str, "code": str, "errors": [{"field", "message"}]}`.
"""


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    # Start-up objects never die: freezing them keeps the collector from rescanning them, and a
    # higher gen-0 threshold trades a little memory for fewer pauses (webhook p99, see
    # docs/webhooks.md).
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
    start_warm_up()
    yield


def create_app() -> FastAPI:
    logging.basicConfig(level=settings.LOG_LEVEL)
    wire()
    app = FastAPI(
        title=settings.APP_NAME, version="0.1.0", description=DESCRIPTION, lifespan=lifespan
    )
    install_error_handlers(app)
    install_openapi(app)
    app.include_router(health_router)
    app.include_router(api_router)
    app.include_router(metrics_router)
    install_dashboard(app)
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.MAX_REQUEST_BODY_BYTES,
        # CSV uploads and 100k-recipient campaign bodies need more than the default limit.
        overrides={
            "/api/v1/contacts/import": settings.MAX_UPLOAD_BYTES,
            "/api/v1/media": settings.MAX_UPLOAD_BYTES + 65_536,  # the file + its form fields
            "/api/v1/campaigns": 8 * settings.MAX_REQUEST_BODY_BYTES,
        },
    )
    app.add_middleware(ErrorShieldMiddleware)  # outermost of ours: nothing escapes it
    return app


app = create_app()
