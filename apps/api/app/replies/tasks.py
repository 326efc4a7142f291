"""Celery task of reply handling: the sweep for replies the ingesting worker did not finish."""

from __future__ import annotations

from app.core.db import session_scope, utcnow
from app.replies import processing
from app.workers.celery_app import celery_app


@celery_app.task(name="replies.classify_pending")
def classify_pending() -> int:
    """Classify and act on recent inbound replies still unclassified (worker lost between
    storing and classifying, classifier down). Safe to run twice: each reply is claimed."""
    with session_scope() as db:
        ids = processing.pending_ids(db=db, now=utcnow())
    return processing.process_replies(ids)


@celery_app.task(name="replies.rescore_contacts")
def rescore_contacts(pairs: list[list[int]]) -> int:
    """Move the lead scores of these (workspace, contact) pairs (they read a message)."""
    processing.rescore([(int(w), int(c)) for w, c in pairs])
    return len(pairs)


def rescore_soon(pairs: list[tuple[int, int]]) -> None:
    """After commit: the readers' scores, off the webhook worker's critical path."""
    rescore_contacts.apply_async(args=[[list(p) for p in pairs]])
