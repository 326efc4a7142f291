# PLACEHOLDER (owner: h9b) — where a workspace's labelled replies are kept until h9b's custom
# intents store lands (the lead takes h9b's models at merge).
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, IdMixin, IdType, utcnow
from app.core.types import UTCDateTime


class IntentExample(IdMixin, Base):
    """One labelled reply of a workspace: training data for its own classifier."""

    __tablename__ = "intent_examples"

    workspace_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("workspaces.id", ondelete="CASCADE"), index=True, nullable=False
    )
    text: Mapped[str] = mapped_column(Text, nullable=False)
    intent: Mapped[str] = mapped_column(String(32), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
