"""OpenAPI shapes of the webhook endpoint (the route itself writes pre-built bytes for speed)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class WebhookAck(BaseModel):
    """Answer to an accepted delivery: stored (or already stored); processed asynchronously."""

    status: Literal["ok"] = "ok"
