"""Bodies of `/api/v1/ai/intents`."""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import BaseModel, Field, field_validator

from app.core.schemas import RequestModel

MAX_TEXT = 500  # keeps the (workspace, text) unique index under its 2,704-byte row limit
MAX_PER_REQUEST = 1000
_INTENT = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class ExampleIn(RequestModel):
    text: str = Field(min_length=1, max_length=MAX_TEXT, description="The reply as received")
    intent: str = Field(
        min_length=1, max_length=40, description="Your intent name: a-z, 0-9, _ (e.g. refund)"
    )

    @field_validator("text")
    @classmethod
    def _text(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("must not be blank")
        return value

    @field_validator("intent")
    @classmethod
    def _intent(cls, value: str) -> str:
        value = value.strip().lower()
        if not _INTENT.match(value):
            raise ValueError("must be 1-40 characters a-z, 0-9 or _, starting with a letter")
        return value


class ExamplesIn(RequestModel):
    examples: list[ExampleIn] = Field(min_length=1, max_length=MAX_PER_REQUEST)


class ExamplesAdded(BaseModel):
    added: int
    relabelled: int
    total_examples: int


class IntentStatus(BaseModel):
    has_custom_model: bool
    needs_retraining: bool = Field(
        False,
        description="The stored model was trained by an older release with other features: "
        "classification uses the built-in model until the workspace trains again",
    )
    labels: list[str] = Field(description="Intents of the trained custom model")
    trained_at: datetime | None
    trained_examples: int
    version: int | None
    total_examples: int
    examples_per_intent: dict[str, int]
    ready_to_train: bool
    min_examples_per_intent: int
    builtin_labels: list[str] = Field(description="The built-in model (the fallback)")


class TrainResult(IntentStatus):
    training_seconds: float
