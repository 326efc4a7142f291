"""Proof that a `cloud_api` sender's access token can read its phone number at Meta.

Webhooks are routed by `phone_number_id`, so registering an id is a claim on that number's
inbound traffic. Before a `cloud_api` number is registered (or its id, provider or token
changes), its token must read the number through the Graph API:
`GET /{phone_number_id}?fields=id,display_phone_number,verified_name,quality_rating`.
Sandbox senders have no Meta counterpart and are not checked.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import orjson

from app.core.errors import AppError, ValidationFailed
from app.integrations.whatsapp.base import ErrorCategory, WhatsAppError
from app.integrations.whatsapp.cloud_api import CloudApiProvider

log = logging.getLogger(__name__)

FIELDS = "id,display_phone_number,verified_name,quality_rating"
UNREACHABLE = "Could not verify the phone number with the Cloud API now; try again later"


@dataclass(frozen=True)
class VerifiedNumber:
    phone_number_id: str
    display_phone_number: str | None
    verified_name: str | None
    quality_rating: str | None


async def _read_number(phone_number_id: str, token: str) -> dict[str, Any]:
    provider = CloudApiProvider()
    try:
        _, body = await provider.request(
            "GET", phone_number_id, token=token, params={"fields": FIELDS}
        )
    finally:
        await provider.aclose()
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        log.warning("phone number lookup answered a non-object: %r", body[:200])
        raise AppError(UNREACHABLE, code="whatsapp_api_error", status_code=502)
    return data


def _refusal(exc: WhatsAppError, phone_number_id: str) -> AppError:
    # 100 with subcode 33 ("object does not exist or missing permissions") stops a sending
    # number, but at registration it means exactly: this token cannot read this id.
    unreadable = exc.code == 100 and (exc.details or {}).get("error_subcode") == 33
    if not unreadable and (
        exc.category is ErrorCategory.SENDER_BLOCKED or exc.http_status in (401, 403)
    ):
        return ValidationFailed(
            "The Cloud API refused this access token "
            f"(Graph error {exc.code}); it cannot be used for phone number {phone_number_id}",
            field="access_token",
            graph_code=exc.code,
        )
    if exc.http_status is not None and 400 <= exc.http_status < 500 and exc.http_status != 429:
        return ValidationFailed(
            f"This access token cannot read phone number id {phone_number_id} at Meta "
            f"(Graph error {exc.code}): register a number your WhatsApp Business Account owns",
            field="phone_number_id",
            graph_code=exc.code,
        )
    log.warning("phone number verification failed upstream: %s", exc.message)
    return AppError(UNREACHABLE, code="whatsapp_api_error", status_code=502)


def verify_phone_number(*, phone_number_id: str, token: str | None) -> VerifiedNumber:
    """Raise 422 unless `token` reads `phone_number_id` at Meta; 502 when Meta cannot be asked.

    Sync on purpose: called from sync route handlers, which run in a worker thread (no event
    loop there), so it runs the aiohttp client on a loop of its own.
    """
    if not token:
        raise ValidationFailed(
            "A cloud_api sender needs an access_token that can read its phone number",
            field="access_token",
        )
    try:
        data = asyncio.run(_read_number(phone_number_id, token))
    except WhatsAppError as exc:
        raise _refusal(exc, phone_number_id) from exc
    if str(data.get("id", "")) != phone_number_id:
        raise ValidationFailed(
            f"The Cloud API answered for another phone number id than {phone_number_id}",
            field="phone_number_id",
        )
    return VerifiedNumber(
        phone_number_id=phone_number_id,
        display_phone_number=data.get("display_phone_number"),
        verified_name=data.get("verified_name"),
        quality_rating=data.get("quality_rating"),
    )
