"""A real campaign, end to end, in embedded mode: SQLite database, SQLite Celery broker, no
Redis, the sandbox provider, uvicorn and a Celery worker with embedded beat as real processes.

Everything goes through the public surfaces a user has: the `agent` CLI, the HTTP API and
signed webhooks (the honest way to open a contact's 24 h window or opt them out). The sandbox
decides each message's fate from (SANDBOX_SEED, message id), so the test recomputes the plan
with `plan_outcome` and checks that every row ended exactly where its webhooks should take it.
The database file is only read, to check what the API does not expose (skip reasons, links).
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from collections import Counter
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from app.core.config import settings
from app.inbound.service import SIGNATURE_HEADER, sign
from app.integrations.whatsapp.sandbox import plan_outcome
from app.workers import embedded
from tests.support.procs import HOST, KEY, child, free_port, healthy, run_cli, wait_for

pytestmark = pytest.mark.slow

SEED = 20240607
APP_SECRET = "e2e-app-secret"
SENDER_PNID = "sandbox-e2e"
N_CONTACTS = 20
IN_WINDOW = range(0, 8)  # wrote to us a moment ago: free-form text may reach them
OPTED_OUT = N_CONTACTS - 1  # texts STOP before the campaigns start
RATES = {"SANDBOX_FAILURE_RATE": 0.1, "SANDBOX_READ_RATE": 0.7, "SANDBOX_REPLY_RATE": 0.5}
TEXT = "Hi {first_name|there}, our summer sale starts today!"
TEMPLATE_BODY = "Hi {{1}}, thanks for joining! Reply YES for our latest offers."
FINAL = {"sent", "delivered", "read", "failed", "skipped", "cancelled", "unknown"}
DEADLINE_SECONDS = 90


def phone(i: int) -> str:
    return f"+1415555{i + 100:04d}"  # 555-01xx: valid to libphonenumber, owned by nobody


def inbound_payload(i: int, text: str, at: float) -> dict[str, Any]:
    """What Meta POSTs when contact `i` writes to our number."""
    digits = phone(i).lstrip("+")
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "14155550199", "phone_number_id": SENDER_PNID},
        "contacts": [{"profile": {"name": f"Contact {i}"}, "wa_id": digits}],
        "messages": [
            {
                "from": digits,
                "id": f"wamid.E2EIN{i:04d}",
                "timestamp": str(int(at)),
                "type": "text",
                "text": {"body": text},
            }
        ],
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "e2e-waba", "changes": [{"value": value, "field": "messages"}]}],
    }


class Api:
    """The HTTP API with one workspace key; every call has a timeout and checks its status."""

    def __init__(self, base: str, key: str) -> None:
        self.http = httpx.Client(
            base_url=f"{base}/api/v1", headers={"Authorization": f"Bearer {key}"}, timeout=15
        )

    def call(self, method: str, path: str, expect: int = 200, **kwargs: Any) -> Any:
        response = self.http.request(method, path, **kwargs)
        assert response.status_code == expect, f"{method} {path}: {response.text}"
        return response.json() if response.content else None

    def webhook(self, payload: dict[str, Any]) -> None:
        raw = orjson.dumps(payload)
        response = self.http.post(
            "/webhooks/whatsapp",
            content=raw,
            headers={SIGNATURE_HEADER: sign(raw, APP_SECRET), "Content-Type": "application/json"},
        )
        assert response.status_code == 200, response.text


def rows(db_file: Path, sql: str, *params: Any) -> list[sqlite3.Row]:
    """Read the embedded database (WAL: readers never block the API or the worker)."""
    with closing(sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, timeout=30)) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute(sql, params).fetchall()


def expected_status(message_id: int, *, template: bool) -> tuple[str, Any]:
    outcome = plan_outcome(SEED, str(message_id), template=template)
    if outcome.failure is not None:
        return "failed", outcome
    return ("read" if outcome.read else "delivered"), outcome


@pytest.fixture(params=["0.2", "0"], ids=["webhooks-via-broker", "webhooks-inline"])
def stack(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Migrated SQLite database, the API on a free port and a worker with beat; yields
    (api client, database file, worker log).

    SANDBOX_STATUS_DELAY_SECONDS > 0 hands each simulated webhook to a `sandbox.emit_events`
    task with a countdown (through the SQLite broker); 0 stores them inline from the sending
    worker, while its dispatcher runs."""
    for name, value in RATES.items():  # `plan_outcome` here must plan what the worker plans
        monkeypatch.setattr(settings, name, value)
    data_dir = tmp_path / ".data"
    port = free_port()
    env = embedded.embedded_env(data_dir, host=HOST, port=port)
    env.update(
        {
            "WHATSAPP_APP_SECRET": APP_SECRET,
            "SANDBOX_SEED": str(SEED),
            "SANDBOX_STATUS_DELAY_SECONDS": request.param,
            "SANDBOX_LATENCY_MS": "0",
            "MESSAGE_DELAY_MIN": "0",
            "MESSAGE_DELAY_MAX": "0",
            "QUIET_HOURS_ENABLED": "false",
            "PYTHONUNBUFFERED": "1",
            **{name: str(value) for name, value in RATES.items()},
        }
    )
    run_cli(env, tmp_path, "migrate")
    prepare = (
        "from app.core.config import settings\n"
        "from app.workers.embedded import prepare_broker\n"
        "prepare_broker(settings.CELERY_BROKER_URL)\n"
    )
    subprocess.run([sys.executable, "-c", prepare], env=env, cwd=tmp_path, check=True, timeout=60)
    base = f"http://{HOST}:{port}"
    api_log, worker_log = tmp_path / "api.log", tmp_path / "worker.log"
    worker_cmd = embedded.worker_command(data_dir=data_dir, concurrency=2)
    with (
        child(embedded.api_command(host=HOST, port=port), env, tmp_path, api_log) as api,
        child(worker_cmd, env, tmp_path, worker_log) as worker,
    ):
        wait_for(lambda: healthy(base), 60, "uvicorn", api_log, api)
        wait_for(
            lambda: " ready." in worker_log.read_text(errors="replace"),
            60,
            "the worker",
            worker_log,
            worker,
        )
        key = KEY.findall(run_cli(env, tmp_path, "workspace", "create", "E2E Co"))[0]
        client = Api(base, key)
        try:
            yield client, data_dir / "agent.db", worker_log
        finally:
            client.http.close()


def test_text_and_template_campaigns_go_out_end_to_end(stack):
    api, db_file, worker_log = stack
    started = time.monotonic()

    sender = api.call(
        "POST",
        "/phone-numbers",
        201,
        json={
            "name": "E2E sandbox",
            "phone_number_id": SENDER_PNID,
            "display_phone": "+14155550199",
            "provider": "sandbox",
            "warmup_started_on": None,  # no warm-up cap: 20 messages on day 1 is too few here
        },
    )
    contacts = [
        api.call(
            "POST",
            "/contacts",
            201,
            json={"phone": phone(i), "name": f"Person{i} Tester", "opted_in": True},
        )
        for i in range(N_CONTACTS)
    ]
    ids = [c["id"] for c in contacts]

    # Signed inbound webhooks: eight contacts open their 24 h window, one opts out.
    now = time.time()
    for i in IN_WINDOW:
        api.webhook(inbound_payload(i, "Hello!", now))
    api.webhook(inbound_payload(OPTED_OUT, "STOP", now))

    def inbound_applied() -> bool:
        got = {c["id"]: c for c in api.call("GET", "/contacts", params={"limit": 100})["items"]}
        return all(got[ids[i]]["last_inbound_at"] for i in IN_WINDOW) and bool(
            got[ids[OPTED_OUT]]["opted_out_at"]
        )

    wait_for(inbound_applied, 30, "inbound webhooks to be processed", worker_log)

    template = api.call(
        "POST",
        "/templates",
        201,
        json={
            "name": "welcome_offer",
            "language": "en_US",
            "category": "MARKETING",
            "body": TEMPLATE_BODY,
            "status": "APPROVED",
        },
    )
    common = {"contact_ids": ids, "phone_number_id": sender["id"]}
    text = api.call(
        "POST", "/campaigns", 201, json={"name": "Summer sale", "message_template": TEXT, **common}
    )
    tmpl = api.call(
        "POST",
        "/campaigns",
        201,
        json={
            "name": "Welcome offer",
            "template_id": template["id"],
            "template_params": ["{first_name|there}"],
            **common,
        },
    )
    outside = N_CONTACTS - len(IN_WINDOW) - 1
    assert text["audience"] == {
        "total": N_CONTACTS,
        "eligible": N_CONTACTS - 1,
        "opted_out": 1,
        "not_opted_in": 0,
        "outside_service_window": outside,
    }
    for campaign in (text, tmpl):
        assert api.call("POST", f"/campaigns/{campaign['id']}/start")["status"] == "running"

    def completed() -> bool:
        return all(
            api.call("GET", f"/campaigns/{c['id']}")["status"] == "completed" for c in (text, tmpl)
        )

    wait_for(completed, DEADLINE_SECONDS, "both campaigns to complete", worker_log)

    # Every outbound row is final; rows that went out end where their webhooks take them.
    sql = (
        "SELECT id, contact_id, campaign_id, type, status, skip_reason, error_code, wamid, "
        "body, replied_at FROM messages WHERE direction = 'outbound' ORDER BY id"
    )

    def settled() -> list[sqlite3.Row]:
        out = rows(db_file, sql)
        for r in out:
            if r["status"] in ("sent", "delivered", "read", "failed") and r["wamid"]:
                want, outcome = expected_status(r["id"], template=r["type"] == "template")
                if r["status"] != want or (outcome.reply and not r["replied_at"]):
                    return []
        return out

    wait_for(lambda: bool(settled()), 30, "status webhooks to settle every row", worker_log)
    outbound = settled()
    assert len(outbound) == 2 * N_CONTACTS
    assert {r["status"] for r in outbound} <= FINAL

    stops = {  # contacts the sandbox made reply STOP (may race the second campaign's send)
        r["contact_id"]
        for r in rows(
            db_file,
            "SELECT contact_id FROM messages WHERE direction = 'inbound' "
            "AND body = 'STOP' AND in_reply_to_id IS NOT NULL",
        )
    }
    by_campaign: dict[int, dict[int, sqlite3.Row]] = {text["id"]: {}, tmpl["id"]: {}}
    for r in outbound:
        by_campaign[r["campaign_id"]][r["contact_id"]] = r
    planned: list[tuple[sqlite3.Row, Any]] = []
    for campaign_id, is_template in ((text["id"], False), (tmpl["id"], True)):
        for i, contact_id in enumerate(ids):
            r = by_campaign[campaign_id][contact_id]
            assert r["type"] == ("template" if is_template else "text")
            if i == OPTED_OUT:
                assert (r["status"], r["skip_reason"]) == ("skipped", "opted_out")
            elif not is_template and i not in IN_WINDOW:
                assert (r["status"], r["skip_reason"]) == ("skipped", "outside_service_window")
                assert r["wamid"] is None
            elif r["status"] == "skipped":
                assert r["skip_reason"] == "opted_out" and contact_id in stops, dict(r)
            else:
                want, outcome = expected_status(r["id"], template=is_template)
                assert r["wamid"] and r["wamid"].startswith("wamid.SBX"), dict(r)
                assert r["status"] == want, dict(r)
                if outcome.failure is not None:
                    assert r["error_code"] == str(outcome.failure[0])
                first = f"Person{i}"
                expected_body = (
                    TEMPLATE_BODY.replace("{{1}}", first)
                    if is_template
                    else TEXT.replace("{first_name|there}", first)
                )
                assert r["body"] == expected_body
                planned.append((r, outcome))
    # The seed exercises every path: failures, deliveries, reads and replies.
    statuses = {r["status"] for r, _ in planned}
    assert {"failed", "delivered", "read"} <= statuses, statuses
    replies = [(r, o) for r, o in planned if o.reply is not None]
    assert replies and len(planned) >= len(IN_WINDOW) + N_CONTACTS - 1 - len(stops)

    # Each sandbox reply is stored as inbound, linked to the message it answers and its campaign.
    inbound = rows(
        db_file,
        "SELECT id, contact_id, campaign_id, in_reply_to_id, body, status FROM messages "
        "WHERE direction = 'inbound' AND in_reply_to_id IS NOT NULL",
    )
    linked = {m["in_reply_to_id"]: m for m in inbound}
    for r, outcome in replies:
        reply = linked.get(r["id"])
        assert reply is not None, f"no stored reply for message {r['id']}"
        assert (reply["body"], reply["status"]) == (outcome.reply, "received")
        assert (reply["campaign_id"], reply["contact_id"]) == (r["campaign_id"], r["contact_id"])
        assert r["replied_at"] is not None
    assert len(inbound) == len(replies)

    # The analytics endpoint agrees with the rows.
    for campaign in (text, tmpl):
        mine = [r for r in outbound if r["campaign_id"] == campaign["id"]]
        by_status = Counter(r["status"] for r in mine)

        def count(*names: str, by_status: Counter[str] = by_status) -> int:
            return sum(by_status[n] for n in names)

        total = count("sent", "delivered", "read", "failed", "unknown")
        report = api.call("GET", f"/analytics/campaigns/{campaign['id']}")
        assert (report["campaign_id"], report["status"]) == (campaign["id"], "completed")
        figures = report["analytics"]
        replied = sum(r["replied_at"] is not None for r in mine)
        assert figures["total_messages"] == total > 0
        assert figures["delivered_count"] == count("delivered", "read")
        assert figures["read_count"] == count("read")
        assert figures["failed_count"] == count("failed")
        assert figures["replied_count"] == replied
        assert figures["skipped_count"] == count("skipped")
        assert figures["pending_count"] == 0
        assert figures["delivery_rate"] == round(100 * count("delivered", "read") / total, 2)
        assert figures["read_rate"] == round(100 * count("read") / total, 2)
        assert figures["response_rate"] == round(100 * replied / total, 2)
        detail = api.call("GET", f"/campaigns/{campaign['id']}")
        assert {k: v for k, v in detail["message_counts"].items() if k in FINAL and v} == dict(
            by_status
        )

    # Every webhook was applied the first time: no SQLite lock error anywhere on the way.
    events = rows(
        db_file, "SELECT id, attempts, processed_at, processing_error FROM webhook_events"
    )
    assert len(events) >= len(IN_WINDOW) + 1 + len(planned)
    assert [dict(e) for e in events if e["processed_at"] is None or e["processing_error"]] == []
    for log in (worker_log, worker_log.with_name("api.log")):
        text_log = log.read_text(errors="replace")
        assert "database is locked" not in text_log, text_log[-3000:]
        assert "Traceback" not in text_log, text_log[-3000:]
    assert time.monotonic() - started < DEADLINE_SECONDS + 45


def test_demo_data_has_one_approved_template(db, client):
    """`agent run` seeds an APPROVED template so the first template campaign goes out; running
    the seed again finds it instead of adding a second one."""
    from app.demo import DEMO_TEMPLATE, ensure_demo
    from app.templates.models import Template

    first = ensure_demo(db=db, key_file=None)
    db.commit()
    again = ensure_demo(db=db, key_file=None)
    db.commit()
    assert again.template.id == first.template.id
    assert db.query(Template).count() == 1

    auth = {"Authorization": f"Bearer {first.api_key}"}
    listed = client.get("/api/v1/templates", params={"status": "APPROVED"}, headers=auth)
    assert listed.status_code == 200, listed.text
    [template] = listed.json()
    assert (template["name"], template["language"]) == ("welcome_offer", "en_US")
    assert (template["body"], template["param_count"]) == (DEMO_TEMPLATE.body, 1)
    contact_ids = [c.id for c in first.contacts]
    created = client.post(
        "/api/v1/campaigns",
        headers=auth,
        json={
            "name": "First template campaign",
            "template_id": template["id"],
            "template_params": ["{first_name|there}"],
            "contact_ids": contact_ids,
            "phone_number_id": first.sender.id,
        },
    )
    assert created.status_code == 201, created.text
    audience = created.json()["audience"]
    assert audience["eligible"] == len(contact_ids) == audience["outside_service_window"]
