"""Tolerant parser for WhatsApp Cloud API `messages` webhooks.

Meta batches: one delivery may hold several entries, each with several changes, each with several
statuses and messages. Every one of them is walked (libraries that read only `entry[0]` lose
events). Valid-but-unusual shapes never raise: an unknown message type is returned with its raw
content, unknown keys are kept in `extra`, and anything that cannot be read is collected in
`ParsedBatch.unknown` so it is stored rather than dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

STATUS_KNOWN_KEYS = frozenset(
    {
        "id",
        "status",
        "timestamp",
        "recipient_id",
        "biz_opaque_callback_data",
        "errors",
        "conversation",
        "pricing",
    }
)
MESSAGE_KNOWN_KEYS = frozenset({"id", "from", "timestamp", "type", "context"})
TEMPLATE_STATUS = "message_template_status_update"
TEMPLATE_QUALITY = "message_template_quality_update"
NUMBER_QUALITY = "phone_number_quality_update"


@dataclass(frozen=True)
class Channel:
    """Which business number a change belongs to (routes it to a workspace)."""

    phone_number_id: str | None
    display_phone_number: str | None


@dataclass
class StatusUpdate:
    """One entry of `value.statuses[]`: the fate of a message we sent."""

    channel: Channel
    wamid: str
    status: str
    timestamp: datetime | None
    recipient_id: str | None = None
    biz_opaque_callback_data: str | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    conversation: dict[str, Any] | None = None
    pricing: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def error_codes(self) -> list[int]:
        return [c for c in (_int(e.get("code")) for e in self.errors) if c is not None]


@dataclass
class InboundMessage:
    """One entry of `value.messages[]`: something a WhatsApp user sent us."""

    channel: Channel
    wamid: str
    from_: str
    timestamp: datetime | None
    type: str
    content: dict[str, Any]
    context_id: str | None = None
    context: dict[str, Any] | None = None
    profile_name: str | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str | None:
        """The human-readable text of the message: body, caption, button text or reply title."""
        c = self.content
        if self.type == "text":
            return _str(c.get("body"))
        if self.type == "button":
            return _str(c.get("text")) or _str(c.get("payload"))
        if self.type == "interactive":
            for key in ("button_reply", "list_reply"):
                reply = c.get(key)
                if isinstance(reply, dict):
                    return _str(reply.get("title"))
            nfm = c.get("nfm_reply")
            return _str(nfm.get("body")) if isinstance(nfm, dict) else None
        if self.type in ("image", "video", "document"):
            return _str(c.get("caption"))
        if self.type == "reaction":
            return _str(c.get("emoji"))
        if self.type == "location":
            return _str(c.get("name")) or _str(c.get("address"))
        if self.type in ("order", "system"):
            return _str(c.get("text")) or _str(c.get("body"))
        return None

    @property
    def button_payload(self) -> str | None:
        """What a tapped button carries: a template quick reply's payload (`button.payload`,
        the one we sent, else the button text), or an interactive reply button's id."""
        if self.type == "button":
            return _str(self.content.get("payload")) or _str(self.content.get("text"))
        reply = self.content.get("button_reply") if self.type == "interactive" else None
        return _str(reply.get("id")) if isinstance(reply, dict) else None

    @property
    def reacted_to(self) -> str | None:
        return _str(self.content.get("message_id")) if self.type == "reaction" else None


@dataclass
class AccountUpdate:
    """A WhatsApp Business Account change: a template's status or quality, or a number's
    quality/messaging limit. `waba_id` is the entry id; `at` the entry's `time`."""

    kind: str  # TEMPLATE_STATUS | TEMPLATE_QUALITY | NUMBER_QUALITY
    waba_id: str | None
    at: datetime | None
    value: dict[str, Any]


@dataclass
class ParsedBatch:
    statuses: list[StatusUpdate] = field(default_factory=list)
    messages: list[InboundMessage] = field(default_factory=list)
    account_updates: list[AccountUpdate] = field(default_factory=list)
    unknown: list[dict[str, Any]] = field(default_factory=list)  # changes/items we can't read

    @property
    def phone_number_ids(self) -> list[str]:
        seen: dict[str, None] = {}
        for item in (*self.statuses, *self.messages):
            if item.channel.phone_number_id:
                seen.setdefault(item.channel.phone_number_id)
        return list(seen)


def _str(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value)
    return text if text else None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _list_of_dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def parse_timestamp(value: Any) -> datetime | None:
    """Meta sends unix seconds as a string; tolerate ints, floats and milliseconds."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if number > 1e11:  # milliseconds
        number /= 1000
    try:
        return datetime.fromtimestamp(number, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def is_envelope(payload: Any) -> bool:
    """The minimal shape of a Meta webhook: an object with `object` and a list `entry`."""
    return (
        isinstance(payload, dict) and "object" in payload and isinstance(payload.get("entry"), list)
    )


def iter_changes(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """Every change of every entry, in order."""
    changes: list[dict[str, Any]] = []
    for entry in _list_of_dicts(payload.get("entry")):
        changes.extend(_list_of_dicts(entry.get("changes")))
    return changes


def account_kind(change: dict[str, Any]) -> str | None:
    """Which account update a change is, by its content (Meta's own example of a quality
    update carries `field: message_template_status_update`), or None."""
    value = change.get("value")
    if not isinstance(value, dict):
        return None
    if value.get("message_template_id") is not None or value.get("message_template_name"):
        if value.get("new_quality_score"):
            return TEMPLATE_QUALITY
        return TEMPLATE_STATUS if value.get("event") else None
    if change.get("field") == NUMBER_QUALITY and value.get("display_phone_number"):
        return NUMBER_QUALITY
    return None


def classify(payload: dict[str, Any]) -> str:
    """`statuses`, `messages`, `mixed`, `account` or `other`, without building records."""
    has_status = has_message = has_account = False
    for change in iter_changes(payload):
        value = change.get("value")
        if isinstance(value, dict):
            has_status = has_status or bool(value.get("statuses"))
            has_message = has_message or bool(value.get("messages"))
            has_account = has_account or account_kind(change) is not None
    if has_status and has_message:
        return "mixed"
    if has_status or has_message:
        return "statuses" if has_status else "messages"
    return "account" if has_account else "other"


def first_phone_number_id(payload: dict[str, Any]) -> str | None:
    for change in iter_changes(payload):
        value = change.get("value")
        meta = value.get("metadata") if isinstance(value, dict) else None
        if isinstance(meta, dict) and meta.get("phone_number_id") is not None:
            return str(meta["phone_number_id"])
    return None


def _parse_status(item: dict[str, Any], channel: Channel) -> StatusUpdate | None:
    wamid, status = _str(item.get("id")), _str(item.get("status"))
    if not wamid or not status:
        return None
    conversation, pricing = item.get("conversation"), item.get("pricing")
    return StatusUpdate(
        channel=channel,
        wamid=wamid,
        status=status.lower(),
        timestamp=parse_timestamp(item.get("timestamp")),
        recipient_id=_str(item.get("recipient_id")),
        biz_opaque_callback_data=_str(item.get("biz_opaque_callback_data")),
        errors=_list_of_dicts(item.get("errors")),
        conversation=conversation if isinstance(conversation, dict) else None,
        pricing=pricing if isinstance(pricing, dict) else None,
        extra={k: v for k, v in item.items() if k not in STATUS_KNOWN_KEYS},
    )


def _parse_message(
    item: dict[str, Any], channel: Channel, names: dict[str, str]
) -> InboundMessage | None:
    wamid, sender = _str(item.get("id")), _str(item.get("from"))
    if not wamid or not sender:
        return None
    mtype = _str(item.get("type")) or "unknown"
    content = item.get(mtype)
    if isinstance(content, list):
        content = {mtype: content}  # `contacts` is a list of contact cards
    elif not isinstance(content, dict):
        content = {"value": content} if content is not None else {}
    context = item.get("context") if isinstance(item.get("context"), dict) else None
    return InboundMessage(
        channel=channel,
        wamid=wamid,
        from_=sender,
        timestamp=parse_timestamp(item.get("timestamp")),
        type=mtype,
        content=content,
        context_id=_str(context.get("id")) if context else None,
        context=context,
        profile_name=names.get(sender),
        errors=_list_of_dicts(item.get("errors")),
        extra={k: v for k, v in item.items() if k not in MESSAGE_KNOWN_KEYS and k != mtype},
        raw=item,
    )


def _profile_names(value: dict[str, Any]) -> dict[str, str]:
    names: dict[str, str] = {}
    for contact in _list_of_dicts(value.get("contacts")):
        profile = contact.get("profile")
        name = _str(profile.get("name")) if isinstance(profile, dict) else None
        wa_id = _str(contact.get("wa_id"))
        if wa_id and name:
            names[wa_id] = name
    return names


def parse_webhook(payload: Any) -> ParsedBatch:
    """Every status and message of a delivery as typed records. Never raises."""
    batch = ParsedBatch()
    if not isinstance(payload, dict):
        batch.unknown.append({"payload": payload})
        return batch
    for entry in _list_of_dicts(payload.get("entry")):
        for change in _list_of_dicts(entry.get("changes")):
            _parse_change(batch, entry, change)
    return batch


def _parse_change(batch: ParsedBatch, entry: dict[str, Any], change: dict[str, Any]) -> None:
    value = change.get("value")
    if not isinstance(value, dict):
        batch.unknown.append(change)
        return
    kind = account_kind(change)
    if kind is not None:
        waba = _str(entry.get("id"))
        at = parse_timestamp(entry.get("time"))
        batch.account_updates.append(AccountUpdate(kind, waba, at, value))
        return
    meta = value.get("metadata") if isinstance(value.get("metadata"), dict) else {}
    channel = Channel(
        phone_number_id=_str(meta.get("phone_number_id")),
        display_phone_number=_str(meta.get("display_phone_number")),
    )
    names = _profile_names(value)
    for item in _list_of_dicts(value.get("statuses")):
        status = _parse_status(item, channel)
        if status:
            batch.statuses.append(status)
        else:
            batch.unknown.append(item)
    for item in _list_of_dicts(value.get("messages")):
        message = _parse_message(item, channel, names)
        if message:
            batch.messages.append(message)
        else:
            batch.unknown.append(item)
    if not value.get("statuses") and not value.get("messages"):
        batch.unknown.append(change)  # other fields (errors, …) are kept
