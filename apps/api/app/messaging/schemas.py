"""Response bodies of the messages and conversations API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from app.core.enums import MessageStatus

OutboundStatus = Literal[
    "queued", "sending", "sent", "delivered", "read", "failed", "skipped", "cancelled", "unknown"
]
DirectionFilter = Literal["inbound", "outbound"]
assert set(OutboundStatus.__args__) == {str(s) for s in MessageStatus} - {"received"}


class MessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True, populate_by_name=True)

    id: int
    direction: str
    type: str
    status: str
    body: str | None = Field(description="Outbound: the text actually sent (rendered, rewritten).")
    contact_id: int
    campaign_id: int | None
    phone_number_id: int | None = Field(validation_alias="sender_id")
    step_index: int | None
    variant: int | None = Field(description="AI rewrite variant sent; null: the original text.")
    origin: str | None = Field(
        description="Outbound rows not sent by a campaign: auto_response, "
        "optout_confirmation, inbox_reply."
    )
    skip_reason: str | None
    error_code: str | None
    error_detail: str | None
    wamid: str | None
    attempts: int
    in_reply_to_id: int | None
    intent: str | None
    classification: dict[str, Any] | None
    needs_review: bool
    queued_at: datetime | None
    sent_at: datetime | None
    delivered_at: datetime | None
    read_at: datetime | None
    failed_at: datetime | None
    received_at: datetime | None
    replied_at: datetime | None
    created_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def rewritten(self) -> bool:
        return self.variant is not None


class MessageEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    event: str
    occurred_at: datetime
    data: dict[str, Any]


class MessageDetail(MessageOut):
    events: list[MessageEventOut] = Field(description="Timeline, oldest first.")


class MessagePage(BaseModel):
    items: list[MessageOut]
    next_cursor: str | None


class ReplyOut(BaseModel):
    id: int
    body: str | None
    intent: str | None
    received_at: datetime | None


class RecipientMessageOut(BaseModel):
    """One outbound row of a campaign: who, what happened, and what they answered."""

    id: int
    contact_id: int
    contact_name: str | None
    contact_phone: str
    step_index: int | None
    status: str
    skip_reason: str | None
    error_code: str | None
    error_detail: str | None
    variant: int | None
    body: str | None
    sent_at: datetime | None
    delivered_at: datetime | None
    read_at: datetime | None
    failed_at: datetime | None
    replied_at: datetime | None
    reply: ReplyOut | None = Field(description="The first reply linked to this message.")


class RecipientPage(BaseModel):
    items: list[RecipientMessageOut]
    next_cursor: str | None
