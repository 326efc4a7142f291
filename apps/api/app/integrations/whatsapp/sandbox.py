"""The built-in WhatsApp simulator (SPEC §2.7): works with zero accounts, fully offline.

It accepts sends like the Cloud API (returns `wamid.…` ids) and LATER reports what happened the
way Meta does: signed webhook payloads of the same JSON shape — `sent`, `delivered`, `read`,
sometimes `failed` with real error codes, and sometimes a reply from the contact.

It hands them, as (delay in seconds, payload) pairs, to the webhook sink it was given
(`set_webhook_sink`): this package imports no domain code. app.wiring installs app.inbound's
sink, which feeds them through `receive_webhook`, the same ingestion code a real delivery goes
through, at once or later from a worker (`sandbox.emit_events`), so "later" survives the
sending process. What happens to a message is a pure function of (SANDBOX_SEED, callback_data), so
tests and demos repeat; without a seed it is random.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.core.config import settings
from app.integrations.whatsapp.base import (
    MAX_CAPTION,
    MEDIA_KINDS,
    ErrorCategory,
    SenderCredentials,
    WhatsAppError,
)

REPLIES = (
    "Yes I'm interested",
    "How much does it cost?",
    "Can you send me more details?",
    "Not right now, thanks",
    "Call me tomorrow please",
    "STOP",
)
# Permanent failures Meta reports in a `failed` status webhook (code, title).
TEXT_FAILURES = (
    (131026, "Message undeliverable"),
    (131047, "Re-engagement message"),
)
TEMPLATE_FAILURES = (
    (131026, "Message undeliverable"),
    (
        131050,
        "Unable to deliver the message. This recipient has chosen to stop receiving marketing "
        "messages on WhatsApp from your business",
    ),
)


@dataclass(frozen=True)
class Outcome:
    """What the simulated network and user do with one message."""

    failure: tuple[int, str] | None
    delivered: bool
    read: bool
    reply: str | None


def plan_outcome(seed: int | None, callback_data: str, *, template: bool = False) -> Outcome:
    """Pure function of (seed, callback_data) when seeded. Draws are always made in the same
    order, so changing one rate does not reshuffle the other decisions."""
    rng = random.Random(f"{seed}:{callback_data}") if seed is not None else random.Random()
    fail_draw, read_draw, reply_draw = rng.random(), rng.random(), rng.random()
    failure = rng.choice(TEMPLATE_FAILURES if template else TEXT_FAILURES)
    reply = rng.choice(REPLIES)
    if fail_draw < settings.SANDBOX_FAILURE_RATE:
        return Outcome(failure=failure, delivered=False, read=False, reply=None)
    read = read_draw < settings.SANDBOX_READ_RATE
    replies = read and reply_draw < settings.SANDBOX_REPLY_RATE
    return Outcome(failure=None, delivered=True, read=read, reply=reply if replies else None)


def new_wamid() -> str:
    return "wamid.SBX" + uuid.uuid4().hex.upper()


def _envelope(sender: SenderCredentials, value: dict[str, Any]) -> dict[str, Any]:
    metadata = {
        "display_phone_number": sender.phone_number_id,
        "phone_number_id": sender.phone_number_id,
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": sender.waba_id or "sandbox-waba",
                "changes": [
                    {
                        "value": {"messaging_product": "whatsapp", "metadata": metadata, **value},
                        "field": "messages",
                    }
                ],
            }
        ],
    }


def status_payload(
    *,
    sender: SenderCredentials,
    wamid: str,
    status: str,
    recipient: str,
    callback_data: str,
    at: float,
    error: tuple[int, str] | None = None,
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": wamid,
        "status": status,
        "timestamp": str(int(at)),
        "recipient_id": recipient,
        "biz_opaque_callback_data": callback_data,
    }
    if status in ("sent", "delivered"):
        item["pricing"] = {"billable": True, "pricing_model": "PMP", "category": "marketing"}
    if error is not None:
        code, title = error
        item["errors"] = [
            {"code": code, "title": title, "message": title, "error_data": {"details": title}}
        ]
    return _envelope(sender, {"statuses": [item]})


def reply_payload(
    *,
    sender: SenderCredentials,
    wamid: str,
    recipient: str,
    text: str,
    at: float,
    button: str | None = None,
) -> dict[str, Any]:
    """A reply to `wamid`: text, or — for a template with a quick-reply button — a tap on it,
    which Meta reports as a `button` message carrying the payload we sent."""
    message: dict[str, Any] = {
        "from": recipient,
        "id": "wamid.SBXR" + uuid.uuid4().hex.upper(),
        "timestamp": str(int(at)),
        "type": "text",
        "text": {"body": text},
        "context": {"from": sender.phone_number_id, "id": wamid},
    }
    if button is not None:
        del message["text"]
        message.update(type="button", button={"payload": button, "text": button})
    contact = {"profile": {"name": "Sandbox User"}, "wa_id": recipient}
    return _envelope(sender, {"contacts": [contact], "messages": [message]})


def plan_events(
    *,
    sender: SenderCredentials,
    wamid: str,
    to: str,
    callback_data: str,
    outcome: Outcome,
    start: float,
    step: float,
    quick_reply: str | None = None,
) -> list[tuple[float, dict[str, Any]]]:
    """(delay in seconds, payload) for every webhook the outcome produces, in order."""
    common = {"sender": sender, "wamid": wamid, "recipient": to, "callback_data": callback_data}
    if outcome.failure is not None:
        return [(step, status_payload(**common, status="failed", at=start, error=outcome.failure))]
    statuses = ["sent", "delivered"] + (["read"] if outcome.read else [])
    events = [
        (step * (i + 1), status_payload(**common, status=s, at=start + step * i))
        for i, s in enumerate(statuses)
    ]
    if outcome.reply is not None:
        n = len(events) + 1
        events.append(
            (
                step * n,
                reply_payload(
                    sender=sender,
                    wamid=wamid,
                    recipient=to,
                    text=outcome.reply,
                    at=start + step * n,
                    button=quick_reply,
                ),
            )
        )
    return events


MEDIA_ID_PREFIX = "sbx-media-"
_BUTTON_PARAMS = {"url": "text", "quick_reply": "payload", "copy_code": "coupon_code"}


def _invalid(detail: str, code: int = 131009) -> WhatsAppError:
    """What the Cloud API answers for a request it refuses: a permanent 400."""
    return WhatsAppError(
        f"(#{code}) Parameter value is not valid: {detail}",
        code=code,
        http_status=400,
        category=ErrorCategory.PERMANENT,
        details={"details": detail},
    )


def sandbox_media_id(phone_number_id: str, data: bytes) -> str:
    """The id the sandbox gives an upload: the same file on the same number, the same id."""
    return MEDIA_ID_PREFIX + hashlib.sha256(phone_number_id.encode() + data).hexdigest()[:24]


def check_media(kind: str, media: Any, *, where: str) -> None:
    """The media object of a message or header: an uploaded `id` or an http(s) `link`."""
    if not isinstance(media, dict) or ("id" in media) == ("link" in media):
        raise _invalid(f"{where} needs exactly one of id or link", code=100)
    if "id" in media and not str(media["id"]).startswith(MEDIA_ID_PREFIX):
        raise _invalid(f"{where}.id {media['id']!r} was not uploaded to the sandbox", code=131053)
    if "link" in media and not str(media["link"]).startswith(("https://", "http://")):
        raise _invalid(f"{where}.link must be an http(s) URL", code=100)
    if len(str(media.get("caption") or "")) > MAX_CAPTION:
        raise _invalid(f"{where}.caption is longer than {MAX_CAPTION} characters", code=100)
    if "filename" in media and kind != "document":
        raise _invalid(f"{where}.filename is only for documents", code=100)


def check_components(components: Any) -> None:
    """The shape Meta documents for `template.components` (what the sandbox can check without
    knowing the template): header/body text, media and location parameters, buttons with a
    sub_type, an index 0–9 and the parameter type their sub_type takes."""
    if not isinstance(components, list):
        raise _invalid("template.components must be a list", code=100)
    for i, comp in enumerate(components):
        where = f"components[{i}]"
        kind = comp.get("type") if isinstance(comp, dict) else None
        params = comp.get("parameters") if isinstance(comp, dict) else None
        if kind not in ("header", "body", "button") or not isinstance(params, list) or not params:
            raise _invalid(f"{where} needs a type (header/body/button) and parameters", code=100)
        for param in params:
            ptype = param.get("type") if isinstance(param, dict) else None
            if ptype == "text" and not str(param.get("text") or "").strip():
                raise _invalid(f"{where} has an empty text parameter", code=131008)
            if ptype in MEDIA_KINDS:
                check_media(ptype, param.get(ptype), where=f"{where}.{ptype}")
        if kind == "button":
            sub_type, index = comp.get("sub_type"), str(comp.get("index", ""))
            if sub_type not in _BUTTON_PARAMS or not index.isdigit() or int(index) > 9:
                raise _invalid(f"{where} needs a sub_type and an index 0-9")
            if params[0].get("type") != _BUTTON_PARAMS[sub_type]:
                raise _invalid(f"{where}: a {sub_type} button takes a {_BUTTON_PARAMS[sub_type]}")


WebhookSink = Callable[[list[tuple[float, dict[str, Any]]]], None]
_sink: WebhookSink | None = None


def set_webhook_sink(sink: WebhookSink | None) -> None:
    """Where simulated webhooks go: (delay in seconds, payload) pairs, in order."""
    global _sink
    _sink = sink


def emit(events: list[tuple[float, dict[str, Any]]]) -> None:
    if _sink is None:
        raise RuntimeError("the sandbox has no webhook sink: call app.wiring.wire() at start-up")
    _sink(events)


class SandboxProvider:
    """WhatsAppProvider that simulates the Cloud API and Meta's webhooks."""

    name = "sandbox"

    async def _accept(
        self,
        *,
        sender: SenderCredentials,
        to: str,
        callback_data: str,
        template: bool,
        quick_reply: str | None = None,
    ) -> str:
        if settings.SANDBOX_LATENCY_MS > 0:
            await asyncio.sleep(settings.SANDBOX_LATENCY_MS / 1000)
        recipient = to.strip().lstrip("+")
        if not recipient.isdigit() or not 7 <= len(recipient) <= 15:
            raise WhatsAppError(
                "(#131009) Parameter value is not valid: to",
                code=131009,
                http_status=400,
                category=ErrorCategory.PERMANENT,
            )
        wamid = new_wamid()
        outcome = plan_outcome(settings.SANDBOX_SEED, callback_data, template=template)
        events = plan_events(
            sender=sender,
            wamid=wamid,
            to=recipient,
            callback_data=callback_data,
            outcome=outcome,
            start=time.time(),
            step=max(settings.SANDBOX_STATUS_DELAY_SECONDS, 1.0),
            quick_reply=quick_reply,
        )
        await asyncio.to_thread(emit, events)
        return wamid

    async def send_text(
        self,
        *,
        sender: SenderCredentials,
        to: str,
        body: str,
        callback_data: str,
        preview_url: bool = False,
    ) -> str:
        if not body or not body.strip():
            raise WhatsAppError(
                "(#100) The parameter text['body'] is required.",
                code=100,
                http_status=400,
                category=ErrorCategory.PERMANENT,
            )
        return await self._accept(sender=sender, to=to, callback_data=callback_data, template=False)

    async def send_template(
        self,
        *,
        sender: SenderCredentials,
        to: str,
        name: str,
        language: str,
        components: list[dict[str, Any]],
        callback_data: str,
    ) -> str:
        check_components(components)
        payloads = [
            c["parameters"][0]["payload"]
            for c in components
            if c.get("type") == "button" and c.get("sub_type") == "quick_reply"
        ]
        return await self._accept(
            sender=sender,
            to=to,
            callback_data=callback_data,
            template=True,
            quick_reply=payloads[0] if payloads else None,
        )

    async def send_media(
        self,
        *,
        sender: SenderCredentials,
        to: str,
        kind: str,
        media: dict[str, Any],
        callback_data: str,
    ) -> str:
        if kind not in MEDIA_KINDS:
            raise _invalid(f"type {kind!r} is not image, video or document", code=100)
        check_media(kind, media, where=kind)
        return await self._accept(sender=sender, to=to, callback_data=callback_data, template=False)

    async def upload_media(
        self, *, sender: SenderCredentials, data: bytes, mime_type: str, filename: str
    ) -> str:
        if not data:
            raise _invalid("file is empty", code=100)
        return sandbox_media_id(sender.phone_number_id, data)

    async def mark_read(self, *, sender: SenderCredentials, wamid: str) -> None:
        return None

    async def aclose(self) -> None:
        return None
