"""Webhook ingestion: signed status deliveries posted to a real uvicorn server on loopback.

Run: `.venv/bin/python -m bench.bench_webhooks [--mode both|open|closed] [--rates 1000,1500]
[--duration 10] [--messages N] [--concurrency C] [--no-worker] [--profile PATH]`.

Uses its own database (`bench_webhooks`, dropped, created and migrated per run) and Redis db 5.
uvicorn serves `app.main:app` in a subprocess; the deliveries are one signed status per step
(sent, delivered, read for every outbound message: distinct bodies, phase by phase) plus some
identical re-posts (Meta retries). Two measurements (bench/webhook_load.py):

- **open loop** (the target's measurement): a fixed offered rate for a bounded duration,
  requests launched on schedule whatever the answers, latency from the scheduled send time;
  a real Celery worker (`--pool=solo`, one process) applies the events *during* the load, and
  the time from the last acknowledgement to "everything applied" is measured;
- **closed loop** (max throughput): C connections back to back; then, with nothing else
  running, the queued sweep tasks are run in this one process: the apply rate.

Both end with the exactly-once check: every message `read` with exactly the events
sent → delivered → read, one `webhook_events` row per distinct delivery, none unprocessed.
Targets on the 2-core machine: ≥ 1,000 events/s accepted, p99 acknowledge < 50 ms, applying
≥ 1,000 events/s in one worker process.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import functools
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from bench.webhook_load import LoadResult, Signed, closed_loop, open_loop, pct, warmup_bodies
from bench.webhook_procs import CpuMeter, free_port, profile, start_server, start_worker, stop

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_webhooks"
REDIS_URL = "redis://127.0.0.1:6379/5"
SECRET = "bench-app-secret"
PNID = "200000000000001"
RATE_TARGET, P99_TARGET_MS = 1000.0, 50.0
STATUSES = ("sent", "delivered", "read")


def _env(url: str) -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "REDIS_URL": REDIS_URL,
        "CELERY_BROKER_URL": REDIS_URL,
        "CELERY_RESULT_BACKEND": REDIS_URL,
        "WHATSAPP_APP_SECRET": SECRET,
        "ENVIRONMENT": "production",
        "LOG_LEVEL": "WARNING",
    }


def _prepare_database(url: str) -> None:
    from bench.database import fresh_database

    fresh_database(url)


def _seed(messages: int) -> list[tuple[int, str]]:
    """A workspace, a sender and `messages` outbound rows in `sending`: (id, wamid)."""
    from sqlalchemy import insert

    from app.contacts.models import Contact
    from app.core.db import session_scope, utcnow
    from app.messaging.models import Message
    from app.senders.models import SenderNumber
    from app.workspaces.models import Workspace

    now = utcnow()
    with session_scope() as db:
        ws = Workspace(name="bench")
        db.add(ws)
        db.flush()
        sender = SenderNumber(workspace_id=ws.id, name="bench", phone_number_id=PNID)
        db.add(sender)
        db.flush()
        contact_ids = db.scalars(
            insert(Contact).returning(Contact.id),
            [
                {"workspace_id": ws.id, "phone": f"+1415{i:07d}", "attributes": {}, "tags": []}
                for i in range(messages)
            ],
        ).all()
        rows = [
            {
                "workspace_id": ws.id,
                "contact_id": cid,
                "sender_id": sender.id,
                "direction": "outbound",
                "type": "text",
                "body": "hello",
                "payload": {},
                "status": "sending",
                "wamid": f"wamid.BENCH{i:08d}",
                "attempts": 1,
                "created_at": now,
                "updated_at": now,
            }
            for i, cid in enumerate(contact_ids)
        ]
        ids = db.scalars(insert(Message).returning(Message.id), rows).all()
    return [(mid, f"wamid.BENCH{i:08d}") for i, mid in enumerate(ids)]


def _body(mid: int, wamid: str, status: str, at: int) -> bytes:
    import orjson

    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "bench-waba",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550001",
                                "phone_number_id": PNID,
                            },
                            "statuses": [
                                {
                                    "id": wamid,
                                    "status": status,
                                    "timestamp": str(at),
                                    "recipient_id": "14150000000",
                                    "biz_opaque_callback_data": str(mid),
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
    return orjson.dumps(payload)


def _stop_body(i: int, at: int) -> bytes:
    """An inbound "STOP" text from the i-th seeded contact (opted out on the request path)."""
    import orjson

    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001", "phone_number_id": PNID},
        "contacts": [{"profile": {"name": "Bench"}, "wa_id": f"1415{i:07d}"}],
        "messages": [
            {
                "from": f"1415{i:07d}",
                "id": f"wamid.BENCHSTOP{i:08d}",
                "timestamp": str(at),
                "type": "text",
                "text": {"body": "STOP"},
            }
        ],
    }
    payload = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "bench-waba", "changes": [{"field": "messages", "value": value}]}],
    }
    return orjson.dumps(payload)


def _with_stops(bodies: list[Signed], stops: int) -> tuple[list[Signed], set[int]]:
    """The bodies with `stops` inbound STOPs spread evenly among them; their indexes."""
    from app.inbound.service import sign

    out, where, at = list(bodies), set(), int(time.time()) - 30
    for k in range(stops):
        pos = (k + 1) * len(out) // (stops + 1)
        body = _stop_body(k, at)
        out.insert(pos, (body, sign(body, SECRET)))
    where = {i for i, (b, _) in enumerate(out) if b"BENCHSTOP" in b}
    return out, where


def _opted_out() -> int:
    from sqlalchemy import func, select

    from app.contacts.models import Contact
    from app.core.db import session_scope

    with session_scope() as db:
        return db.scalar(
            select(func.count()).select_from(Contact).where(Contact.opted_out_at.is_not(None))
        )


def _drain() -> tuple[int, float]:
    """Run every enqueued task in FIFO order, as a worker would. Returns (tasks, seconds)."""
    import redis

    import app.inbound.tasks  # noqa: F401  (registers the tasks)
    from app.workers.celery_app import celery_app

    client = redis.Redis.from_url(REDIS_URL)
    start, n = time.perf_counter(), 0
    while (raw := client.rpop("messages")) is not None:
        envelope = json.loads(raw)
        args, kwargs, _ = json.loads(base64.b64decode(envelope["body"]))
        celery_app.tasks[envelope["headers"]["task"]](*args, **kwargs)
        n += 1
    client.close()
    return n, time.perf_counter() - start


def _verify(expected_ids: list[int]) -> dict[str, int]:
    from sqlalchemy import func, select

    from app.core.db import session_scope
    from app.inbound.models import WebhookEvent
    from app.messaging.models import Message, MessageEvent

    with session_scope() as db:
        statuses = dict(
            db.execute(select(Message.status, func.count()).group_by(Message.status)).all()
        )
        timelines: dict[int, list[str]] = {}
        for mid, event in db.execute(
            select(MessageEvent.message_id, MessageEvent.event).order_by(MessageEvent.id)
        ):
            timelines.setdefault(mid, []).append(event)
        stored = db.scalar(
            select(func.count())
            .select_from(WebhookEvent)
            .where(WebhookEvent.kind == "statuses", WebhookEvent.workspace_id.is_not(None))
        )
        unprocessed = db.scalar(
            select(func.count())
            .select_from(WebhookEvent)
            .where(WebhookEvent.processed_at.is_(None))
        )
    exact = sum(timelines.get(mid) == list(STATUSES) for mid in expected_ids)
    return {
        "read": statuses.get("read", 0),
        "exact_timelines": exact,
        "events_total": sum(len(t) for t in timelines.values()),
        "stored": stored,
        "unprocessed": unprocessed,
    }


# --- the runs --------------------------------------------------------------------------


def _unprocessed() -> int:
    from sqlalchemy import func, select

    from app.core.db import session_scope
    from app.inbound.models import WebhookEvent

    with session_scope() as db:
        return db.scalar(
            select(func.count())
            .select_from(WebhookEvent)
            .where(WebhookEvent.processed_at.is_(None))
        )


class BacklogSampler(threading.Thread):
    """Samples the unprocessed backlog while the load runs (max kept)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop, self.max = threading.Event(), 0

    def run(self) -> None:
        while not self.stop.wait(0.25):
            self.max = max(self.max, _unprocessed())


def _wait_applied(timeout: float) -> float | None:
    """perf_counter at which no event is left unprocessed (None on timeout)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if _unprocessed() == 0:
            return time.perf_counter()
        time.sleep(0.02)
    return None


def _setup(messages: int, retries: int) -> tuple[list[int], list[Signed], Signed]:
    """Fresh database and Redis db, seeded. Returns message ids, phases, retries (signed)."""
    import redis

    from app.inbound.service import sign

    redis.Redis.from_url(REDIS_URL).flushdb()
    _prepare_database(os.environ["DATABASE_URL"])
    seeded = _seed(messages)
    at = int(time.time()) - 60
    phases = [
        [(b, sign(b, SECRET)) for b in (_body(mid, w, s, at + i) for mid, w in seeded)]
        for i, s in enumerate(STATUSES)
    ]
    return [mid for mid, _ in seeded], phases, phases[-1][:retries]


def _check(
    ids: list[int], distinct: int, posted: int, accepted: int, stops: int = 0
) -> tuple[str, bool]:
    check = _verify(ids)
    once = (
        check["stored"] == distinct
        and check["unprocessed"] == 0
        and check["read"] == len(ids)
        and check["exact_timelines"] == len(ids)
        and check["events_total"] == distinct + stops  # + one `received` per inbound STOP
        and accepted == posted
    )
    line = (
        f"- exactly once: {check['stored']:,} webhook_events rows, {check['unprocessed']} "
        f"unprocessed; {check['read']:,}/{len(ids):,} messages `read`; "
        f"{check['exact_timelines']:,} with exactly sent→delivered→read; "
        f"{check['events_total']:,} message events — **{'PASS' if once else 'FAIL'}**"
    )
    return line, once


def _latency_line(result: LoadResult) -> str:
    lat = result.latencies_ms
    return (
        f"acknowledge latency p50 **{pct(lat, 0.5):.1f} ms**, p95 {pct(lat, 0.95):.1f} ms, "
        f"p99 **{pct(lat, 0.99):.1f} ms**, max {max(lat, default=float('nan')):.1f} ms"
    )


def run_open(args: argparse.Namespace, rate: float) -> tuple[list[str], bool, bool]:
    total = int(rate * args.duration)
    messages = int(total * 0.97) // 3
    ids, phases, retries = _setup(messages, total - 3 * messages)
    bodies = [b for phase in phases for b in phase] + retries
    bodies, stop_at = _with_stops(bodies, args.stops)
    distinct = 3 * messages
    port = free_port()
    load_before = os.getloadavg()
    url = os.environ["DATABASE_URL"]
    server = start_server(_env(url), port, 1)
    worker = (
        None if args.no_worker else start_worker(_env(url), Path("/tmp/bench_webhooks_worker.log"))
    )
    meter = CpuMeter(server=server.pid, **({"worker": worker.pid} if worker else {}))
    sampler = BacklogSampler()
    try:
        warm = warmup_bodies(int(rate * 2), SECRET)
        sampler.start()
        profiler = profile(server, args)
        result = asyncio.run(open_loop(port, bodies, warm, rate, meter.begin))
        if args.trace:  # (index, latency ms, HTTP status, completed at) per request
            Path(args.trace).write_text(json.dumps(result.trace))
        cpu_line = meter.line(len(bodies))
        opted_out_at_last_ack = _opted_out()  # before any sweep could catch up
        if worker is None:
            _drain()
        applied_at = _wait_applied(120)
        sampler.stop.set()
        load_after = os.getloadavg()
        if profiler is not None:
            profiler.wait()
    finally:
        stop(server)
        if worker is not None:
            stop(worker)
    accepted = result.accepted
    accepted_rate = accepted / result.wall_s
    lag = f"{(applied_at - result.last_ok_at) * 1000:,.0f} ms" if applied_at else "NOT within 120 s"
    check_line, once = _check(ids, distinct, len(bodies), accepted, len(stop_at))
    p99 = pct(result.latencies_ms, 0.99)
    stop_ms = [ms for i, ms, code, _ in result.trace if i in stop_at and code == 200]
    stop_line = (
        f"- {len(stop_at)} inbound STOPs among them: acknowledge p50 "
        f"{pct(stop_ms, 0.5):.1f} ms, max {max(stop_ms, default=float('nan')):.1f} ms; "
        f"{opted_out_at_last_ack}/{len(stop_at)} contacts already opted out when the load "
        f"ended, {_opted_out()}/{len(stop_at)} after processing"
        if stop_at
        else ""
    )
    ok = (
        once
        and worker is not None  # "accepted and applied" is only measured with a worker
        and rate >= RATE_TARGET
        and accepted == len(bodies)  # every offered delivery accepted: the rate was sustained
        and p99 < P99_TARGET_MS
        and applied_at is not None
    )
    others = {k: v for k, v in result.codes.items() if k != 200} or "none"
    applying = (
        "nothing applied during the load (`--no-worker`), drained afterwards"
        if worker is None
        else "one Celery worker process applying meanwhile"
    )
    lines = [
        f"**Open loop: {rate:,.0f} deliveries/s offered for {args.duration:.0f} s** — "
        f"`uvicorn app.main:app` as shipped, 1 process; {applying}; load average "
        f"{load_before[0]:.2f} before, {load_after[0]:.2f} after (1-min; 2 cores shared by the "
        "server, the worker, PostgreSQL, this load generator and other engineers' jobs)",
        "",
        f"- {accepted:,} accepted (HTTP 200) of {len(bodies):,} offered ({distinct:,} distinct "
        f"status events for {messages:,} messages + {len(retries):,} identical retries); other "
        f"codes: {others}; generator at most {result.max_launch_lag_ms:.1f} ms behind schedule",
        f"- **{accepted_rate:,.0f} events/s accepted**; {_latency_line(result)} "
        "(from the scheduled send time)",
        cpu_line,
        f"- backlog at most {sampler.max:,} unprocessed events; "
        f"**all applied {lag} after the last acknowledgement**",
        *([stop_line] if stop_line else []),
        check_line,
        f"- targets (≥ {RATE_TARGET:,.0f}/s accepted, p99 < {P99_TARGET_MS:.0f} ms, all applied): "
        f"**{'MET' if ok else 'NOT MET'}**"
        if rate == RATE_TARGET
        else "- (a headroom run above the target rate: no verdict)",
    ]
    return lines, once, ok


def run_closed(args: argparse.Namespace) -> tuple[list[str], bool, bool]:
    ids, phases, retries = _setup(args.messages, args.retries)
    distinct = sum(len(p) for p in phases)
    port = free_port()
    load_before = os.getloadavg()
    server = start_server(_env(os.environ["DATABASE_URL"]), port, args.workers)
    try:
        warm = warmup_bodies(args.concurrency * 20, SECRET)
        result = asyncio.run(
            closed_loop(port, [*phases, retries], warm, args.concurrency, args.time_limit)
        )
    finally:
        stop(server)
    rate = result.accepted / result.wall_s
    tasks, drain_s = _drain()
    applied_rate = distinct / drain_s if drain_s else 0.0
    check_line, once = _check(ids, distinct, distinct + len(retries), result.accepted)
    ok = once and rate >= RATE_TARGET and applied_rate >= RATE_TARGET
    others = {k: v for k, v in result.codes.items() if k != 200} or "none"
    lines = [
        f"**Closed loop (max throughput): {args.concurrency} connections back to back** — "
        f"`uvicorn app.main:app` as shipped, {args.workers} process(es), nothing applied during "
        f"the load; load average {load_before[0]:.2f} before (1-min)",
        "",
        f"- {result.accepted:,} accepted (HTTP 200) of {distinct + len(retries):,} posted "
        f"({distinct:,} distinct status events for {args.messages:,} messages + "
        f"{len(retries):,} identical retries); other codes: {others}",
        f"- **{rate:,.0f} events/s accepted** at saturation; {_latency_line(result)} "
        "(queueing at saturation, not a latency at a given rate)",
        f"- **applying: {distinct:,} events in {drain_s:.2f} s = {applied_rate:,.0f} events/s** "
        f"in one process ({tasks} queued sweep task(s) run in FIFO order, nothing else running)",
        check_line,
        f"- targets (≥ {RATE_TARGET:,.0f}/s accepted, ≥ {RATE_TARGET:,.0f}/s applied): "
        f"**{'MET' if ok else 'NOT MET'}**",
    ]
    return lines, once, ok


INTRO = (
    "Open loop is the target's measurement: a fixed offered rate, requests launched on schedule "
    "whatever the answers, latency from the scheduled send time, one real Celery worker applying "
    "the events meanwhile. The closed loop gives the saturation throughput (its latency is "
    "queueing) and the single-process apply rate. Before the set-based status application, "
    "applying ran at ~300 events/s; see docs/webhooks.md for what was measured and changed."
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mode", choices=("both", "open", "closed"), default="both")
    parser.add_argument(
        "--rates", default=f"{RATE_TARGET:.0f},1500", help="open loop: offered rates/s, comma list"
    )
    parser.add_argument("--duration", type=float, default=10.0, help="open loop: seconds")
    parser.add_argument("--messages", type=int, default=3000, help="closed loop")
    parser.add_argument("--retries", type=int, default=300, help="closed loop: re-posts")
    parser.add_argument("--concurrency", type=int, default=32, help="closed loop")
    parser.add_argument("--workers", type=int, default=1, help="closed loop: uvicorn workers")
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--no-worker", action="store_true", help="open loop: apply afterwards")
    parser.add_argument("--no-report", action="store_true")
    parser.add_argument("--profile", help="open loop: py-spy the server into this file")
    parser.add_argument("--trace", help="open loop: per-request latencies into this JSON file")
    parser.add_argument(
        "--stops",
        type=int,
        default=0,
        help="open loop: inbound STOP texts spread among the deliveries (request-path opt-out)",
    )
    args = parser.parse_args()

    os.environ.update(_env(args.database_url))
    sys.path.insert(0, str(ROOT / "apps" / "api"))
    runs: list[Callable[[], tuple[list[str], bool, bool]]] = []
    if args.mode in ("both", "open"):
        rates = [float(r) for r in args.rates.split(",")]
        runs += [functools.partial(run_open, args, rate) for rate in rates]
    if args.mode in ("both", "closed"):
        runs.append(functools.partial(run_closed, args))
    lines: list[str] = [INTRO, ""]
    all_once = True
    for run in runs:
        run_lines, once, _ = run()
        all_once = all_once and once
        lines += [*run_lines, ""]
    body = "\n".join(lines)
    print(body)
    if not args.no_report:
        from bench.report import write_section

        write_section("webhooks", "Webhook ingestion (bench_webhooks)", body)
    if not all_once:
        sys.exit(1)


if __name__ == "__main__":
    main()
