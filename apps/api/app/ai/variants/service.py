"""The variant pool of an AI-rewritten campaign, prepared before its send burst.

When a campaign with `ai_rewrite` starts, it is marked `rewrite_status = pending` and the
engine claims none of its rows. This module (run by a task right after the start commits)
asks the rewriter for up to AI_REWRITE_VARIANTS variants of each text (the broadcast text or
every text drip step), keeps only the variants that carry every fact of the original
(placeholders, links, prices, numbers), stores the pool on the campaign, writes each queued
row's variant index, and marks the campaign `ready`; the dispatcher is woken after the commit.
The send path then only picks the recipient's variant (`campaigns.personalize.variant_for`):
it never waits on an LLM.

If the LLM fails (or no variant keeps the facts) the campaign is `failed` with the reason in
`rewrite.fallback_reason` and the original text goes out. Templates are never rewritten.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.ai.facts import preserved_facts
from app.ai.rewriter.local import rewrite_local
from app.ai.rewriter.service import MessageRewriter
from app.campaigns.models import Campaign, DripStep
from app.campaigns.personalize import placeholders
from app.core.config import settings
from app.core.db import get_sessionmaker, utcnow
from app.core.enums import CampaignType, MessageStatus
from app.messaging.models import Message

log = logging.getLogger(__name__)
MAX_TEXT = 4096


@dataclass
class Pool:
    variants: dict[str, list[str]] = field(default_factory=dict)
    provider: str = "local"
    fallback_reason: str | None = None


def texts_to_rewrite(*, db: Session, campaign: Campaign) -> dict[str, str]:
    """Step position → text for every free-form text the campaign sends (templates: none)."""
    if campaign.type != CampaignType.DRIP:
        if campaign.template_id is None and campaign.message_template:
            return {"0": campaign.message_template}
        return {}
    steps = db.scalars(select(DripStep).where(DripStep.campaign_id == campaign.id))
    return {
        str(s.position): s.message_template
        for s in steps
        if s.template_id is None and s.message_template
    }


def keeps_facts(original: str, variant: str) -> bool:
    """A variant may go out only if every fact and placeholder of the original survived."""
    if not variant.strip() or len(variant) > MAX_TEXT:
        return False
    if placeholders(variant) != placeholders(original):
        return False
    return all(fact in variant for fact in preserved_facts(original))


async def _variants(text: str, *, wanted: int, seed: int) -> tuple[list[str], str, str | None]:
    """(variants, provider, fallback reason). Offline (`LLM_PROVIDER=local`) the local
    rewriter is the chosen provider, not a fallback; with an LLM, its failure is."""
    if settings.LLM_PROVIDER == "local":
        return rewrite_local(text, variants=wanted, seed=seed), "local", None
    result = await MessageRewriter().rewrite(text, variants=wanted, seed=seed)
    return result.variants or [result.rewritten], result.provider, result.fallback_reason


async def build_pool(texts: dict[str, str], *, seed: int) -> Pool:
    """Variants of every text that keep its facts; any LLM failure → an empty pool with the
    reason (the original text goes out)."""
    pool = Pool()
    wanted = max(1, settings.AI_REWRITE_VARIANTS)
    for position, text in sorted(texts.items()):
        candidates, pool.provider, reason = await _variants(text, wanted=wanted, seed=seed)
        if reason:
            return Pool(provider=pool.provider, fallback_reason=reason)
        kept = [v for v in dict.fromkeys(candidates) if keeps_facts(text, v)]
        if not kept:
            return Pool(provider=pool.provider, fallback_reason="variants_lost_facts")
        pool.variants[position] = kept[:wanted]
    return pool


def pending(*, db: Session, campaign_id: int) -> dict[str, str] | None:
    """The texts of a campaign still waiting for its pool, else None."""
    campaign = db.get(Campaign, campaign_id)
    if campaign is None or campaign.rewrite_status != "pending":
        return None
    return texts_to_rewrite(db=db, campaign=campaign)


def store_pool(*, db: Session, campaign_id: int, pool: Pool) -> int | None:
    """Under the campaign's row lock, once: the pool, each queued row's variant, the status.
    Returns the sender to wake (None if another run stored it first)."""
    campaign = db.scalar(
        select(Campaign)
        .where(Campaign.id == campaign_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if campaign is None or campaign.rewrite_status != "pending":
        return None
    now = utcnow()
    campaign.rewrite = {
        "variants": pool.variants,
        "provider": pool.provider,
        "fallback_reason": pool.fallback_reason,
        "prepared_at": now.isoformat(),
    }
    campaign.rewrite_status = "failed" if pool.fallback_reason else "ready"
    for position, variants in pool.variants.items():
        n = len(variants)
        db.execute(
            update(Message)
            .where(
                Message.campaign_id == campaign.id,
                Message.step_index == int(position),
                Message.status == MessageStatus.QUEUED,
                Message.variant.is_(None),
            )
            # The same pick as campaigns.personalize.variant_for, in SQL.
            .values(variant=(Message.contact_id + Message.campaign_id) % n)
            .execution_options(synchronize_session=False)
        )
    db.flush()
    if pool.fallback_reason:
        log.warning(
            "campaign %s: rewriting failed (%s); the original text goes out",
            campaign.id,
            pool.fallback_reason,
        )
    return campaign.sender_id


def prepare(*, campaign_id: int) -> int | None:
    """Read the texts, rewrite them with no transaction open, store. Returns the sender to
    wake after the commit."""
    maker = get_sessionmaker()
    with maker() as db:
        texts = pending(db=db, campaign_id=campaign_id)
    if texts is None:
        return None
    try:
        pool = asyncio.run(build_pool(texts, seed=campaign_id)) if texts else Pool()
    except Exception as exc:  # the rewriter itself broke: the original goes out, say why
        log.exception("rewriting campaign %s failed", campaign_id)
        pool = Pool(fallback_reason=f"error: {type(exc).__name__}")
    with maker() as db:
        sender = store_pool(db=db, campaign_id=campaign_id, pool=pool)
        db.commit()
    return sender


def stale_pending(*, db: Session, now: datetime, older_than: float = 30) -> list[int]:
    """Campaigns pending longer than `older_than` seconds: their task was lost or failed."""
    stmt = (
        select(Campaign.id)
        .where(
            Campaign.rewrite_status == "pending",
            Campaign.updated_at < now - timedelta(seconds=older_than),
        )
        .order_by(Campaign.id)
        .limit(100)
    )
    return list(db.scalars(stmt))
