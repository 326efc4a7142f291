"""Embedded mode for real: SQLite database, SQLite Celery broker, no Redis, real processes.

Every child process gets a deadline and is killed (whole process group) in `finally`, so a
broken worker or server fails the test instead of hanging the suite.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, inspect

from app.workers import embedded
from tests.support.procs import AGENT, HOST, KEY, child, free_port, healthy, run_cli, wait_for

pytestmark = pytest.mark.slow

PROBE_MODULE = '''
"""Test-only tasks, loaded into the real worker with `-I swa_probe`."""
import os
from pathlib import Path

from app.workers.celery_app import celery_app

OUT = Path(os.environ["SWA_PROBE_DIR"])
celery_app.conf.beat_schedule = {
    **(celery_app.conf.beat_schedule or {}),
    "swa-probe-beat": {
        "task": "swa_probe.beat", "schedule": 1.0, "options": {"queue": "analytics"},
    },
}


def _append(name, line):
    with open(OUT / name, "a") as fh:
        fh.write(line + "\\n")


@celery_app.task(name="swa_probe.touch")
def touch(token):
    _append("touch.log", token)


@celery_app.task(name="swa_probe.beat")
def beat():
    _append("beat.log", "tick")
'''


@pytest.fixture
def embedded_env(tmp_path: Path) -> tuple[dict[str, str], Path]:
    data_dir = tmp_path / ".data"
    return embedded.embedded_env(data_dir, host=HOST, port=free_port()), data_dir


def test_agent_console_script_is_installed():
    assert AGENT.exists(), "run `pip install -e .` so the `agent` entry point exists"


def test_api_on_sqlite_without_redis(tmp_path, embedded_env):
    env, data_dir = embedded_env
    run_cli(env, tmp_path, "migrate")
    assert (data_dir / "agent.db").exists()

    port = free_port()
    base = f"http://{HOST}:{port}"
    log = tmp_path / "api.log"
    with child(embedded.api_command(host=HOST, port=port), env, tmp_path, log) as api:
        wait_for(lambda: healthy(base), 60, "uvicorn", log, api)
        key = KEY.findall(run_cli(env, tmp_path, "workspace", "create", "Embedded Co"))[0]
        auth = {"Authorization": f"Bearer {key}"}

        ready = httpx.get(f"{base}/readyz", timeout=5)
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"database": "ok"}  # empty REDIS_URL: no Redis check

        ws = httpx.get(f"{base}/api/v1/workspace", headers=auth, timeout=10)
        assert ws.status_code == 200 and ws.json()["name"] == "Embedded Co"

        created = httpx.post(
            f"{base}/api/v1/contacts",
            json={"phone": "+1 415 555 0142", "name": "Jane Roe", "opted_in": True},
            headers=auth,
            timeout=10,
        )
        assert created.status_code == 201, created.text
        listed = httpx.get(f"{base}/api/v1/contacts", headers=auth, timeout=10).json()
        assert listed["total"] == 1
        assert [c["phone"] for c in listed["items"]] == ["+14155550142"]

        bad = httpx.post(f"{base}/api/v1/contacts", json={"phone": "nope"}, headers=auth)
        assert bad.status_code == 422


def test_real_worker_and_beat_on_sqlite_broker(tmp_path, embedded_env):
    env, data_dir = embedded_env
    run_cli(env, tmp_path, "migrate")  # the real beat schedule's tasks need the schema
    (tmp_path / "swa_probe.py").write_text(PROBE_MODULE)
    env = {**env, "PYTHONPATH": str(tmp_path), "SWA_PROBE_DIR": str(tmp_path)}
    touch_log, beat_log = tmp_path / "touch.log", tmp_path / "beat.log"

    def lines(path: Path) -> list[str]:
        return path.read_text().split() if path.exists() else []

    log = tmp_path / "worker.log"
    cmd = [*embedded.worker_command(data_dir=data_dir, concurrency=1), "-I", "swa_probe"]
    with child(cmd, env, tmp_path, log) as worker:
        tokens = ["t-messages", "t-analytics", "t-default"]
        send = (
            "from app.workers.celery_app import celery_app as c\n"
            "c.send_task('swa_probe.touch', args=['t-messages'], queue='messages')\n"
            "c.send_task('swa_probe.touch', args=['t-analytics'], queue='analytics')\n"
            "c.send_task('swa_probe.touch', args=['t-default'])\n"
        )
        subprocess.run([sys.executable, "-c", send], env=env, cwd=tmp_path, check=True, timeout=60)

        wait_for(lambda: len(lines(touch_log)) >= 3, 90, "three probe tasks", log, worker)
        wait_for(lambda: len(lines(beat_log)) >= 2, 60, "two beat ticks", log, worker)
        time.sleep(1.5)  # a duplicate delivery would show up here
        assert sorted(lines(touch_log)) == sorted(tokens)

        worker.send_signal(signal.SIGTERM)  # warm shutdown, as `agent run` does on Ctrl-C
        try:
            assert worker.wait(timeout=30) == 0
        except subprocess.TimeoutExpired:
            pytest.fail("worker did not stop within 30 s of SIGTERM")
    assert (data_dir / "celery-broker.db").exists()


def test_agent_run_serves_and_stops_on_ctrl_c(tmp_path):
    port = free_port()
    base = f"http://{HOST}:{port}"
    env = dict(os.environ)  # `agent run` replaces the database, broker and Redis settings
    log = tmp_path / "run.log"
    cmd = [str(AGENT), "run", "--port", str(port), "--data-dir", str(tmp_path / "data")]
    with child(cmd, env, tmp_path, log) as run:
        wait_for(lambda: "API docs:" in log.read_text(errors="replace"), 120, "agent run", log, run)
        output = log.read_text(errors="replace")
        key = KEY.findall(output)[0]
        assert f"{base}/docs" in output

        auth = {"Authorization": f"Bearer {key}"}
        contacts = httpx.get(f"{base}/api/v1/contacts", headers=auth, timeout=10)
        assert contacts.status_code == 200, contacts.text
        assert contacts.json()["total"] == 3  # the demo contacts
        assert httpx.get(f"{base}/docs", timeout=10).status_code == 200

        run.send_signal(signal.SIGINT)
        try:
            code = run.wait(timeout=45)
        except subprocess.TimeoutExpired:
            pytest.fail("`agent run` did not stop within 45 s of Ctrl-C")
        assert code == 0, log.read_text(errors="replace")[-4000:]
        assert not healthy(base)
    db = tmp_path / "data" / "agent.db"
    assert db.exists() and (tmp_path / "data" / "celery-broker.db").exists()


def test_sqlite_migrations_upgrade_downgrade_upgrade(tmp_path):
    from app.core.db import Base
    from app.core.migrate import downgrade, upgrade

    url = f"sqlite:///{tmp_path / 'migrations.db'}"
    expected = set(Base.metadata.tables)

    def tables() -> set[str]:
        engine = create_engine(url)
        try:
            return set(inspect(engine).get_table_names()) - {"alembic_version"}
        finally:
            engine.dispose()

    upgrade(url)
    assert tables() == expected
    downgrade(url, "base")
    assert tables() == set()
    upgrade(url)
    assert tables() == expected
