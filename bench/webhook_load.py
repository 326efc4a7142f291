"""HTTP load generators for bench_webhooks: closed loop (max throughput) and open loop (a fixed
offered rate, the only honest way to state a latency at a sustained rate).

Closed loop: C connections each post, wait for the answer, post again. Its latency is queueing
at saturation — it says how fast the server can go, not how it answers at a given rate.

Open loop: request i is launched at start + i/rate whether or not earlier ones have answered,
and its latency is measured from that *scheduled* time. If the server (or this generator)
stalls, the requests that should have gone out meanwhile are late and their lateness counts —
no coordinated omission.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    latencies_ms: list[float] = field(default_factory=list)  # of 200s
    codes: dict[int, int] = field(default_factory=dict)
    wall_s: float = 0.0  # first scheduled send → last answer
    last_ok_at: float = 0.0  # perf_counter of the last 200
    max_launch_lag_ms: float = 0.0  # how far the generator itself fell behind its schedule
    trace: list[tuple[int, float, int, float]] = field(default_factory=list)  # i, ms, code, at

    @property
    def accepted(self) -> int:
        return self.codes.get(200, 0)

    def record(self, status: int, latency_ms: float, now: float) -> None:
        self.codes[status] = self.codes.get(status, 0) + 1
        if status == 200:
            self.latencies_ms.append(latency_ms)
            self.last_ok_at = max(self.last_ok_at, now)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


@contextmanager
def no_gc_pauses() -> Iterator[None]:
    """The generator's own cyclic GC must not be measured: a full collection of this process
    (it has imported the whole app) stops it for ~100 ms, during which it neither launches nor
    reads answers — seen as a server stall. Collected and frozen before, disabled during."""
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()


def _url(port: int) -> str:
    return f"http://127.0.0.1:{port}/api/v1/webhooks/whatsapp"


def _session(limit: int):
    import aiohttp

    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=limit))


async def _post(session, url: str, body: bytes, signature: str) -> int:
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature}
    async with session.post(url, data=body, headers=headers) as resp:
        await resp.read()
        return resp.status


Signed = list[tuple[bytes, str]]  # (body, X-Hub-Signature-256)


async def closed_loop(
    port: int, phases: list[Signed], warm: Signed, concurrency: int, time_limit: float
) -> LoadResult:
    """Post every (body, signature), phase after phase, with `concurrency` connections, after
    posting `warm` unmeasured."""
    result = LoadResult()
    deadline = time.monotonic() + time_limit
    async with _session(concurrency) as session:

        async def worker(queue: list[tuple[bytes, str]], out: LoadResult) -> None:
            while queue and time.monotonic() < deadline:
                body, signature = queue.pop()
                t0 = time.perf_counter()
                status = await _post(session, _url(port), body, signature)
                now = time.perf_counter()
                out.record(status, (now - t0) * 1000, now)

        queue = list(reversed(warm))
        await asyncio.gather(*(worker(queue, LoadResult()) for _ in range(concurrency)))
        with no_gc_pauses():
            start = time.perf_counter()
            for bodies in phases:
                queue = list(reversed(bodies))
                await asyncio.gather(*(worker(queue, result) for _ in range(concurrency)))
            result.wall_s = time.perf_counter() - start
    return result


async def _scheduled(session, url: str, bodies: Signed, rate: float, out: LoadResult) -> float:
    """Launch body i at start + i/rate; latency from that scheduled time."""
    tasks: set[asyncio.Task[None]] = set()
    start = time.perf_counter() + 0.05

    async def one(i: int, body: bytes, signature: str, due: float) -> None:
        try:
            status = await _post(session, url, body, signature)
        except Exception:  # connection refused/reset: counted, not fatal
            status = 599
        now = time.perf_counter()
        out.record(status, (now - due) * 1000, now)
        out.trace.append((i, (now - due) * 1000, status, time.time()))

    for i, (body, signature) in enumerate(bodies):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0.0005:
            await asyncio.sleep(delay)
        else:
            out.max_launch_lag_ms = max(out.max_launch_lag_ms, -delay * 1000)
        task = asyncio.create_task(one(i, body, signature, due))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    while tasks:
        await asyncio.gather(*list(tasks))
    return start


async def open_loop(
    port: int, bodies: Signed, warm: Signed, rate: float, on_start: Callable[[], None]
) -> LoadResult:
    """Offer `rate` requests/s of `bodies`, after `warm` (unmeasured) at the same rate;
    `on_start()` runs between the two. Connections are not capped low: a slow server makes
    requests pile up, as Meta's would."""
    result = LoadResult()
    async with _session(1024) as session:
        await _scheduled(session, _url(port), warm, rate, LoadResult())
        on_start()
        with no_gc_pauses():
            start = await _scheduled(session, _url(port), bodies, rate, result)
            result.wall_s = time.perf_counter() - start
    return result


def warmup_bodies(n: int, secret: str) -> Signed:
    """Real signed status deliveries for a phone_number_id no sender has: stored (workspace
    NULL), handed to the workers and marked processed with "unknown phone_number_id", touching
    no message. Connections, pools, statement caches and the Celery producer (created lazily on
    the first hand-off) reach steady state before anything is measured."""
    import orjson

    from app.inbound.service import sign

    out = []
    for i in range(n):
        value = {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "0", "phone_number_id": "warm-up"},
            "statuses": [{"id": f"wamid.WARM{i}", "status": "sent", "timestamp": "1749416400"}],
        }
        body = orjson.dumps(
            {"object": "whatsapp_business_account",
             "entry": [{"id": "warm", "changes": [{"field": "messages", "value": value}]}]}
        )  # fmt: skip
        out.append((body, sign(body, secret)))
    return out
