from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.core.enums import KeyRole
from app.core.schemas import RequestModel


class WorkspaceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    timezone: str
    created_at: datetime


def _valid_zone(value: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("unknown IANA time zone (e.g. Europe/Berlin, Asia/Kolkata)") from exc
    return value


class WorkspaceUpdate(RequestModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    timezone: Annotated[str, AfterValidator(_valid_zone)] | None = Field(
        default=None, max_length=64, description="IANA time zone the analytics days use"
    )


class ApiKeyCreate(RequestModel):
    name: str = Field(default="default", min_length=1, max_length=200)
    role: KeyRole = Field(
        default=KeyRole.ADMIN,
        description="admin: everything; send: contacts, templates, campaigns (not API keys or "
        "sender numbers); read: GET only.",
    )


class ApiKeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    role: KeyRole
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyIssued(ApiKeyOut):
    api_key: str = Field(description="The secret. Shown only in this response; store it now.")
