from __future__ import annotations

from pydantic import BaseModel, Field


class Dashboard(BaseModel):
    total_messages_sent: int
    total_messages_received: int
    total_contacts: int
    total_campaigns: int
    active_campaigns: int
    avg_response_rate: float
    today_messages: int
    this_week_messages: int
    auto_messages_sent: int = Field(
        description="Automatic answers sent (auto-responses, opt-out confirmations); included "
        "in total_messages_sent."
    )


class CampaignFigures(BaseModel):
    total_messages: int
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


class CampaignAnalytics(BaseModel):
    campaign_id: int
    campaign_name: str
    status: str
    analytics: CampaignFigures


class TimelinePoint(BaseModel):
    date: str
    sent: int
    delivered: int
    read: int
    failed: int
    received: int


class DailyReportOut(BaseModel):
    report_date: str
    data: dict
