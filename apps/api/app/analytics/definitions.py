"""What each figure counts — the one place the definitions of docs/analytics.md live in code.

A message's contribution to the rollups is a pure function of its state (`Fact`): which
measures it adds 1 to, in which scopes (workspace, campaign, sender, template, drip step,
AI-rewritten or original), and in which UTC quarter-hour slot each of its events happened.
The rollup adds the difference between a message's new and previous contribution, so every
counter always equals counting the rows (as last seen) with these same rules.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, fields
from datetime import datetime

from app.core.enums import MessageStatus as S

SLOT_SECONDS = 900  # a quarter-hour: every real time zone's day starts on one
# Upper bounds (seconds) of the reply-time histogram; "inf" catches the rest.
REPLY_BUCKETS: tuple[int, ...] = (
    60,
    300,
    900,
    1800,
    3600,
    7200,
    14400,
    28800,
    86400,
    172800,
    604800,
)
REPLY_MEASURES = (*(f"rt:{b}" for b in REPLY_BUCKETS), "rt:inf")
# The outcome of an outbound row; exactly one applies.
ACCEPTED = frozenset({S.SENT, S.DELIVERED, S.READ})  # WhatsApp took it and did not fail it
ATTEMPTED = frozenset({*ACCEPTED, S.FAILED, S.UNKNOWN})
PENDING = frozenset({S.QUEUED, S.SENDING})


@dataclass(frozen=True, slots=True)
class Fact:
    """The columns of a message that decide what it contributes."""

    workspace_id: int
    created_at: datetime
    inbound: bool
    status: str
    reason: str | None  # skip reason or error code
    campaign_id: int | None
    step_index: int | None
    sender_id: int | None
    template_id: int | None
    rewritten: bool | None
    auto_reply: bool
    needs_review: bool
    sent_at: datetime | None
    delivered_at: datetime | None
    read_at: datetime | None
    failed_at: datetime | None
    replied_at: datetime | None
    received_at: datetime | None


FACT_FIELDS = tuple(f.name for f in fields(Fact))


def slot_of(at: datetime) -> int:
    return math.floor(at.timestamp()) // SLOT_SECONDS


def outcome(status: str) -> str:
    """pending | sent | failed | unknown | skipped | cancelled."""
    if status in PENDING:
        return "pending"
    if status in ACCEPTED:
        return "sent"
    return str(status)


def reply_bucket(seconds: float) -> str:
    for bound in REPLY_BUCKETS:
        if seconds <= bound:
            return f"rt:{bound}"
    return "rt:inf"


def scopes(f: Fact) -> tuple[tuple[str, str], ...]:
    """The (scope, key) pairs a message counts in."""
    out: list[tuple[str, str]] = [("total", "")]
    if f.campaign_id is not None:
        out += [("campaign", str(f.campaign_id))]
        if not f.inbound:
            out += [("campaigns", "")]
            if f.step_index is not None:
                out += [("step", f"{f.campaign_id}:{f.step_index}")]
    if f.sender_id is not None:
        out += [("sender", str(f.sender_id))]
    if not f.inbound:
        if f.template_id is not None:
            out += [("template", str(f.template_id))]
        if f.rewritten is not None:
            out += [("variant", "rewritten" if f.rewritten else "original")]
    return tuple(out)


def _replied(f: Fact) -> bool:
    return f.replied_at is not None and f.status in ATTEMPTED


def measures(f: Fact) -> Counter[str]:
    """What the message adds to each of its scopes' totals."""
    if f.inbound:
        return Counter(["received", *(["needs_review"] if f.needs_review else [])])
    kind = outcome(f.status)
    out = Counter(["outbound", kind])
    if f.status in ATTEMPTED:
        out["attempted"] += 1
    if f.status in (S.DELIVERED, S.READ):
        out["delivered"] += 1
    if f.status == S.READ:
        out["read"] += 1
    if kind in ("skipped", "failed"):
        out[f"{kind}:{f.reason or 'none'}"] += 1
    if f.auto_reply and kind == "sent":
        out["auto_answered"] += 1
    if _replied(f):
        out["replied"] += 1
        assert f.replied_at is not None
        left = f.sent_at or f.created_at
        out[reply_bucket(max(0.0, (f.replied_at - left).total_seconds()))] += 1
    return out


def slot_events(f: Fact) -> Counter[tuple[int, str]]:
    """(slot, measure) of each event, at the time it happened (see docs/analytics.md)."""
    if f.inbound:
        at = slot_of(f.received_at or f.created_at)
        return Counter([(at, "received"), *([(at, "needs_review")] if f.needs_review else [])])
    out: Counter[tuple[int, str]] = Counter()
    kind = outcome(f.status)
    sent = f.sent_at or f.created_at
    if kind == "sent":
        out[(slot_of(sent), "sent")] += 1
        if f.auto_reply:
            out[(slot_of(sent), "auto_answered")] += 1
    if f.status in (S.DELIVERED, S.READ):
        out[(slot_of(f.delivered_at or f.read_at or sent), "delivered")] += 1
        out[(slot_of(sent), "cohort_delivered")] += 1
    if f.status == S.READ:
        out[(slot_of(f.read_at or sent), "read")] += 1
        if kind == "sent":
            out[(slot_of(sent), "cohort_read")] += 1
    if kind == "failed":
        out[(slot_of(f.failed_at or f.created_at), "failed")] += 1
    elif kind == "skipped":
        out[(slot_of(f.created_at), "skipped")] += 1
    if _replied(f):
        assert f.replied_at is not None
        at = slot_of(f.replied_at)
        out[(at, "replied")] += 1
        out[(at, reply_bucket(max(0.0, (f.replied_at - sent).total_seconds())))] += 1
        if kind == "sent":
            out[(slot_of(sent), "cohort_replied")] += 1
    return out


Cell = tuple[int, str, str, int, str]  # workspace, scope, key, slot, measure


def delta(old: Fact | None, new: Fact | None, into: Counter[Cell]) -> None:
    """Add new's contribution and subtract old's, cell by cell (a message never changes
    workspace)."""
    base = new or old
    if base is None:
        return
    ws = base.workspace_id
    old_scopes = scopes(old) if old else ()
    new_scopes = scopes(new) if new else ()
    old_m = measures(old) if old else Counter()
    new_m = measures(new) if new else Counter()
    if old_scopes == new_scopes:
        diff = new_m
        diff.subtract(old_m)
        changed = [(m, v) for m, v in diff.items() if v]
        for scope, key in new_scopes:
            for m, v in changed:
                into[(ws, scope, key, 0, m)] += v
    else:
        for scope, key in old_scopes:
            for m, v in old_m.items():
                into[(ws, scope, key, 0, m)] -= v
        for scope, key in new_scopes:
            for m, v in new_m.items():
                into[(ws, scope, key, 0, m)] += v
    if old is not None:
        for (slot, m), v in slot_events(old).items():
            into[(ws, "slot", "", slot, m)] -= v
    if new is not None:
        for (slot, m), v in slot_events(new).items():
            into[(ws, "slot", "", slot, m)] += v
