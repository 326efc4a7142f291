"""Build the offline reply models when a process starts, not when the first reply arrives.

The intent, sentiment and opt-out review models train from the labelled replies at first use
and the language model loads from disk: about 5 s of one core. Without this, the first reply a
process classifies waits for all of it.
"""

from __future__ import annotations

import logging
import threading

from app.core.config import settings

log = logging.getLogger(__name__)


def warm_up() -> None:
    """Classify one reply: every model the local classifier uses is built on the way."""
    from app.ai.classifier.local import classify_local

    classify_local("warm up")


def _run() -> None:
    try:
        warm_up()
    except Exception:  # a broken data folder shows at the first real reply, with its error
        log.exception("AI warm-up failed; the models will be built at first use")


def start_warm_up() -> threading.Thread | None:
    """A daemon thread building the models, or None when reply classification or warm-up is off."""
    if not (settings.AI_WARM_UP and settings.AI_REPLY_CLASSIFICATION_ENABLED):
        return None
    thread = threading.Thread(target=_run, name="ai-warm-up", daemon=True)
    thread.start()
    return thread
