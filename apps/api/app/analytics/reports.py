"""Daily reports: one local day of a workspace, stored as JSON, served as JSON, CSV or a
printable HTML page with its charts. Written at 02:00 in the workspace's zone for the day
before (`generate_daily_report`), or on demand."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.ai.models import RiskAssessment
from app.analytics.models import DailyReport
from app.analytics.performance import top_performers
from app.analytics.service import by_local, day_slots, local_midnight, pct, slot_sum, zone_of
from app.contacts.csv_cells import neutralise
from app.contacts.models import Contact
from app.core.db import dialect_insert, utcnow
from app.core.enums import LeadTier, RiskLevel
from app.core.errors import ValidationFailed
from app.workspaces.models import Workspace

DAY_MEASURES = (
    "sent",
    "delivered",
    "read",
    "replied",
    "failed",
    "skipped",
    "received",
    "auto_answered",
    "needs_review",
    "cohort_delivered",
    "cohort_read",
    "cohort_replied",
)
HOURLY = ("sent", "delivered", "read", "replied", "received")
REPORT_HOUR = 2  # local time the day before is reported
_env = Environment(
    loader=PackageLoader("app.analytics", "templates"),
    autoescape=select_autoescape(["html"]),
)


def build(*, db: Session, workspace_id: int, day: date, now: datetime | None = None) -> dict:
    now = now or utcnow()
    tz = zone_of(db=db, workspace_id=workspace_id)
    first, end = day_slots(day, tz)
    start, stop = local_midnight(day, tz), local_midnight(day + timedelta(days=1), tz)
    c = slot_sum(db=db, workspace_id=workspace_id, first=first, end=end, measures=DAY_MEASURES)
    hours = by_local(
        db=db,
        workspace_id=workspace_id,
        first=first,
        end=end,
        measures=HOURLY,
        tz=tz,
        part="hour",
    )
    opt_outs = db.scalar(
        select(func.count()).where(
            Contact.workspace_id == workspace_id,
            Contact.opted_out_at >= start,
            Contact.opted_out_at < stop,
        )
    )
    leads = db.execute(
        select(Contact.id, Contact.name, Contact.phone, Contact.lead_score)
        .where(
            Contact.workspace_id == workspace_id,
            Contact.lead_tier == LeadTier.HOT,
            Contact.lead_hot_since >= start,  # became hot that day, not merely rescored
            Contact.lead_hot_since < stop,
        )
        .order_by(Contact.lead_score.desc(), Contact.id)
        .limit(20)
    )
    alerts = db.scalars(
        select(RiskAssessment)
        .where(
            RiskAssessment.workspace_id == workspace_id,
            RiskAssessment.risk_level.in_([RiskLevel.HIGH, RiskLevel.CRITICAL]),
            RiskAssessment.created_at >= start,
            RiskAssessment.created_at < stop,
        )
        .order_by(RiskAssessment.created_at)
        .limit(50)
    )
    # all-time ranking: one day rarely has the minimum sample per campaign
    top = top_performers(db=db, workspace_id=workspace_id, limit=5)["campaign"]["ranked"]
    sent = c["sent"]
    return {
        "date": day.isoformat(),
        "timezone": tz.key,
        "complete": now >= stop,
        "generated_at": now.isoformat(),
        "messages_sent": sent,
        "delivered": c["delivered"],
        "read": c["read"],
        "replied": c["replied"],
        "failed": c["failed"],
        "skipped": c["skipped"],
        "messages_received": c["received"],
        "auto_answered": c["auto_answered"],
        "needs_review": c["needs_review"],
        "opt_outs": opt_outs or 0,
        # Of the messages sent that day, the share delivered / read / answered so far.
        "delivery_rate": pct(c["cohort_delivered"], sent),
        "read_rate": pct(c["cohort_read"], sent),
        "response_rate": pct(c["cohort_replied"], sent),
        "hourly": {m: [hours.get(h, {}).get(m, 0) for h in range(24)] for m in HOURLY},
        "top_campaigns": top,
        "top_campaigns_period": "all_time",
        "new_hot_leads": [
            {"contact_id": r.id, "name": r.name, "phone": r.phone, "lead_score": r.lead_score}
            for r in leads
        ],
        "risk_alerts": [
            {
                "at": a.created_at.isoformat(),
                "sender_id": a.sender_id,
                "level": a.risk_level,
                "score": a.risk_score,
                "factors": a.factors,
                "action_taken": a.action_taken,
            }
            for a in alerts
        ],
    }


EARLIEST_DAY = date(2000, 1, 1)


def check_day(day: date, today: date) -> None:
    """A day that can have a report: not before 2000 (nothing was sent on WhatsApp then, and
    dates near year 1 overflow zone arithmetic) and not after the workspace's today."""
    if day < EARLIEST_DAY:
        raise ValidationFailed(f"must be {EARLIEST_DAY.isoformat()} or later", field="date")
    if day > today:
        raise ValidationFailed(
            f"{day.isoformat()} has not started in the workspace's time zone", field="date"
        )


def store(*, db: Session, workspace_id: int, day: date, now: datetime | None = None) -> dict:
    """Build and upsert the report of one day (a rerun overwrites the same row)."""
    data = build(db=db, workspace_id=workspace_id, day=day, now=now)
    ins = dialect_insert(db)(DailyReport)
    db.execute(
        ins.values(workspace_id=workspace_id, report_date=day, data=data, created_at=utcnow())
        .on_conflict_do_update(
            index_elements=["workspace_id", "report_date"],
            set_={"data": ins.excluded.data, "created_at": ins.excluded.created_at},
        )
        .execution_options(synchronize_session=False)
    )
    return data


def due(*, db: Session, now: datetime) -> list[tuple[int, date]]:
    """(workspace, local yesterday) of each workspace past 02:00 local time whose report of
    yesterday is missing or was written before that day had ended."""
    from zoneinfo import ZoneInfo

    out = []
    for ws_id, zone in db.execute(select(Workspace.id, Workspace.timezone)):
        local = now.astimezone(ZoneInfo(zone or "UTC"))
        if local.hour < REPORT_HOUR:
            continue
        day = local.date() - timedelta(days=1)
        row = db.scalar(
            select(DailyReport.data).where(
                DailyReport.workspace_id == ws_id, DailyReport.report_date == day
            )
        )
        if row is None or not row.get("complete"):
            out.append((ws_id, day))
    return out


def get(*, db: Session, workspace_id: int, day: date) -> dict | None:
    return db.scalar(
        select(DailyReport.data).where(
            DailyReport.workspace_id == workspace_id, DailyReport.report_date == day
        )
    )


def to_csv(data: dict[str, Any]) -> str:
    """Two sections a spreadsheet opens as is: the day's figures, then the 24 local hours."""
    buf = io.StringIO()
    w = _SafeWriter(csv.writer(buf))
    w.writerow(["figure", "value"])
    for key, value in data.items():
        if not isinstance(value, dict | list):
            w.writerow([key, value])
    w.writerow([])
    w.writerow(["hour", *HOURLY])
    hourly = data.get("hourly", {})
    for h in range(24):
        w.writerow([f"{h:02d}:00", *(hourly.get(m, [0] * 24)[h] for m in HOURLY)])
    w.writerow([])
    w.writerow(["top_campaign", "attempted", "replied", "response_rate", "ci_low", "ci_high"])
    for t in data.get("top_campaigns", []):
        w.writerow(
            [
                t["label"],
                t["attempted"],
                t["replied"],
                t["response_rate"],
                t["ci_low"],
                t["ci_high"],
            ]
        )
    return buf.getvalue()


class _SafeWriter:
    """Cells a spreadsheet would run as formulas (a campaign named "=HYPERLINK(...)") get the
    leading quote the contacts export uses."""

    def __init__(self, writer: Any) -> None:
        self._writer = writer

    def writerow(self, row: list[Any]) -> None:
        self._writer.writerow([neutralise(v) if isinstance(v, str) else v for v in row])


def to_html(data: dict[str, Any], *, workspace: str, base_url: str) -> str:
    return _env.get_template("daily_report.html").render(
        r=data,
        workspace=workspace,
        plotly_url=f"{base_url.rstrip('/')}/dashboard/static/plotly.min.js",
        report_js_url=f"{base_url.rstrip('/')}/dashboard/static/report.js",
    )
