"""What each figure counts — the one place the definitions of docs/analytics.md live in code.

A message's contribution to the rollups is a pure function of its state (`Fact`): which
measures it adds 1 to, in which scopes (workspace, campaign, sender, template, drip step,
AI-rewritten or original), and in which UTC quarter-hour slot each of its events happened.
The rollup adds the difference between a message's new and previous contribution, so every
counter always equals counting the rows (as last seen) with these same rules.
"""

from __future__ import annotations

import math
from bisect import bisect_left
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
# The slot measures engagement reads, also kept in workspace-local time (app.analytics.local):
# these per local day and hour, the reply-time histogram per local day.
LOCAL_HOUR_MEASURES = ("read", "replied", "sent", "cohort_replied")
LOCAL_DAY_MEASURES = REPLY_MEASURES
# The outcome of an outbound row; exactly one applies.
ACCEPTED = frozenset({S.SENT, S.DELIVERED, S.READ})  # WhatsApp took it and did not fail it
ATTEMPTED = frozenset({*ACCEPTED, S.FAILED, S.UNKNOWN})
PENDING = frozenset({S.QUEUED, S.SENDING})


@dataclass(frozen=True, slots=True)
class Fact:
    """What decides a message's contribution. Times are UTC quarter-hour slots (computed in
    SQL), and the reply time is already its histogram bucket, so two states that count the
    same compare equal."""

    workspace_id: int
    created: int  # slot of created_at
    inbound: bool
    status: str
    reason: str | None  # skip reason or error code
    campaign_id: int | None
    step_index: int | None
    drip: bool  # a drip campaign's message (its steps are ranked)
    sender_id: int | None
    template_id: int | None
    rewritten: bool | None
    auto_reply: bool
    needs_review: bool
    sent: int | None
    delivered: int | None
    read: int | None
    failed: int | None
    replied: int | None
    received: int | None
    reply_bucket: int | None  # index into REPLY_MEASURES


FACT_FIELDS = tuple(f.name for f in fields(Fact))


def slot_of(at: datetime) -> int:
    return math.floor(at.timestamp()) // SLOT_SECONDS


def bucket_index(seconds: float | None) -> int | None:
    if seconds is None:
        return None
    return bisect_left(REPLY_BUCKETS, max(0.0, seconds))


def outcome(status: str) -> str:
    """pending | sent | failed | unknown | skipped | cancelled."""
    if status in PENDING:
        return "pending"
    if status in ACCEPTED:
        return "sent"
    return str(status)


def reply_bucket(seconds: float) -> str:
    idx = bucket_index(seconds)
    assert idx is not None
    return REPLY_MEASURES[idx]


def scopes(f: Fact) -> tuple[tuple[str, str], ...]:
    """The (scope, key) pairs a message counts in."""
    out: list[tuple[str, str]] = [("total", "")]
    if f.campaign_id is not None:
        out.append(("campaign", str(f.campaign_id)))
        if not f.inbound:
            out.append(("campaigns", ""))
            if f.drip and f.step_index is not None:
                out.append(("step", f"{f.campaign_id}:{f.step_index}"))
    if f.sender_id is not None:
        out.append(("sender", str(f.sender_id)))
    if not f.inbound:
        if f.template_id is not None:
            out.append(("template", str(f.template_id)))
        if f.rewritten is not None:
            out.append(("variant", "rewritten" if f.rewritten else "original"))
    return tuple(out)


def _replied(f: Fact) -> bool:
    return f.replied is not None and f.status in ATTEMPTED


def measures(f: Fact) -> list[str]:
    """What the message adds (1 each) to each of its scopes' totals."""
    if f.inbound:
        return ["received", "needs_review"] if f.needs_review else ["received"]
    kind = outcome(f.status)
    out = ["outbound", kind]
    if f.status in ATTEMPTED:
        out.append("attempted")
    if f.status in (S.DELIVERED, S.READ):
        out.append("delivered")
    if f.status == S.READ:
        out.append("read")
    if kind in ("skipped", "failed"):
        out.append(f"{kind}:{f.reason or 'none'}")
    if f.auto_reply and kind == "sent":
        out.append("auto_answered")
    if _replied(f):
        out.append("replied")
        out.append(REPLY_MEASURES[f.reply_bucket or 0])
    return out


def slot_events(f: Fact) -> list[tuple[int, str]]:
    """(slot, measure) of each event, at the time it happened (see docs/analytics.md)."""
    if f.inbound:
        at = f.received if f.received is not None else f.created
        return [(at, "received"), (at, "needs_review")] if f.needs_review else [(at, "received")]
    out: list[tuple[int, str]] = []
    kind = outcome(f.status)
    sent = f.sent if f.sent is not None else f.created
    if kind == "sent":
        out.append((sent, "sent"))
        if f.auto_reply:
            out.append((sent, "auto_answered"))
    if f.status in (S.DELIVERED, S.READ):
        at = f.delivered if f.delivered is not None else f.read if f.read is not None else sent
        out.append((at, "delivered"))
        out.append((sent, "cohort_delivered"))
    if f.status == S.READ:
        out.append((f.read if f.read is not None else sent, "read"))
        out.append((sent, "cohort_read"))
    if kind == "failed":
        out.append((f.failed if f.failed is not None else f.created, "failed"))
    elif kind == "skipped":
        out.append((f.created, "skipped"))
    if _replied(f):
        assert f.replied is not None
        out.append((f.replied, "replied"))
        out.append((f.replied, REPLY_MEASURES[f.reply_bucket or 0]))
        if kind == "sent":
            out.append((sent, "cohort_replied"))
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
    old_m = measures(old) if old else []
    new_m = measures(new) if new else []
    if old_scopes == new_scopes:
        if old_m != new_m:
            diff: dict[str, int] = {}
            for m in new_m:
                diff[m] = diff.get(m, 0) + 1
            for m in old_m:
                diff[m] = diff.get(m, 0) - 1
            changed = [(m, v) for m, v in diff.items() if v]
            for scope, key in new_scopes:
                for m, v in changed:
                    into[(ws, scope, key, 0, m)] += v
    else:
        for scope, key in old_scopes:
            for m in old_m:
                into[(ws, scope, key, 0, m)] -= 1
        for scope, key in new_scopes:
            for m in new_m:
                into[(ws, scope, key, 0, m)] += 1
    old_s = slot_events(old) if old else []
    new_s = slot_events(new) if new else []
    if old_s != new_s:
        for slot, m in old_s:
            into[(ws, "slot", "", slot, m)] -= 1
        for slot, m in new_s:
            into[(ws, "slot", "", slot, m)] += 1
