"""The real provider: Meta's WhatsApp Business Cloud API over HTTP (SPEC §2.1).

aiohttp, one pooled `ClientSession` per event loop: on this machine it sustains roughly ten times
the request rate of httpx against the same server (docs/whatsapp.md, docs/benchmarks.md), so the
HTTP client never caps the send path. Celery tasks run `asyncio.run(...)` per batch, so a
provider belongs to the loop that first used it; call `aclose()` before that loop ends.

Ambiguity (SPEC §5): a failure before the request was written (refused, DNS, connect or pool
timeout) is RETRY; a timeout, reset or drop after it was written is AMBIGUOUS and never resent.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

import aiohttp
import orjson

from app.core.config import settings
from app.integrations.whatsapp.base import ErrorCategory, SenderCredentials, WhatsAppError
from app.integrations.whatsapp.errors import ambiguous, connection_refused, error_from_response

log = logging.getLogger(__name__)

_NON_DIGITS = re.compile(r"\D")
MAX_CALLBACK_DATA = 512  # Meta's limit for biz_opaque_callback_data


def recipient_digits(phone: str) -> str:
    """Cloud API `to`: the number in international format, digits only (no '+')."""
    digits = _NON_DIGITS.sub("", phone or "")
    if not digits:
        raise WhatsAppError(
            message=f"recipient {phone!r} has no digits",
            category=ErrorCategory.PERMANENT,
            details={"field": "to"},
        )
    return digits


class CloudApiProvider:
    """`WhatsAppProvider` backed by the Graph API `/{phone_number_id}/messages` endpoint."""

    name = "cloud_api"

    def __init__(
        self,
        *,
        base_url: str | None = None,
        api_version: str | None = None,
        timeout: float | None = None,
        connect_timeout: float | None = None,
        max_connections: int | None = None,
    ) -> None:
        # None means "read settings at call time", so tests can repoint a live provider.
        self._base_url = base_url
        self._api_version = api_version
        self._timeout = timeout
        self._connect_timeout = connect_timeout
        self._max_connections = max_connections
        self._http: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # --- plumbing ----------------------------------------------------------------------
    def url(self, path: str) -> str:
        base = (self._base_url or settings.WHATSAPP_API_BASE_URL).rstrip("/")
        version = self._api_version or settings.WHATSAPP_API_VERSION
        return f"{base}/{version}/{path.lstrip('/')}"

    def _session(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._http is not None and not self._http.closed and self._loop is loop:
            return self._http
        if self._http is not None and not self._http.closed:
            # Used from a new loop without aclose() on the old one: its sockets belong to the
            # dead loop, so start a fresh pool rather than reuse them.
            log.warning("CloudApiProvider reused across event loops; call aclose() per loop")
            self._http.detach()
        total = self._timeout or settings.WHATSAPP_REQUEST_TIMEOUT
        connect = min(self._connect_timeout or settings.WHATSAPP_CONNECT_TIMEOUT, total * 0.9)
        self._http = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(
                limit=self._max_connections or settings.WHATSAPP_MAX_CONNECTIONS,
                limit_per_host=0,
                ttl_dns_cache=300,
            ),
            timeout=aiohttp.ClientTimeout(total=total, connect=connect),
            json_serialize=lambda obj: orjson.dumps(obj).decode(),
            raise_for_status=False,
        )
        self._loop = loop
        return self._http

    async def aclose(self) -> None:
        if self._http is not None and not self._http.closed:
            await self._http.close()
        self._http = None
        self._loop = None

    async def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None,
        json: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        data: aiohttp.FormData | None = None,
    ) -> tuple[int, bytes]:
        """One Graph API call; non-2xx answers raise a classified `WhatsAppError`."""
        if not token:
            raise WhatsAppError(
                message="sender has no Cloud API access token",
                category=ErrorCategory.SENDER_BLOCKED,
                details={"field": "access_token"},
            )
        session = self._session()
        headers = {"Authorization": f"Bearer {token}"}
        try:
            async with session.request(
                method, self.url(path), json=json, params=params, data=data, headers=headers
            ) as resp:
                status = resp.status
                body = await resp.read()
                resp_headers = resp.headers
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
            raise connection_refused(exc) from exc
        except aiohttp.InvalidURL as exc:  # misconfigured base URL: nothing left the process
            raise connection_refused(exc) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise ambiguous(exc) from exc
        if not 200 <= status < 300:
            raise error_from_response(status, body, resp_headers)
        return status, body

    async def _send(self, sender: SenderCredentials, payload: dict[str, Any]) -> str:
        _, body = await self.request(
            "POST", f"{sender.phone_number_id}/messages", token=sender.access_token, json=payload
        )
        try:
            wamid = orjson.loads(body)["messages"][0]["id"]
        except (orjson.JSONDecodeError, KeyError, IndexError, TypeError) as exc:
            # Meta answered 2xx, so the message was probably accepted: never resend it.
            raise WhatsAppError(
                message="2xx answer without messages[0].id",
                http_status=200,
                category=ErrorCategory.AMBIGUOUS,
                details={"raw": body.decode("utf-8", "replace")[:2000]},
            ) from exc
        if not isinstance(wamid, str) or not wamid:
            raise WhatsAppError(
                message="2xx answer with an empty message id",
                http_status=200,
                category=ErrorCategory.AMBIGUOUS,
                details={"raw": body.decode("utf-8", "replace")[:2000]},
            )
        return wamid

    @staticmethod
    def _envelope(to: str, kind: str, callback_data: str) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": recipient_digits(to),
            "type": kind,
        }
        if callback_data:
            payload["biz_opaque_callback_data"] = callback_data[:MAX_CALLBACK_DATA]
        return payload

    # --- WhatsAppProvider --------------------------------------------------------------
    async def send_text(
        self,
        *,
        sender: SenderCredentials,
        to: str,
        body: str,
        callback_data: str,
        preview_url: bool = False,
    ) -> str:
        payload = self._envelope(to, "text", callback_data)
        payload["text"] = {"body": body, "preview_url": preview_url}
        return await self._send(sender, payload)

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
        payload = self._envelope(to, "template", callback_data)
        template: dict[str, Any] = {"name": name, "language": {"code": language}}
        if components:
            template["components"] = components
        payload["template"] = template
        return await self._send(sender, payload)

    async def send_media(
        self,
        *,
        sender: SenderCredentials,
        to: str,
        kind: str,
        media: dict[str, Any],
        callback_data: str,
    ) -> str:
        payload = self._envelope(to, kind, callback_data)
        payload[kind] = media
        return await self._send(sender, payload)

    async def upload_media(
        self, *, sender: SenderCredentials, data: bytes, mime_type: str, filename: str
    ) -> str:
        form = aiohttp.FormData()
        form.add_field("messaging_product", "whatsapp")
        form.add_field("type", mime_type)
        form.add_field("file", data, filename=filename, content_type=mime_type)
        _, body = await self.request(
            "POST", f"{sender.phone_number_id}/media", token=sender.access_token, data=form
        )
        try:
            media_id = orjson.loads(body)["id"]
        except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
            raise WhatsAppError(
                message="media upload answered without an id",
                http_status=200,
                category=ErrorCategory.RETRY,
                details={"raw": body.decode("utf-8", "replace")[:2000]},
            ) from exc
        return str(media_id)

    async def mark_read(self, *, sender: SenderCredentials, wamid: str) -> None:
        payload = {"messaging_product": "whatsapp", "status": "read", "message_id": wamid}
        await self.request(
            "POST", f"{sender.phone_number_id}/messages", token=sender.access_token, json=payload
        )
