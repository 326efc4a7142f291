"""The checks made just before each send (SPEC §2, §6), on freshly read rows.

Pure: the caller loads the contact (under a share lock), campaign, template category and drip
enrollment state and gets back what to do with the claimed row. Enqueue-time checks are not
enough: consent, the 24 h window and campaign state can all change while a row waits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from app.core.enums import CampaignStatus, EnrollmentState
from app.pacing.quiet_hours import next_allowed

SERVICE_WINDOW = timedelta(hours=24)


class Action(StrEnum):
    SEND = "send"
    SKIP = "skip"  # final: `skipped` with a reason
    DEFER = "defer"  # back to `queued`, due at `until`; not an attempt
    REQUEUE = "requeue"  # back to `queued`, due now (campaign paused meanwhile)
    CANCEL = "cancel"  # final: the campaign was cancelled meanwhile


@dataclass(frozen=True)
class Verdict:
    action: Action
    reason: str | None = None
    until: datetime | None = None


SEND = Verdict(Action.SEND)


def in_service_window(last_inbound_at: datetime | None, now: datetime) -> bool:
    return last_inbound_at is not None and now - last_inbound_at < SERVICE_WINDOW


def check(
    *,
    contact: Any,
    campaign: Any | None,
    is_template: bool,
    template_category: str | None,
    enrollment_state: str | None,
    now: datetime,
    optout_confirmation: bool = False,
) -> Verdict:
    """What to do with one claimed outbound row right now. `optout_confirmation`: the one
    message that confirms an opt-out (app.replies) still reaches the opted-out contact."""
    if contact is None:
        return Verdict(Action.SKIP, "contact_deleted")
    if campaign is not None:
        if campaign.status == CampaignStatus.CANCELLED:
            return Verdict(Action.CANCEL, "campaign_cancelled")
        if campaign.status != CampaignStatus.RUNNING:
            return Verdict(Action.REQUEUE, f"campaign_{campaign.status}")
    if contact.opted_out_at is not None and not (optout_confirmation and campaign is None):
        return Verdict(Action.SKIP, "opted_out")
    if campaign is not None:
        if contact.opted_in_at is None:
            return Verdict(Action.SKIP, "not_opted_in")
        if contact.opt_out_review_at is not None:
            # a probable opt-out waits for a person: sending meanwhile could ignore one
            return Verdict(Action.SKIP, "opt_out_under_review")
        if enrollment_state not in (None, EnrollmentState.ACTIVE, EnrollmentState.COMPLETED):
            return Verdict(Action.SKIP, f"drip_{enrollment_state}")
    if (
        is_template
        and (template_category or "").upper() == "MARKETING"
        and contact.marketing_opted_out_at is not None
    ):
        return Verdict(Action.SKIP, "marketing_opted_out")
    if not is_template and not in_service_window(contact.last_inbound_at, now):
        return Verdict(Action.SKIP, "outside_service_window")
    if campaign is not None:
        until = next_allowed(now=now, timezone=contact.timezone, phone=contact.phone)
        if until is not None:
            return Verdict(Action.DEFER, "quiet_hours", until)
    return SEND
