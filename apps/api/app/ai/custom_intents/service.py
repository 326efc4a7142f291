"""Custom intents: store a workspace's labelled replies, train its model, load it for
classification (the built-in model stays the fallback when a workspace has none)."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.ai.classifier.model import load_replies
from app.ai.custom_intents.models import IntentExample, WorkspaceIntentModel
from app.ai.custom_intents.schemas import ExampleIn, ExamplesAdded, IntentStatus, TrainResult
from app.ai.intents import BUILTIN_INTENTS, FALLBACK_LABEL, IntentModel
from app.core.db import dialect_insert, utcnow
from app.core.errors import ValidationFailed

MAX_EXAMPLES = 10_000  # per workspace; also what one training reads (about 20 s on 2 cores)
MIN_PER_INTENT = 3
MAX_BACKGROUND = 3000
MIN_INTENTS = 2
_CACHE_SIZE = 64


def add_examples(
    *, db: Session, workspace_id: int, examples: list[ExampleIn], source: str = "api"
) -> ExamplesAdded:
    """Upsert labelled replies; a text already stored is relabelled. The caller commits."""
    latest: dict[str, str] = {}
    for ex in examples:  # the last label of a text repeated in one request wins
        latest[ex.text] = ex.intent
    existing = set(
        db.scalars(
            select(IntentExample.text).where(
                IntentExample.workspace_id == workspace_id, IntentExample.text.in_(list(latest))
            )
        )
    )
    total = _count(db, workspace_id)
    new = len(latest) - len(existing)
    if total + new > MAX_EXAMPLES:
        raise ValidationFailed(
            f"a workspace keeps at most {MAX_EXAMPLES:,} examples ({total:,} stored, "
            f"{new:,} new in this request)",
            field="examples",
        )
    insert = dialect_insert(db)
    rows = [
        {"workspace_id": workspace_id, "text": t, "intent": i, "source": source,
         "created_at": utcnow()}
        for t, i in latest.items()
    ]  # fmt: skip
    stmt = insert(IntentExample).values(rows)
    db.execute(
        stmt.on_conflict_do_update(
            index_elements=["workspace_id", "text"],
            set_={"intent": stmt.excluded.intent, "source": stmt.excluded.source},
        )
    )
    db.flush()
    return ExamplesAdded(
        added=new, relabelled=len(existing), total_examples=_count(db, workspace_id)
    )


def _count(db: Session, workspace_id: int) -> int:
    stmt = select(func.count()).where(IntentExample.workspace_id == workspace_id)
    return int(db.scalar(stmt) or 0)


def _per_intent(db: Session, workspace_id: int) -> dict[str, int]:
    stmt = (
        select(IntentExample.intent, func.count())
        .where(IntentExample.workspace_id == workspace_id)
        .group_by(IntentExample.intent)
        .order_by(IntentExample.intent)
    )
    return {intent: int(n) for intent, n in db.execute(stmt)}


def _ready(per_intent: dict[str, int]) -> bool:
    return sum(n >= MIN_PER_INTENT for n in per_intent.values()) >= MIN_INTENTS


def status(*, db: Session, workspace_id: int) -> IntentStatus:
    per_intent = _per_intent(db, workspace_id)
    record = db.get(WorkspaceIntentModel, workspace_id)
    stale = record is not None and load_model(db=db, workspace_id=workspace_id) is None
    return IntentStatus(
        has_custom_model=record is not None,
        needs_retraining=stale,
        labels=list(record.labels) if record else [],
        trained_at=record.trained_at if record else None,
        trained_examples=record.n_examples if record else 0,
        version=record.version if record else None,
        total_examples=sum(per_intent.values()),
        examples_per_intent=per_intent,
        ready_to_train=_ready(per_intent),
        min_examples_per_intent=MIN_PER_INTENT,
        builtin_labels=list(BUILTIN_INTENTS),
    )


def train(*, db: Session, workspace_id: int) -> TrainResult:
    """Train the workspace's model from its examples (intents with fewer than MIN_PER_INTENT
    examples are left out), plus a FALLBACK_LABEL class, and store it. 422 when fewer than
    two intents qualify."""
    rows = db.execute(
        select(IntentExample.text, IntentExample.intent)
        .where(IntentExample.workspace_id == workspace_id)
        .order_by(IntentExample.id.desc())
        .limit(MAX_EXAMPLES)
    ).all()
    per_intent: dict[str, int] = {}
    for _, intent in rows:
        per_intent[intent] = per_intent.get(intent, 0) + 1
    usable = {i for i, n in per_intent.items() if n >= MIN_PER_INTENT}
    if len(usable) < MIN_INTENTS:
        short = {i: n for i, n in sorted(per_intent.items()) if n < MIN_PER_INTENT}
        raise ValidationFailed(
            f"training needs at least {MIN_INTENTS} intents with {MIN_PER_INTENT}+ examples "
            f"each; this workspace has {len(usable)} (too few: {short or 'none stored'})",
            field="examples",
        )
    texts = [t for t, i in rows if i in usable]
    labels = [i for _, i in rows if i in usable]
    n_own = len(texts)
    # "None of my intents": built-in training replies of the intents the workspace does not
    # define, so a reply about something else falls back to the built-in model.
    background = [r["text"] for r in load_replies("train") if r["intent"] not in usable]
    texts += background[:MAX_BACKGROUND]
    labels += [FALLBACK_LABEL] * len(background[:MAX_BACKGROUND])
    started = time.perf_counter()
    model = IntentModel.train(texts, labels)
    seconds = time.perf_counter() - started
    insert = dialect_insert(db)
    values = {
        "workspace_id": workspace_id,
        "model": model.to_bytes(),
        "labels": [label for label in model.labels if label != FALLBACK_LABEL],
        "n_examples": n_own,
        "version": 1,
        "trained_at": utcnow(),
    }
    stmt = insert(WorkspaceIntentModel).values(values)
    db.execute(
        stmt.on_conflict_do_update(
            index_elements=["workspace_id"],
            set_={
                "model": stmt.excluded.model,
                "labels": stmt.excluded.labels,
                "n_examples": stmt.excluded.n_examples,
                "trained_at": stmt.excluded.trained_at,
                "version": WorkspaceIntentModel.version + 1,
            },
        )
    )
    db.flush()
    db.expire_all()
    result = status(db=db, workspace_id=workspace_id)
    return TrainResult(**result.model_dump(), training_seconds=round(seconds, 3))


log = logging.getLogger(__name__)
_cache: OrderedDict[int, tuple[int, IntentModel | None]] = OrderedDict()
_cache_lock = threading.Lock()


def load_model(*, db: Session, workspace_id: int) -> IntentModel | None:
    """The workspace's trained model, or None (classify with the built-in one). Deserialised
    once per trained version and kept in a small per-process LRU."""
    version = db.scalar(
        select(WorkspaceIntentModel.version).where(
            WorkspaceIntentModel.workspace_id == workspace_id
        )
    )
    if version is None:
        return None
    with _cache_lock:
        hit = _cache.get(workspace_id)
        if hit and hit[0] == version:
            _cache.move_to_end(workspace_id)
            return hit[1]
    blob = db.scalar(
        select(WorkspaceIntentModel.model).where(WorkspaceIntentModel.workspace_id == workspace_id)
    )
    if blob is None:
        return None
    model: IntentModel | None
    try:
        model = IntentModel.from_bytes(bytes(blob))
    except ValueError as exc:  # trained by an older release: the built-in model decides
        log.warning("workspace %s intent model unusable (%s): retrain it", workspace_id, exc)
        model = None  # cached too, so the warning comes once per version
    with _cache_lock:
        _cache[workspace_id] = (version, model)
        _cache.move_to_end(workspace_id)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return model
