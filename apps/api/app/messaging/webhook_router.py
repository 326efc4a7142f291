"""Meta's webhook endpoint. No bearer auth: requests are authenticated by their HMAC signature.

POST is built for throughput: the async route reads the raw body, and the blocking part
(verify + one INSERT + commit + one enqueue) runs in the threadpool, so the event loop keeps
accepting deliveries while PostgreSQL commits.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from app.core.config import settings
from app.core.db import get_sessionmaker
from app.core.errors import AppError
from app.messaging.webhook_service import SIGNATURE_HEADER, ReceiveResult, receive_webhook
from app.messaging.webhook_tasks import dispatch

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

_OK = b'{"status":"ok"}'


@router.get(
    "/whatsapp",
    response_class=PlainTextResponse,
    summary="Meta webhook verification (echoes hub.challenge)",
    responses={403: {"description": "Wrong mode or verify token"}},
)
def verify_webhook(
    mode: Annotated[str | None, Query(alias="hub.mode")] = None,
    token: Annotated[str | None, Query(alias="hub.verify_token", max_length=512)] = None,
    challenge: Annotated[str | None, Query(alias="hub.challenge", max_length=512)] = None,
) -> PlainTextResponse:
    expected = settings.WHATSAPP_VERIFY_TOKEN
    if (
        mode == "subscribe"
        and token is not None
        and expected
        and hmac.compare_digest(token.encode(), expected.encode())
        and challenge is not None
    ):
        return PlainTextResponse(challenge)
    raise AppError("Webhook verification failed", code="forbidden", status_code=403)


def store_and_dispatch(raw_body: bytes, signature: str | None) -> ReceiveResult:
    """One delivery: store (committed) then enqueue. Runs in a worker thread."""
    db = get_sessionmaker()()
    try:
        result = receive_webhook(db=db, raw_body=raw_body, signature=signature)
        db.commit()
    finally:
        db.close()
    dispatch(result)
    return result


@router.post(
    "/whatsapp",
    summary="Receive a signed WhatsApp webhook delivery",
    responses={
        200: {"description": "Stored (or already stored); processed asynchronously"},
        400: {"description": "Malformed JSON or not a WhatsApp webhook"},
        401: {"description": "Missing or invalid X-Hub-Signature-256"},
    },
)
async def receive_whatsapp_webhook(request: Request) -> Response:
    raw_body = await request.body()
    await run_in_threadpool(store_and_dispatch, raw_body, request.headers.get(SIGNATURE_HEADER))
    return Response(_OK, media_type="application/json")
