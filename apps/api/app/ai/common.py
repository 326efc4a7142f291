"""What the AI routes share: the message-text field type and the feature toggles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends
from pydantic import AfterValidator, Field

from app.core.config import settings
from app.core.errors import FeatureDisabled

MAX_TEXT = 4096  # WhatsApp's limit for a text message body


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


MessageText = Annotated[str, Field(min_length=1, max_length=MAX_TEXT), AfterValidator(_not_blank)]


def requires(setting: str, feature: str) -> dict[str, Any]:
    """Route options for a feature behind an `AI_*_ENABLED` toggle: off → 409."""

    def check() -> None:
        if not getattr(settings, setting):
            raise FeatureDisabled(feature, setting)

    check_dep: Callable[[], None] = check
    return {
        "dependencies": [Depends(check_dep)],
        "responses": {409: {"description": f"{feature} is disabled ({setting}=false)"}},
    }
