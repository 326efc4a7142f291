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
