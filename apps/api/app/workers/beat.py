"""The one beat schedule (SPEC §11). Run exactly one `celery beat`; every task here is safe to
run twice anyway. Each entry `expires` before its next run, so a backlog after an outage does
not replay a pile of stale runs."""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab

from app.core.config import settings
from app.workers.queues import Queue


def _every(seconds: float, task: str, queue: Queue) -> dict[str, Any]:
    return {
        "task": task,
        "schedule": seconds,
        "options": {"queue": queue.value, "expires": max(1.0, seconds * 0.9)},
    }


def _daily_at_2(task: str, queue: Queue) -> dict[str, Any]:
    return {
        "task": task,
        "schedule": crontab(hour=2, minute=0),
        "options": {"queue": queue.value, "expires": 6 * 3600},
    }


def beat_schedule() -> dict[str, dict[str, Any]]:
    lead_minutes = max(1, settings.LEAD_SCORE_UPDATE_MINUTES)
    return {
        "process-scheduled-campaigns": _every(60, "process_scheduled_campaigns", Queue.CAMPAIGNS),
        "reconcile": _every(60, "reconcile", Queue.CAMPAIGNS),
        # Webhook events whose enqueue was lost (broker down) are processed from the table.
        "process-pending-webhooks": _every(
            60, "messaging.process_pending_webhooks", Queue.MESSAGES
        ),
        # Replies the ingesting worker did not classify; variant pools whose task was lost.
        "classify-pending-replies": _every(60, "replies.classify_pending", Queue.MESSAGES),
        "prepare-pending-variants": _every(60, "ai.prepare_pending_variants", Queue.CAMPAIGNS),
        "process-drip-sequences": _every(300, "process_drip_sequences", Queue.CAMPAIGNS),
        "monitor-ban-risks": _every(1800, "monitor_ban_risks", Queue.CAMPAIGNS),
        "update-campaign-analytics": _every(
            max(60, settings.ANALYTICS_REFRESH_SECONDS),
            "update_campaign_analytics",
            Queue.ANALYTICS,
        ),
        "update-lead-scores": _every(lead_minutes * 60, "update_lead_scores", Queue.ANALYTICS),
        # 02:00 in each workspace's own zone: the task writes the reports that are due.
        "generate-daily-report": {
            "task": "generate_daily_report",
            "schedule": crontab(minute="*/15"),
            "options": {"queue": Queue.ANALYTICS.value, "expires": 14 * 60},
        },
        "cleanup-old-messages": _daily_at_2("cleanup_old_messages", Queue.MESSAGES),
    }
