from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, IdMixin, IdType, utcnow
from app.core.types import JSONType, UTCDateTime


class IntentExample(IdMixin, Base):
    """A reply a workspace labelled with one of its own intents. One label per text: labelling
    the same text again relabels it."""

    __tablename__ = "intent_examples"
    __table_args__ = (UniqueConstraint("workspace_id", "text", name="uq_intent_examples_text"),)

    workspace_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("workspaces.id", ondelete="CASCADE"), index=True, nullable=False
    )
    text: Mapped[str] = mapped_column(Text, nullable=False)
    intent: Mapped[str] = mapped_column(String(40), nullable=False)
    source: Mapped[str] = mapped_column(String(20), nullable=False, default="api")  # api | review
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class WorkspaceIntentModel(Base):
    """The workspace's trained classifier: IntentModel.to_bytes() (npz + JSON, no pickle),
    rebuilt from its examples on every train. `version` keys the in-process cache."""

    __tablename__ = "workspace_intent_models"

    workspace_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    model: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    labels: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    n_examples: Mapped[int] = mapped_column(Integer, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    trained_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
