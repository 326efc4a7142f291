"""The hooks campaigns use to reach the sending engine, which sits above them.

Campaigns decide *what* to send by writing message rows; the engine (app.outbound) reads those
rows and calls down into campaigns (completion, drip steps). When campaigns make rows due, the
engine's dispatcher for that number should wake up at once instead of at the next reconcile:
`sender_ready(sender_id)` tells whoever subscribed. app.wiring subscribes the engine's
`enqueue_dispatch` in every process (API, worker, CLI). With no subscriber nothing is lost: the
rows are durable and the reconciler wakes due senders every minute.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

SenderReady = Callable[[int], None]
_subscribers: list[SenderReady] = []
# A started campaign with AI rewriting needs its variant pool before anything is sent
# (app.ai.variants, which sits above campaigns, subscribes in app.wiring). Without a
# subscriber the beat job `ai.prepare_pending_variants` prepares it within a minute.
_variant_subscribers: list[Callable[[int], None]] = []


def subscribe_variants_needed(fn: Callable[[int], None]) -> None:
    if fn not in _variant_subscribers:
        _variant_subscribers.append(fn)


def variants_needed(campaign_id: int) -> None:
    """Call after commit. Best effort, like sender_ready."""
    for fn in _variant_subscribers:
        try:
            fn(campaign_id)
        except Exception:
            log.warning("could not request variants of campaign %s", campaign_id, exc_info=True)


def subscribe_sender_ready(fn: SenderReady) -> None:
    """Idempotent: wiring twice (an app imported twice in one process) subscribes once."""
    if fn not in _subscribers:
        _subscribers.append(fn)


def sender_ready(sender_id: int) -> None:
    """Call after commit. Best effort: a failing subscriber is logged, never raised."""
    if not _subscribers:
        log.info("no dispatcher subscribed; sender %s is woken by the reconciler", sender_id)
    for fn in _subscribers:
        try:
            fn(sender_id)
        except Exception:
            log.warning("could not wake the dispatcher of sender %s", sender_id, exc_info=True)
