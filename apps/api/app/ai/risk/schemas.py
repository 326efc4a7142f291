"""Request and response bodies of `POST /api/v1/ai/ban-risk` (both seed forms)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, model_validator

from app.ai.common import MessageText
from app.core.enums import RiskLevel
from app.core.schemas import DbId, RequestModel


class BanRiskRequest(RequestModel):
    """Either `message` (content risk) or `phone_number_id` (+ `hours`, pattern risk)."""

    message: MessageText | None = None
    phone_number_id: DbId | None = Field(
        default=None, description="Our sender number id (GET /phone-numbers)."
    )
    hours: int = Field(default=24, ge=1, le=24 * 30)

    @model_validator(mode="after")
    def _one_form(self) -> BanRiskRequest:
        if (self.message is None) == (self.phone_number_id is None):
            raise ValueError("give either message or phone_number_id")
        return self


class RiskReport(BaseModel):
    risk_score: int = Field(ge=0, le=100)
    risk_level: RiskLevel
    factors: list[str]
    recommendations: list[str]
    metrics: dict[str, Any]
    scope: str = Field(description="message | number")
    provider: str = "local"
