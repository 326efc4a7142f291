"""Pick the WhatsApp provider for a sender (its `provider` column) or for the deployment."""

from __future__ import annotations

from app.core.config import settings
from app.core.errors import ValidationFailed
from app.integrations.whatsapp.base import WhatsAppProvider
from app.integrations.whatsapp.cloud_api import CloudApiProvider
from app.integrations.whatsapp.sandbox import SandboxProvider

PROVIDERS = ("cloud_api", "sandbox")


def get_provider(name: str | None = None) -> WhatsAppProvider:
    """A new provider instance; the caller owns it and calls `aclose()` when its loop ends.

    Not cached: the cloud provider holds a connection pool bound to one event loop, and Celery
    tasks run a fresh loop per batch.
    """
    name = name or settings.WHATSAPP_PROVIDER
    if name == "cloud_api":
        return CloudApiProvider()
    if name == "sandbox":
        return SandboxProvider()
    raise ValidationFailed(
        f"unknown WhatsApp provider {name!r}; expected one of {', '.join(PROVIDERS)}",
        field="provider",
    )
