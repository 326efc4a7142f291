"""Imports every domain's models so the metadata (and Alembic) sees all tables."""

from app.ai.models import RiskAssessment
from app.analytics.models import DailyReport
from app.campaigns.models import Campaign, DripStep, Enrollment
from app.contacts.models import Contact
from app.core.db import Base
from app.messaging.models import Message, MessageEvent, Template, WebhookEvent
from app.senders.models import SenderNumber
from app.workspaces.models import ApiKey, Workspace

__all__ = [
    "ApiKey",
    "Base",
    "Campaign",
    "Contact",
    "DailyReport",
    "DripStep",
    "Enrollment",
    "Message",
    "MessageEvent",
    "RiskAssessment",
    "SenderNumber",
    "Template",
    "WebhookEvent",
    "Workspace",
]
