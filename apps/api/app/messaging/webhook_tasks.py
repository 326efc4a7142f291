"""Celery tasks for webhook processing (status updates and inbound messages)."""

from __future__ import annotations
