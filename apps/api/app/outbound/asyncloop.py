"""One long-lived event loop (and provider) per worker thread for the sync Celery tasks.

Celery runs tasks synchronously; the send path needs asyncio for concurrent HTTP. Reusing one
loop per thread keeps the provider's aiohttp connection pool (keep-alive connections) across
batches instead of reconnecting for every batch. Providers are closed at process exit.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from app.integrations.whatsapp.base import WhatsAppProvider
from app.integrations.whatsapp.factory import get_provider

T = TypeVar("T")
_local = threading.local()


def new_loop() -> asyncio.AbstractEventLoop:
    """uvloop when installed (it ships with uvicorn[standard]): roughly halves the event-loop
    overhead per request on the send path; the stdlib loop otherwise."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def _loop() -> asyncio.AbstractEventLoop:
    loop = getattr(_local, "loop", None)
    if loop is None or loop.is_closed():
        loop = new_loop()
        _local.loop = loop
        _local.providers = {}
        atexit.register(_close, loop, _local.providers)
    return loop


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` to completion on this thread's loop."""
    return _loop().run_until_complete(coro)


def provider_for(name: str) -> WhatsAppProvider:
    """This thread's provider instance for `name`, bound to this thread's loop."""
    _loop()
    providers: dict[str, WhatsAppProvider] = _local.providers
    provider = providers.get(name)
    if provider is None:
        provider = providers[name] = get_provider(name)
    return provider


def _close(loop: asyncio.AbstractEventLoop, providers: dict[str, WhatsAppProvider]) -> None:
    if loop.is_closed() or loop.is_running():
        return
    for provider in providers.values():
        with contextlib.suppress(Exception):  # exiting anyway
            loop.run_until_complete(provider.aclose())
    loop.close()
