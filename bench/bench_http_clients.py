"""HTTP client throughput for the send path: aiohttp vs httpx vs our CloudApiProvider.

Run: `.venv/bin/python -m bench.bench_http_clients [--requests N] [--concurrency C]
[--latency-ms L]`. The fake Graph API runs in its own process answering after L ms, so the
ceiling is C / L (64 / 20 ms = 3,200 req/s); a client far below it is what caps the sender.
Every client sends the same documented text-message body with the same concurrency.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor

import aiohttp
import httpx
from tests.fakes.graph_api import DEFAULT_TOKEN, spawn_graph_api

from bench.report import write_section

PHONE_NUMBER_ID = "100000000000001"
HEADERS = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}


def _body(i: int) -> dict:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": f"1555{i:07d}",
        "type": "text",
        "text": {"body": f"Hello {i}", "preview_url": False},
        "biz_opaque_callback_data": f"bench-{i}",
    }


async def _drive(total: int, concurrency: int, send: Callable[[int], Awaitable[None]]) -> float:
    """`concurrency` workers share `total` sends; returns elapsed seconds."""
    counter = iter(range(total))

    async def worker() -> None:
        for i in counter:
            await send(i)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - start


async def run_aiohttp(url: str, total: int, concurrency: int) -> float:
    endpoint = f"{url}/v21.0/{PHONE_NUMBER_ID}/messages"
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def send(i: int) -> None:
            async with session.post(endpoint, json=_body(i), headers=HEADERS) as resp:
                assert resp.status == 200, await resp.text()
                await resp.read()

        return await _drive(total, concurrency, send)


async def run_httpx_async(url: str, total: int, concurrency: int) -> float:
    endpoint = f"{url}/v21.0/{PHONE_NUMBER_ID}/messages"
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def send(i: int) -> None:
            resp = await client.post(endpoint, json=_body(i), headers=HEADERS)
            assert resp.status_code == 200, resp.text

        return await _drive(total, concurrency, send)


def run_httpx_threads(url: str, total: int, threads: int) -> float:
    endpoint = f"{url}/v21.0/{PHONE_NUMBER_ID}/messages"
    limits = httpx.Limits(max_connections=threads, max_keepalive_connections=threads)
    with httpx.Client(limits=limits, timeout=30) as client:

        def send(i: int) -> None:
            resp = client.post(endpoint, json=_body(i), headers=HEADERS)
            assert resp.status_code == 200, resp.text

        start = time.perf_counter()
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(send, range(total)))
        return time.perf_counter() - start


async def run_provider(url: str, total: int, concurrency: int) -> float:
    from app.integrations.whatsapp.base import SenderCredentials
    from app.integrations.whatsapp.cloud_api import CloudApiProvider

    provider = CloudApiProvider(base_url=url, api_version="v21.0", max_connections=concurrency)
    sender = SenderCredentials(phone_number_id=PHONE_NUMBER_ID, access_token=DEFAULT_TOKEN)
    try:

        async def send(i: int) -> None:
            await provider.send_text(
                sender=sender, to=f"+1555{i:07d}", body=f"Hello {i}", callback_data=f"bench-{i}"
            )

        return await _drive(total, concurrency, send)
    finally:
        await provider.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--threads", type=int, default=32, help="sync httpx thread count")
    parser.add_argument("--latency-ms", type=float, default=20)
    parser.add_argument("--no-report", action="store_true", help="print only")
    args = parser.parse_args()
    n, c = args.requests, args.concurrency
    ceiling = c / (args.latency_ms / 1000) if args.latency_ms else float("inf")

    clients: list[tuple[str, Callable[[str], float]]] = [
        (f"aiohttp.ClientSession (c={c})", lambda u: asyncio.run(run_aiohttp(u, n, c))),
        (f"CloudApiProvider / aiohttp (c={c})", lambda u: asyncio.run(run_provider(u, n, c))),
        (f"httpx.AsyncClient (c={c})", lambda u: asyncio.run(run_httpx_async(u, n, c))),
        (f"httpx.Client, {args.threads} threads", lambda u: run_httpx_threads(u, n, args.threads)),
    ]
    rows = []
    with spawn_graph_api(latency_ms=args.latency_ms) as fake:
        asyncio.run(run_aiohttp(fake.url, min(200, n), c))  # warm-up
        for label, run in clients:
            fake.reset()
            elapsed = run(fake.url)
            stats = fake.stats()
            assert stats["accepted"] == n and stats["rejected"] == 0, stats
            rows.append((label, n / elapsed, elapsed))
            print(f"{label:40s} {n / elapsed:8.0f} req/s  ({elapsed:.2f} s)", flush=True)

    table = "\n".join(
        f"| {label} | {rate:,.0f} | {rate / ceiling:.0%} | {elapsed:.2f} |"
        for label, rate, elapsed in rows
    )
    body = (
        f"{n:,} text sends per client to the fake Graph API in its own process, answering "
        f"after {args.latency_ms:g} ms; the ceiling at concurrency {c} is {ceiling:,.0f} req/s. "
        "Every request was accepted and validated by the fake.\n\n"
        "| Client | req/s | of ceiling | seconds |\n|---|---:|---:|---:|\n" + table + "\n\n"
        "The provider adds JSON building, phone normalisation and answer parsing on top of raw "
        "aiohttp. See docs/whatsapp.md for why the provider uses aiohttp."
    )
    if not args.no_report:
        write_section("http_clients", "HTTP clients for the Cloud API send path", body)


if __name__ == "__main__":
    main()
