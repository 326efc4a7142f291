"""`GET /metrics` in Prometheus format: the counters of app.core.metrics plus gauges read when
Prometheus scrapes (broker queue depths, the engine's due backlog). Protected by METRICS_TOKEN,
or answered to loopback clients only when no token is set (docs/operations.md#metrics).

Here, not in app.core: the gauges read the broker and the messages table, which core may not
import."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated, Any

import redis
from fastapi import APIRouter, Header, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, or_, select

from app.core.config import settings
from app.core.db import get_sessionmaker, utcnow
from app.core.enums import MessageStatus
from app.core.errors import NotFound, Unauthorized
from app.messaging.models import Message
from app.workers.queues import Queue


class QueueDepths(Collector):
    """Broker queue lengths and due database rows, measured when Prometheus scrapes."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        broker = GaugeMetricFamily(
            "swa_queue_depth", "Celery tasks waiting in each broker queue", labels=["queue"]
        )
        for queue, depth in _broker_depths().items():
            broker.add_metric([queue], depth)
        yield broker
        due = GaugeMetricFamily(
            "swa_messages_due", "Outbound messages queued and due now (the engine's backlog)"
        )
        value = _messages_due()
        if value is not None:
            due.add_metric([], value)
        yield due

    def describe(self) -> list[Any]:
        return []


def _broker_depths() -> dict[str, int]:
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return {}
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        try:
            return {q.value: int(client.llen(q.value)) for q in Queue}
        finally:
            client.close()
    except Exception:  # a scrape never fails because the broker is down
        return {}


def _messages_due() -> int | None:
    try:
        with get_sessionmaker()() as db:
            return int(
                db.scalar(
                    select(func.count()).where(
                        Message.status == MessageStatus.QUEUED,
                        or_(Message.next_attempt_at.is_(None), Message.next_attempt_at <= utcnow()),
                    )
                )
                or 0
            )
    except Exception:
        return None


def registry() -> CollectorRegistry:
    if settings.PROMETHEUS_MULTIPROC_DIR:
        from prometheus_client import multiprocess

        reg = CollectorRegistry()
        multiprocess.MultiProcessCollector(reg)
    else:
        from prometheus_client import REGISTRY

        reg = REGISTRY
    return reg


_depths = QueueDepths()
router = APIRouter(include_in_schema=False)
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


@router.get("/metrics")
def metrics(request: Request, authorization: Annotated[str | None, Header()] = None) -> Response:
    token = settings.METRICS_TOKEN
    if token:
        given = (authorization or "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            raise Unauthorized("Missing or wrong metrics token")
    elif (request.client.host if request.client else "") not in LOOPBACK:
        raise NotFound("Page")  # unset token: only this host may scrape
    out = generate_latest(registry())
    depth_reg = CollectorRegistry()
    depth_reg.register(_depths)
    return Response(out + generate_latest(depth_reg), media_type=CONTENT_TYPE_LATEST)
