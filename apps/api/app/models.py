"""Imports every domain's models so the metadata (and Alembic) sees all tables."""

from app.ai.custom_intents.models import IntentExample, WorkspaceIntentModel
from app.ai.models import RiskAssessment
from app.analytics.models import DailyReport
from app.campaigns.models import Campaign, DripStep, Enrollment
from app.contacts.models import Contact, Suppression
from app.core.db import Base
from app.inbound.models import WebhookEvent
from app.media.models import MediaAsset
from app.messaging.models import Message, MessageEvent
from app.replies.models import AutoResponseRule, ReplySettings, ReviewItem
from app.senders.models import SenderNumber
from app.templates.models import Template
from app.workspaces.models import ApiKey, Workspace

__all__ = [
    "ApiKey",
    "AutoResponseRule",
    "Base",
    "Campaign",
    "Contact",
    "DailyReport",
    "DripStep",
    "Enrollment",
    "IntentExample",
    "MediaAsset",
    "Message",
    "MessageEvent",
    "ReplySettings",
    "ReviewItem",
    "RiskAssessment",
    "SenderNumber",
    "Suppression",
    "Template",
    "WebhookEvent",
    "Workspace",
    "WorkspaceIntentModel",
]
