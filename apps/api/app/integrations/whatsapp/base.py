"""The WhatsApp provider interface the rest of the code sends through.

Two implementations: `cloud_api` (real HTTP to Meta's Graph API) and `sandbox` (a built-in
simulator that answers like the Cloud API and emits signed webhooks through the same ingestion
path). Domain code never imports either directly; it calls `get_provider()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol


@dataclass(frozen=True)
class SenderCredentials:
    """What a provider needs to send from one number. The token is already decrypted."""

    phone_number_id: str
    access_token: str | None = None
    waba_id: str | None = None


MEDIA_KINDS = ("image", "video", "document")
MAX_CAPTION = 1024  # Meta's limit for a media caption


class ErrorCategory(StrEnum):
    """What the caller must do about a failed send (SPEC §5)."""

    RETRY = "retry"  # nothing was sent; retry later with backoff
    RECIPIENT_RATE = "recipient_rate"  # 131056: retry this recipient only, later
    MARKETING_LIMIT = "marketing_limit"  # 131049: defer a day, up to 7 days
    AMBIGUOUS = "ambiguous"  # request may have reached Meta: mark unknown, never resend
    PERMANENT = "permanent"  # this message can never be sent
    SENDER_BLOCKED = "sender_blocked"  # stop the number and pause its campaigns


@dataclass
class WhatsAppError(Exception):
    """A failed provider call, classified by Cloud API error code."""

    message: str
    code: int | None = None
    http_status: int | None = None
    category: ErrorCategory = ErrorCategory.PERMANENT
    retry_after: float | None = None  # seconds, from Retry-After when Meta sent one
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    @property
    def retryable(self) -> bool:
        return self.category in (
            ErrorCategory.RETRY,
            ErrorCategory.RECIPIENT_RATE,
            ErrorCategory.MARKETING_LIMIT,
        )


class WhatsAppProvider(Protocol):
    name: str

    async def send_text(
        self,
        *,
        sender: SenderCredentials,
        to: str,
        body: str,
        callback_data: str,
        preview_url: bool = False,
    ) -> str:
        """Send free-form text; returns the provider message id (`wamid.…`)."""
        ...

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
        """Send an approved template message; returns the `wamid`."""
        ...

    async def send_media(
        self,
        *,
        sender: SenderCredentials,
        to: str,
        kind: str,
        media: dict[str, Any],
        callback_data: str,
    ) -> str:
        """Send an image, video or document (`media`: `id` or `link`, optional `caption`,
        documents a `filename`); returns the `wamid`. Free-form: the 24 h window applies."""
        ...

    async def upload_media(
        self, *, sender: SenderCredentials, data: bytes, mime_type: str, filename: str
    ) -> str:
        """Upload a file for this number (`POST /{phone_number_id}/media`); returns the media
        id Meta keeps for 30 days, usable in any message from the same number."""
        ...

    async def mark_read(self, *, sender: SenderCredentials, wamid: str) -> None: ...

    async def aclose(self) -> None: ...
