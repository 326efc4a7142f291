"""Inbound opt-out keywords applied at once, on the webhook request path (SPEC §2.2).

The keyword rules themselves are in app.contacts.optout_keywords.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.orm import Session

from app.contacts.models import Contact
from app.contacts.optout_keywords import match_opt_out
from app.core.db import utcnow
from app.inbound.parser import parse_webhook
from app.senders.models import SenderNumber

# Inbound message types whose text can be an opt-out keyword (button: quick reply text).
KEYWORD_TYPES = frozenset({"text", "button", "interactive"})
_FAST_LOCK_TIMEOUT = "50ms"  # never hold the webhook acknowledgement behind a busy contact


@dataclass(frozen=True)
class KeywordOptOut:
    phone_number_id: str
    phone: str  # E.164, from Meta's wa_id
    at: datetime
    keyword: str


def keyword_opt_outs(payload: Any) -> list[KeywordOptOut]:
    """The inbound messages of a delivery that are an opt-out keyword (CPU only, no I/O)."""
    found = []
    for msg in parse_webhook(payload).messages:
        keyword = match_opt_out(msg.text) if msg.type in KEYWORD_TYPES else None
        pnid = msg.channel.phone_number_id
        if keyword and pnid and msg.from_.isdigit():
            found.append(KeywordOptOut(pnid, "+" + msg.from_, msg.timestamp or utcnow(), keyword))
    return found


def record_keyword_opt_outs(*, db: Session, found: list[KeywordOptOut]) -> int:
    """Opt the contacts out now, before the event's full processing (which repeats it
    idempotently, stores the message and stops drips): one indexed UPDATE each, on
    (workspace of the receiving number, phone). An unknown contact is left to that processing;
    a contact locked by a send batch too (lock timeout), rather than delay the acknowledgement.
    Returns how many contacts were opted out. The caller commits."""
    if not found:
        return 0
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text(f"SET LOCAL lock_timeout = '{_FAST_LOCK_TIMEOUT}'"))
    workspace = (
        select(SenderNumber.workspace_id)
        .where(SenderNumber.phone_number_id == bindparam("b_pnid"))
        .scalar_subquery()
    )
    stmt = (
        update(Contact)
        .where(
            Contact.workspace_id == workspace,
            Contact.phone == bindparam("b_phone"),
            Contact.opted_out_at.is_(None),
        )
        .values(opted_out_at=bindparam("b_at"), opt_out_source=bindparam("b_source"))
        .execution_options(synchronize_session=False)
    )
    done = 0
    for item in found:
        params = {"b_pnid": item.phone_number_id, "b_phone": item.phone, "b_at": item.at}
        done += db.execute(stmt, {**params, "b_source": f"keyword:{item.keyword}"}).rowcount or 0
    return done
