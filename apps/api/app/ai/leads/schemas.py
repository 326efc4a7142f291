"""Bodies of the lead-scoring routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from app.ai.leads.scoring import LeadScore
from app.core.schemas import DbId, RequestModel


class ScoreLeadRequest(RequestModel):
    contact_id: DbId


class Breakdown(BaseModel):
    engagement: int
    profile: int
    behavior: int
    timing: int


class ExplanationLine(BaseModel):
    category: str
    signal: str
    points: int
    detail: str


class LeadScoreOut(BaseModel):
    contact_id: int
    total_score: int = Field(ge=0, le=100)
    quality_tier: str
    priority: str
    breakdown: Breakdown
    insights: list[str]
    next_actions: list[str]
    explanation: list[ExplanationLine] = Field(
        description="Every point of total_score, by signal (the lines add up to the total)."
    )
    scored_at: datetime
    provider: str = "local"

    @classmethod
    def build(cls, contact_id: int, result: LeadScore, scored_at: datetime) -> LeadScoreOut:
        return cls(
            contact_id=contact_id,
            total_score=result.total_score,
            quality_tier=result.quality_tier,
            priority=result.priority,
            breakdown=Breakdown(**result.breakdown),
            insights=result.insights,
            next_actions=result.next_actions,
            explanation=[ExplanationLine(**x.as_dict()) for x in result.explanation],
            scored_at=scored_at,
        )


class HotLead(BaseModel):
    contact_id: int
    name: str | None
    phone: str
    lead_score: int
    lead_tier: str | None
    lead_scored_at: datetime | None


class RescoreOut(BaseModel):
    rescored: int = Field(description="Contacts whose score or tier changed.")
