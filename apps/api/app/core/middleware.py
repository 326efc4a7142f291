"""ASGI middleware: oversized request bodies get 413 before they are read, and an unexpected
exception gets the one error shape without breaking the keep-alive connection."""

from __future__ import annotations

import json
import logging

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import error_body

log = logging.getLogger(__name__)


class BodySizeLimitMiddleware:
    """Caps the body by Content-Length and by counting streamed chunks.

    Paths listed in `overrides` (prefix match) get their own, larger limit (CSV uploads).
    """

    def __init__(self, app: ASGIApp, max_bytes: int, overrides: dict[str, int] | None = None):
        self.app = app
        self.max_bytes = max_bytes
        self.overrides = overrides or {}

    def _limit_for(self, path: str) -> int:
        for prefix, limit in self.overrides.items():
            if path.startswith(prefix):
                return limit
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit_for(scope.get("path", ""))
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    if int(value) > limit:
                        await _reject(send, limit)
                        return
                except ValueError:
                    pass
        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not response_started:
                await _reject(send, limit)


class _TooLarge(HTTPException):
    """An HTTPException, so FastAPI's body parsing re-raises it (any other exception there
    becomes a 400) and the error handlers answer 413 (a streamed, chunked body)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, _too_large_text(limit))


def _too_large_text(limit: int) -> str:
    return f"Request body exceeds {limit} bytes"


async def _reject(send: Send, limit: int) -> None:
    await _send_json(send, 413, error_body("payload_too_large", _too_large_text(limit)))


async def _send_json(send: Send, status: int, payload: dict) -> None:
    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class ErrorShieldMiddleware:
    """Answers an unexpected exception with a 500 in the one error shape and does NOT re-raise.

    Starlette's ServerErrorMiddleware re-raises after its handler ran, and uvicorn then closes
    the connection the 500 was written on: a client reusing the keep-alive connection had its
    next request reset. Only an exception after the response started (a stream that broke
    half-way) still propagates: then closing the connection is the only honest signal.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = {"started": False, "done": False}

        async def tracking_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["started"] = True
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                state["done"] = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if state["done"]:
                log.exception("error after the response was sent", exc_info=exc)
                return
            if state["started"]:
                raise
            log.exception("unhandled error", exc_info=exc)
            await _send_json(send, 500, error_body("internal_error", "Internal server error"))
