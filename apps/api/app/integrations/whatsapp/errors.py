"""Cloud API error classification (SPEC §5): what the sending engine must do about a failure.

Meta's error-code reference is the authority; the table below follows SPEC §5 for the codes it
names and picks a category for the other documented codes (see docs/whatsapp.md). A code not in
the table falls back on the HTTP status: 5xx/429 → retry, other 4xx → permanent. A 5xx without a
Graph error code (an HTML 502/504 page from a proxy or edge) is ambiguous: the request may have
reached Meta and been accepted before the edge gave up, so it is never resent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Any

from app.core.db import utcnow
from app.core.errors import AppError, ValidationFailed
from app.integrations.whatsapp.base import ErrorCategory, WhatsAppError

RETRY = ErrorCategory.RETRY
RECIPIENT_RATE = ErrorCategory.RECIPIENT_RATE
MARKETING_LIMIT = ErrorCategory.MARKETING_LIMIT
PERMANENT = ErrorCategory.PERMANENT
SENDER_BLOCKED = ErrorCategory.SENDER_BLOCKED
AMBIGUOUS = ErrorCategory.AMBIGUOUS

# code -> (category, Meta's title). Ranges (132xxx, 133xxx, 200-299) are handled in classify().
CODES: dict[int, tuple[ErrorCategory, str]] = {
    # Authorization: every send from this number fails until the token/permission is fixed.
    0: (SENDER_BLOCKED, "AuthException"),
    3: (SENDER_BLOCKED, "API method (capability or permissions issue)"),
    10: (SENDER_BLOCKED, "Permission denied"),
    190: (SENDER_BLOCKED, "Access token has expired"),
    # Throttling: nothing was sent.
    4: (RETRY, "API too many calls"),
    80007: (RETRY, "Rate limit issues"),
    130429: (RETRY, "Rate limit hit (throughput)"),
    131056: (RECIPIENT_RATE, "(Business Account, Consumer Account) pair rate limit hit"),
    131048: (SENDER_BLOCKED, "Spam rate limit hit"),
    # Integrity: the number/account is restricted.
    368: (SENDER_BLOCKED, "Temporarily blocked for policies violations"),
    130497: (SENDER_BLOCKED, "Business account is restricted from messaging users in this country"),
    131031: (SENDER_BLOCKED, "Account has been locked"),
    # Other Cloud API errors.
    1: (RETRY, "API unknown (invalid request or possible server error)"),
    2: (RETRY, "API service (temporary downtime or overload)"),
    33: (SENDER_BLOCKED, "Parameter value is not valid (business phone number deleted)"),
    100: (PERMANENT, "Invalid parameter"),
    130472: (PERMANENT, "User's number is part of an experiment"),
    131000: (RETRY, "Something went wrong"),
    131005: (SENDER_BLOCKED, "Access denied"),
    131008: (PERMANENT, "Required parameter is missing"),
    131009: (PERMANENT, "Parameter value is not valid"),
    131016: (RETRY, "Service unavailable"),
    131021: (PERMANENT, "Recipient cannot be sender"),
    131026: (PERMANENT, "Message undeliverable"),
    131037: (SENDER_BLOCKED, "WhatsApp provided number needs display name approval"),
    131042: (SENDER_BLOCKED, "Business eligibility payment issue"),
    131045: (SENDER_BLOCKED, "Incorrect certificate (phone number not registered)"),
    131047: (PERMANENT, "Re-engagement message (outside the 24-hour window)"),
    131049: (MARKETING_LIMIT, "Meta chose not to deliver (per-user marketing limit)"),
    131050: (PERMANENT, "User stopped marketing messages"),
    131051: (PERMANENT, "Unsupported message type"),
    131052: (PERMANENT, "Media download error"),
    131053: (PERMANENT, "Media upload error"),
    131055: (PERMANENT, "Method not allowed"),
    131057: (RETRY, "Account in maintenance mode"),
    131064: (PERMANENT, "Message not sent (permanent for this message)"),
    133004: (RETRY, "Server temporarily unavailable"),
    135000: (PERMANENT, "Generic user error"),
}

MARKETING_OPT_OUT_CODES = frozenset({131050})

# (code, error_subcode) pairs that mean something else than the code alone, with what the
# user must do. 100/33: every request names an object the token cannot see — a wrong phone
# number ID, or a token without access to it — so every message would fail one by one.
SUBCODES: dict[tuple[int, int], tuple[ErrorCategory, str]] = {
    (100, 33): (
        SENDER_BLOCKED,
        "the phone number ID does not exist or this access token has no permission on it: "
        "check the number's phone_number_id and give the token whatsapp_business_messaging "
        "on its WhatsApp Business Account, then resume the number",
    ),
}
# What the user must do when a sender-level code stops the number.
HINTS: dict[int, str] = {
    190: "the access token expired or was revoked: store a new token, then resume the number",
}


def hint_for(code: int | None, subcode: int | None = None) -> str | None:
    """The fix to show with a sender-stopping error, when we know one."""
    if code is not None and subcode is not None and (code, subcode) in SUBCODES:
        return SUBCODES[(code, subcode)][1]
    return HINTS.get(code) if code is not None else None


def classify(
    code: int | None, http_status: int | None, subcode: int | None = None
) -> ErrorCategory:
    """Category for a Cloud API error code, falling back on the HTTP status.

    `code=None, http_status=None` means the request never got an answer because the connection
    was refused: nothing was sent, so it is retryable. `code=None` with a 5xx means no Graph
    error says nothing was sent (SPEC §5 retries only "HTTP 5xx with an error body"): ambiguous.
    """
    if code is not None:
        if subcode is not None and (code, subcode) in SUBCODES:
            return SUBCODES[(code, subcode)][0]
        if code in CODES:
            return CODES[code][0]
        if 132000 <= code <= 132999:  # template errors: wrong params, paused, disabled …
            return PERMANENT
        if 133000 <= code <= 133999:  # registration: the number cannot send until re-registered
            return SENDER_BLOCKED
        if 200 <= code <= 299:  # API permission
            return SENDER_BLOCKED
    if http_status is None:
        return RETRY
    if http_status >= 500:
        return RETRY if code is not None else AMBIGUOUS
    if http_status == 429:
        return RETRY
    return PERMANENT


def title_for(code: int | None) -> str | None:
    if code is None:
        return None
    if code in CODES:
        return CODES[code][1]
    if 132000 <= code <= 132999:
        return "Template error"
    if 133000 <= code <= 133999:
        return "Registration error"
    return None


def parse_retry_after(value: str | None) -> float | None:
    """`Retry-After` is delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - utcnow()).total_seconds())


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    value = headers.get(name)
    if value is None:  # plain dicts are case-sensitive; aiohttp/httpx headers are not
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def error_from_response(
    http_status: int, body_bytes: bytes, headers: Mapping[str, str] | None = None
) -> WhatsAppError:
    """Build the classified error for a non-2xx Graph API answer.

    A body that is not a Graph error object (malformed JSON, an HTML proxy page) still gives an
    error: 5xx → ambiguous (never resent), 429 → retry, other 4xx → permanent, with the raw
    text kept in `details["raw"]`.
    """
    retry_after = parse_retry_after(_header(headers, "Retry-After"))
    try:
        payload = json.loads(body_bytes) if body_bytes else None
    except (ValueError, UnicodeDecodeError):
        payload = None
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        raw = body_bytes.decode("utf-8", "replace")[:2000]
        return WhatsAppError(
            message=f"HTTP {http_status} without a Graph API error body",
            code=None,
            http_status=http_status,
            category=classify(None, http_status),
            retry_after=retry_after,
            details={"raw": raw},
        )

    code = _as_int(error.get("code"))
    error_data = error.get("error_data") if isinstance(error.get("error_data"), dict) else {}
    details: dict[str, Any] = {
        "type": error.get("type"),
        "title": error.get("error_user_title") or title_for(code),
        "details": error_data.get("details"),
        "fbtrace_id": error.get("fbtrace_id"),
    }
    subcode = _as_int(error.get("error_subcode"))
    if error.get("error_subcode") is not None:
        details["error_subcode"] = error.get("error_subcode")
    hint = hint_for(code, subcode)
    if hint is not None:
        details["hint"] = hint
    if code in MARKETING_OPT_OUT_CODES:
        details["marketing_opt_out"] = True
    message = str(error.get("message") or f"Cloud API error {code}")
    return WhatsAppError(
        message=message,
        code=code,
        http_status=http_status,
        category=classify(code, http_status, subcode),
        retry_after=retry_after,
        details={k: v for k, v in details.items() if v is not None},
    )


def connection_refused(exc: BaseException) -> WhatsAppError:
    """The request never left (refused, DNS failure, connect timeout): safe to retry."""
    return WhatsAppError(
        message=f"connection failed before sending: {exc!r}",
        category=RETRY,
        details={"exception": type(exc).__name__},
    )


def ambiguous(exc: BaseException) -> WhatsAppError:
    """The request may have reached Meta (timeout or drop after writing): never resend."""
    return WhatsAppError(
        message=f"no usable answer after the request was sent: {exc!r}",
        category=AMBIGUOUS,
        details={"exception": type(exc).__name__},
    )


def as_app_error(exc: WhatsAppError, *, action: str, field: str) -> AppError:
    """A Graph failure of an explicit API action (template sync, media upload) in our error
    shape: credentials Meta rejects are the caller's to fix (422 on `access_token`), a request
    Meta refuses is a 422 on `field`, anything else a 502."""
    if exc.category is ErrorCategory.SENDER_BLOCKED:
        return ValidationFailed(
            f"Cloud API rejected the sender's credentials: {exc.message}",
            field="access_token",
            graph_code=exc.code,
        )
    if exc.category is ErrorCategory.PERMANENT and exc.http_status and exc.http_status < 500:
        return ValidationFailed(
            f"Cloud API refused the {action}: {exc.message}", field=field, graph_code=exc.code
        )
    return AppError(
        f"Cloud API {action} failed: {exc.message}",
        code="whatsapp_api_error",
        status_code=502,
        errors=[{"field": field, "message": exc.message, "graph_code": exc.code}],
    )
