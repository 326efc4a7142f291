"""Embedded mode (SQLite file, no Redis): with a per-message delay only one dispatcher paces a
number, through the lease row on `sender_numbers`; a dead holder's lease expires. The engine
runs in a child process configured for SQLite; the fake Graph API records when each send
arrived."""

from __future__ import annotations

import json
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

from tests.engine_support import ROOT, worker_env
from tests.fakes.graph_api import graph_api_fixture  # noqa: F401  (fixture "graph_api")

CHILD = r"""
import json, sys, threading
from datetime import timedelta
from sqlalchemy import select, update
from app.core.migrate import upgrade
from app.core.config import settings
upgrade(settings.DATABASE_URL)
from app.core.db import get_sessionmaker, utcnow
from app.outbound.dispatch import run_dispatch
from app.senders.models import SenderNumber
from tests.engine_support import make_campaign, make_contacts, status_counts
from tests.support.factories import make_sender, make_workspace

db = get_sessionmaker()()
ws = make_workspace(db, "W")
big = {"messaging_tier": "TIER_UNLIMITED", "max_per_hour": 1000, "max_per_day": 1000}
sender = make_sender(db, ws.id, **big)
cid = make_campaign(db, ws.id, sender.id, make_contacts(db, ws.id, 5))
out = {}
threads = [threading.Thread(target=run_dispatch, kwargs={"sender_id": sender.id}) for _ in range(2)]
[t.start() for t in threads]
[t.join() for t in threads]
out["first"] = status_counts(db, cid)
lease = select(SenderNumber.dispatch_lease_owner, SenderNumber.dispatch_lease_until)
out["lease_after"] = [str(v) if v else None for v in db.execute(lease).one()]

def hold(until):
    db.execute(update(SenderNumber).values(dispatch_lease_owner="dead-worker",
                                           dispatch_lease_until=until))
    db.commit()

cid2 = make_campaign(db, ws.id, sender.id, make_contacts(db, ws.id, 2, first=100))
hold(utcnow() + timedelta(hours=1))   # a live (or recently killed) holder
out["while_held"] = run_dispatch(sender_id=sender.id).sent
hold(utcnow() - timedelta(seconds=1))  # the killed holder's lease ran out
out["after_expiry"] = run_dispatch(sender_id=sender.id).sent
out["second"] = status_counts(db, cid2)
print("RESULT " + json.dumps(out))
"""


def test_one_dispatcher_paces_a_number_on_sqlite(graph_api, tmp_path: Path):
    env = worker_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'agent.db'}",
        REDIS_URL="",
        CELERY_BROKER_URL="memory://",
        CELERY_RESULT_BACKEND="",
        WHATSAPP_PROVIDER="cloud_api",
        WHATSAPP_API_BASE_URL=graph_api.url,
        MESSAGE_DELAY_MIN="1",
        MESSAGE_DELAY_MAX="1",
        PYTHONPATH=f"{ROOT}:{ROOT / 'apps' / 'api'}",
    )
    proc = subprocess.run(
        [sys.executable, "-c", CHILD],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stdout[-2000:] + proc.stderr[-4000:]
    out = json.loads(lines[-1].removeprefix("RESULT "))

    assert out["first"] == {"sent": 5}
    stamps = [r["at"] for r in graph_api.requests()]
    gaps = [b - a for a, b in pairwise(stamps[:5])]
    assert len(gaps) == 4 and min(gaps) >= 0.9, gaps  # never two sends within the delay
    assert out["lease_after"] == [None, None]  # released on exit
    assert out["while_held"] == 0
    assert out["after_expiry"] == 2 and out["second"] == {"sent": 2}
    assert len(graph_api.requests()) == 7
