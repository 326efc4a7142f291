"""The three Celery queues (SPEC §3)."""

from enum import StrEnum


class Queue(StrEnum):
    CAMPAIGNS = "campaigns"
    MESSAGES = "messages"
    ANALYTICS = "analytics"
