from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, IdMixin, IdType, TimestampMixin
from app.core.types import UTCDateTime


class MediaAsset(IdMixin, TimestampMixin, Base):
    """A file uploaded once to one sender number (Meta media ids belong to the number that
    uploaded them and expire after 30 days); campaigns send its `provider_media_id`."""

    __tablename__ = "media_assets"
    __table_args__ = (UniqueConstraint("sender_id", "sha256"),)

    workspace_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("workspaces.id", ondelete="CASCADE"), index=True, nullable=False
    )
    sender_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("sender_numbers.id", ondelete="CASCADE"), nullable=False
    )
    kind: Mapped[str] = mapped_column(String(20), nullable=False)  # image | video | document
    mime_type: Mapped[str] = mapped_column(String(127), nullable=False)
    filename: Mapped[str] = mapped_column(String(240), nullable=False)
    size_bytes: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    provider_media_id: Mapped[str] = mapped_column(String(128), nullable=False)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
