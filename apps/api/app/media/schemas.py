"""Request/response bodies for media: uploads, and the media reference a campaign gives."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Self
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.core.schemas import DbId, RequestModel

MediaKind = Literal["image", "video", "document"]
MAX_LINK = 2000


def https_link(value: str) -> str:
    """Meta fetches a link itself: it must be an absolute https URL with a host."""
    parts = urlsplit(value.strip())
    if parts.scheme.lower() != "https" or not parts.hostname or " " in value.strip():
        raise ValueError("must be an absolute https:// URL")
    return value.strip()


class MediaRef(RequestModel):
    """A file to send: one uploaded with POST /media (`media_id`, our id) or an https `link`."""

    model_config = ConfigDict(extra="forbid")

    media_id: DbId | None = Field(default=None, description="Our id from POST /media.")
    link: str | None = Field(default=None, min_length=9, max_length=MAX_LINK)
    filename: str | None = Field(
        default=None, min_length=1, max_length=240, description="Documents only: shown name."
    )

    @field_validator("link")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        return https_link(value) if value is not None else None

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.media_id is None) == (self.link is None):
            raise ValueError("give exactly one of media_id or link")
        return self


class MediaMessage(MediaRef):
    """A free-form media message: the campaign text (if any) becomes its caption."""

    type: MediaKind


class MediaOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    phone_number_id: int = Field(description="Our sender number id it was uploaded to.")
    kind: MediaKind
    mime_type: str
    filename: str
    size_bytes: int
    sha256: str
    provider_media_id: str
    uploaded_at: datetime
    expires_at: datetime = Field(description="Meta forgets the media id after 30 days.")
    reused: bool = Field(
        default=False, description="True when this number already had the file: no new upload."
    )
