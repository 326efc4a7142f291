"""Response shapes. Seed field names first; what follows them is defined in docs/analytics.md."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from app.core.schemas import RequestModel


class Dashboard(BaseModel):
    total_messages_sent: int = Field(description="Outbound messages WhatsApp accepted (not failed)")
    total_messages_received: int
    total_contacts: int
    total_campaigns: int
    active_campaigns: int
    avg_response_rate: float = Field(
        description="Campaign messages replied ÷ campaign messages attempted, in %"
    )
    today_messages: int = Field(description="Messages sent today (workspace's time zone)")
    this_week_messages: int = Field(description="Messages sent in the last 7 local days")
    today_received: int
    attempted: int
    delivered: int
    read: int
    replied: int
    failed: int
    skipped: int
    pending: int
    unknown: int
    recipients: int
    auto_answered: int
    auto_messages_sent: int = Field(
        description="Automatic answers sent (auto-responses, opt-out confirmations); the same "
        "figure as auto_answered, under the name docs/replies.md uses"
    )
    needs_review: int
    delivery_rate: float
    reach_rate: float
    read_rate: float
    response_rate: float
    skipped_by_reason: dict[str, int]
    failed_by_code: dict[str, int]
    timezone: str
    as_of: datetime | None = Field(description="Figures include every change up to this time")


class CampaignFigures(BaseModel):
    total_messages: int = Field(description="Attempted sends: sent + failed + unknown")
    delivered_count: int
    read_count: int
    replied_count: int
    failed_count: int
    skipped_count: int
    pending_count: int
    response_rate: float
    delivery_rate: float
    read_rate: float
    engagement_score: float
    recipients: int = Field(description="Every outbound row of the campaign, whatever happened")
    sent_count: int
    unknown_count: int
    cancelled_count: int
    reach_rate: float = Field(description="Delivered ÷ recipients, in %")


class FunnelStage(BaseModel):
    stage: str
    count: int
    pct_of_recipients: float
    pct_of_previous: float


class Progress(BaseModel):
    total: int
    pending: int
    done: int
    sent: int
    percent: float


class ReplyTimes(BaseModel):
    replies_timed: int
    p50_within_seconds: int | None
    p90_within_seconds: int | None
    p95_within_seconds: int | None


class CampaignAnalytics(BaseModel):
    campaign_id: int
    campaign_name: str
    status: str
    analytics: CampaignFigures
    funnel: list[FunnelStage]
    skipped_by_reason: dict[str, int]
    failed_by_code: dict[str, int]
    time_to_first_reply: ReplyTimes
    replies_received: int
    progress: Progress
    as_of: datetime | None


class CampaignRow(BaseModel):
    campaign_id: int
    campaign_name: str
    type: str
    status: str
    recipients: int
    analytics: CampaignFigures
    progress: Progress | None


class TimelinePoint(BaseModel):
    date: str
    sent: int
    delivered: int
    read: int
    replied: int
    failed: int
    skipped: int
    received: int


class HotLead(BaseModel):
    contact_id: int
    name: str | None
    phone: str
    lead_score: int | None
    lead_tier: str | None
    last_inbound_at: datetime | None


class DailyReportOut(BaseModel):
    report_date: str
    data: dict[str, Any]


class DailyReportRequest(RequestModel):
    date: dt.date | None = Field(
        default=None, description="Local day to report; default today so far (workspace zone)"
    )
