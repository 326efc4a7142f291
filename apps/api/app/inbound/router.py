"""Meta's webhook endpoint. No bearer auth: requests are authenticated by their HMAC signature.

POST is built for throughput (docs/webhooks.md): the async route reads the raw body and
verifies + parses it on the event loop (a bad signature or body is refused without touching
the database); verified deliveries then join a group commit — whatever arrived while the
previous write was in flight is stored by ONE multi-row INSERT and ONE commit in a worker
thread. Each request is answered 200 only after its row is committed, so an acknowledged
delivery is never lost, and Meta retries anything that got a 5xx. An inbound opt-out keyword
("STOP") opts its contact out right after that commit (`opt_out_now`), not when a worker gets
to the event.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import weakref
from typing import Annotated

import psycopg
from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy.exc import DataError as DBAPIDataError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app.core import metrics
from app.core.config import settings
from app.core.db import get_sessionmaker
from app.core.errors import AppError
from app.inbound.optout import keyword_opt_outs, record_keyword_opt_outs
from app.inbound.schemas import WebhookAck
from app.inbound.service import (
    SIGNATURE_HEADER,
    Delivery,
    ReceiveResult,
    prepare,
    store_deliveries,
)
from app.inbound.tasks import dispatch

log = logging.getLogger(__name__)
router = APIRouter(prefix="/webhooks", tags=["webhooks"])

_OK = b'{"status":"ok"}'
MAX_BATCH = 500
MAX_FLUSHES = 2  # batches written concurrently: one commits while the next inserts


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


def store_and_dispatch(deliveries: list[Delivery]) -> list[ReceiveResult]:
    """Store a batch in one transaction, commit, apply opt-out keywords at once, then hand the
    events to the workers."""
    db = get_sessionmaker()()
    try:
        results = store_deliveries(db=db, deliveries=deliveries)
        db.commit()
        metrics.count_deliveries(results)
        opt_out_now(db, deliveries, results)
    finally:
        db.close()
    dispatch_all(results)
    return results


def opt_out_now(db: Session, deliveries: list[Delivery], results: list[ReceiveResult]) -> None:
    """A STOP must not wait behind long dispatch tasks on the shared queue: after the raw
    events are committed, inbound keyword messages opt their contact out right away. Best
    effort: on any failure the event's full processing does it (idempotently) anyway."""
    found = [
        item
        for d, r in zip(deliveries, results, strict=True)
        if r.needs_processing and d.kind in ("messages", "mixed")
        for item in keyword_opt_outs(d.payload)
    ]
    if not found:
        return
    try:
        record_keyword_opt_outs(db=db, found=found)
        db.commit()
    except Exception:
        db.rollback()
        log.warning("opt-out keyword not applied at once; processing will", exc_info=True)


def dispatch_all(results: list[ReceiveResult]) -> None:
    """Enqueue processing of committed events. A failure here loses nothing: the stored rows
    stay unprocessed and the sweep (`messaging.process_pending_webhooks`) picks them up."""
    try:
        for result in results:
            dispatch(result)
    except Exception:
        log.exception("could not enqueue webhook processing; the sweep will pick it up")


class GroupCommit:
    """Collects deliveries on one event loop; each flush stores all that are waiting.

    No timer: under light load a delivery is written at once (a batch of one); under heavy
    load batches grow by themselves to what arrived during the previous write.
    """

    def __init__(self) -> None:
        self.pending: list[tuple[Delivery, asyncio.Future[ReceiveResult]]] = []
        self.flushers = 0
        self.tasks: set[asyncio.Task[None]] = set()

    async def submit(self, delivery: Delivery) -> ReceiveResult:
        future: asyncio.Future[ReceiveResult] = asyncio.get_running_loop().create_future()
        self.pending.append((delivery, future))
        if self.flushers < MAX_FLUSHES:
            self.flushers += 1
            task = asyncio.get_running_loop().create_task(self._flush_all())
            self.tasks.add(task)  # keep a reference until done
            task.add_done_callback(self.tasks.discard)
        return await future

    async def _flush_all(self) -> None:
        try:
            while self.pending:
                batch, self.pending = self.pending[:MAX_BATCH], self.pending[MAX_BATCH:]
                await self._flush(batch)
        finally:
            self.flushers -= 1

    async def _flush(self, batch: list[tuple[Delivery, asyncio.Future[ReceiveResult]]]) -> None:
        try:
            results = await run_in_threadpool(store_and_dispatch, [d for d, _ in batch])
        except Exception as exc:
            if len(batch) == 1:
                log.exception("storing a webhook delivery failed")
                _settle(batch[0][1], error=exc)
                return
            # Isolate the culprit: store one by one, so one bad delivery fails alone.
            for item in batch:
                await self._flush([item])
            return
        for (_, future), result in zip(batch, results, strict=True):
            _settle(future, result=result)


def _settle(
    future: asyncio.Future[ReceiveResult],
    *,
    result: ReceiveResult | None = None,
    error: Exception | None = None,
) -> None:
    if future.done():  # the client went away
        return
    if isinstance(error, DBAPIDataError | psycopg.DataError):
        # The database refuses this body's content (not an outage): a 5xx would make Meta
        # retry the same body forever. Safety net: `prepare` makes such bodies storable.
        future.set_exception(
            AppError("The delivery holds a value that cannot be stored", code="unstorable_webhook")
        )
    elif error is not None:
        future.set_exception(AppError("Could not store the delivery", status_code=503))
    else:
        future.set_result(result)  # type: ignore[arg-type]


_writers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, GroupCommit] = (
    weakref.WeakKeyDictionary()
)


def _writer() -> GroupCommit:
    loop = asyncio.get_running_loop()
    writer = _writers.get(loop)
    if writer is None:
        writer = _writers[loop] = GroupCommit()
    return writer


@router.post(
    "/whatsapp",
    summary="Receive a signed WhatsApp webhook delivery",
    responses={
        200: {
            "description": "Stored (or already stored); processed asynchronously",
            "model": WebhookAck,
        },
        400: {"description": "Malformed JSON, not a WhatsApp webhook, or unstorable content"},
        401: {"description": "Missing or invalid X-Hub-Signature-256"},
        503: {"description": "Could not be stored now; Meta retries"},
    },
)
async def receive_whatsapp_webhook(request: Request) -> Response:
    raw_body = await request.body()
    delivery = prepare(raw_body, request.headers.get(SIGNATURE_HEADER))
    await _writer().submit(delivery)
    return Response(_OK, media_type="application/json")
