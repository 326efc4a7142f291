from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, IdMixin, IdType, utcnow
from app.core.types import JSONType, UTCDateTime


class RiskAssessment(IdMixin, Base):
    """A ban/quality-risk verdict for a message or a sender number, kept for the audit trail."""

    __tablename__ = "risk_assessments"

    workspace_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("workspaces.id", ondelete="CASCADE"), index=True, nullable=False
    )
    sender_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("sender_numbers.id", ondelete="CASCADE"), index=True
    )
    scope: Mapped[str] = mapped_column(String(20), nullable=False)  # message | number
    risk_score: Mapped[int] = mapped_column(Integer, nullable=False)
    risk_level: Mapped[str] = mapped_column(String(10), nullable=False)
    factors: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    recommendations: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    action_taken: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
