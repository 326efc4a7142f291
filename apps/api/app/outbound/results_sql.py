"""The bulk statements that record a batch's outcomes (app.outbound.results uses them).

Every write is conditional on the row still being `sending` (or `unknown`, for a late
success), so a status webhook that got there first is never overwritten. PostgreSQL gets one
`UPDATE … FROM unnest(arrays)` / multi-row INSERT per batch; other dialects an executemany.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Connection, bindparam, case, func, insert, or_, text, update

from app.core.enums import MessageStatus
from app.messaging.models import Message, MessageEvent

S = MessageStatus
# Plain comparisons, not IN (...): executemany cannot expand list parameters.
_IN_FLIGHT = or_(Message.status == S.SENDING, Message.status == S.UNKNOWN)
# A row whose contact was erased while its send was in flight gets its facts, not the text.
_BODY = case((Message.contact_id.is_(None), None), else_=bindparam("b_body"))

_SENT = (
    update(Message)
    .where(Message.id == bindparam("b_id"), _IN_FLIGHT)
    .values(
        status=S.SENT,
        wamid=func.coalesce(Message.wamid, bindparam("b_wamid")),
        sent_at=func.coalesce(Message.sent_at, bindparam("b_at")),
        body=_BODY,
        outside_window=bindparam("b_outside"),
        error_code=None,
        error_detail=None,
        updated_at=bindparam("b_at"),
    )
)
# A webhook may have moved the row past `sent` before our answer was recorded: keep its
# status, only add what we know (wamid, body, sent time). Not to a row a failed status
# requeued meanwhile (131049/131056): that attempt is over, the resend gets its own wamid.
_SENT_LATE = (
    update(Message)
    .where(Message.id == bindparam("b_id"), ~_IN_FLIGHT, Message.status != S.QUEUED)
    .values(
        wamid=func.coalesce(Message.wamid, bindparam("b_wamid")),
        sent_at=func.coalesce(Message.sent_at, bindparam("b_at")),
        body=func.coalesce(Message.body, _BODY),
        outside_window=func.coalesce(Message.outside_window, bindparam("b_outside")),
    )
)
_FINISH = (
    update(Message)
    .where(Message.id == bindparam("b_id"), Message.status == S.SENDING)
    .values(
        status=bindparam("b_status"),
        skip_reason=bindparam("b_reason"),
        error_code=bindparam("b_code"),
        error_detail=bindparam("b_detail"),
        body=func.coalesce(_BODY, Message.body),
        failed_at=case((bindparam("b_status") == S.FAILED, bindparam("b_at")), else_=None),
        updated_at=bindparam("b_at"),
    )
)
_REQUEUE = (
    update(Message)
    .where(Message.id == bindparam("b_id"), Message.status == S.SENDING)
    .values(
        status=S.QUEUED,
        next_attempt_at=bindparam("b_due"),
        attempts=Message.attempts - bindparam("b_undo"),
        error_code=bindparam("b_code"),
        error_detail=bindparam("b_detail"),
        first_deferred_at=func.coalesce(Message.first_deferred_at, bindparam("b_first")),
        updated_at=bindparam("b_at"),
    )
)


_PG_SENT = text(
    """
    UPDATE messages AS m
    SET status = 'sent', wamid = COALESCE(m.wamid, v.wamid), sent_at = COALESCE(m.sent_at, :at),
        body = CASE WHEN m.contact_id IS NULL THEN NULL ELSE v.body END,
        outside_window = v.outside, error_code = NULL, error_detail = NULL, updated_at = :at
    FROM unnest(CAST(:ids AS bigint[]), CAST(:wamids AS text[]), CAST(:bodies AS text[]),
                CAST(:outside AS boolean[]))
        AS v(id, wamid, body, outside)
    WHERE m.id = v.id AND m.status IN ('sending', 'unknown')
    RETURNING m.id
    """
)
_PG_EVENTS = text(
    """
    INSERT INTO message_events (message_id, event, occurred_at, data)
    SELECT * FROM unnest(CAST(:ids AS bigint[]), CAST(:events AS text[]),
                         CAST(:ats AS timestamptz[]), CAST(CAST(:data AS text[]) AS jsonb[]))
    """
)


def _record_sent(conn: Connection, params: list[dict[str, Any]]) -> None:
    """Mark answered sends `sent`. PostgreSQL: one UPDATE … FROM unnest(arrays) for the whole
    batch (3 array parameters, nothing to compile per row); elsewhere an executemany. Rows a
    webhook already moved further only get the wamid."""
    params = [{"b_outside": None, **p} for p in params]  # not known: counted (NULL)
    if conn.dialect.name != "postgresql" or len({p["b_at"] for p in params}) != 1:
        conn.execute(_SENT, params)
        conn.execute(_SENT_LATE, params)
        return
    done = set(
        conn.execute(
            _PG_SENT,
            {
                "ids": [p["b_id"] for p in params],
                "wamids": [p["b_wamid"] for p in params],
                "bodies": [p["b_body"] for p in params],
                "outside": [p["b_outside"] for p in params],
                "at": params[0]["b_at"],
            },
        ).scalars()
    )
    late = [p for p in params if p["b_id"] not in done]
    if late:
        conn.execute(_SENT_LATE, late)


def _record_events(conn: Connection, events: list[dict[str, Any]]) -> None:
    if conn.dialect.name != "postgresql":
        conn.execute(insert(MessageEvent), events)
        return
    conn.execute(
        _PG_EVENTS,
        {
            "ids": [e["message_id"] for e in events],
            "events": [e["event"] for e in events],
            "ats": [e["occurred_at"] for e in events],
            "data": [orjson.dumps(e["data"]).decode() for e in events],
        },
    )
