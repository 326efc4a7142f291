"""WhatsApp providers: the Cloud API client and the offline sandbox, behind one interface."""

from app.integrations.whatsapp.base import (
    ErrorCategory,
    SenderCredentials,
    WhatsAppError,
    WhatsAppProvider,
)
from app.integrations.whatsapp.factory import get_provider

__all__ = [
    "ErrorCategory",
    "SenderCredentials",
    "WhatsAppError",
    "WhatsAppProvider",
    "get_provider",
]
