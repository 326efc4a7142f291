"""Helpers for the engine tests and the dispatch benchmark: test data in bulk, real Celery
worker processes (started, killed with SIGKILL, stopped), a private redis-server, and waiting
for a condition with a timeout (never hang)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")


def wait_until(
    predicate: Callable[[], T], *, timeout: float, interval: float = 0.2, what: str = "condition"
) -> T:
    """Poll `predicate` until it returns something truthy; AssertionError after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- data ------------------------------------------------------------------------------------


def make_contacts(
    db: Session, workspace_id: int, n: int, *, in_window: bool = True, first: int = 0
) -> list[int]:
    """`n` opted-in contacts (UK mobile numbers) inserted in bulk; returns their ids."""
    from app.contacts.models import Contact
    from app.core.db import utcnow

    now = utcnow()
    rows = [
        {
            "workspace_id": workspace_id,
            "phone": f"+4474{first + i:08d}",
            "name": f"Contact {first + i}",
            "attributes": {},
            "tags": [],
            "timezone": "Europe/London",
            "opted_in_at": now,
            "opt_in_source": "test",
            "last_inbound_at": now if in_window else None,
            "created_at": now,
            "updated_at": now,
        }
        for i in range(n)
    ]
    for start in range(0, n, 5000):
        db.execute(insert(Contact), rows[start : start + 5000])
    db.commit()
    phones = [r["phone"] for r in rows]
    ids = db.execute(
        select(Contact.id).where(Contact.workspace_id == workspace_id, Contact.phone.in_(phones))
    ).scalars()
    return sorted(ids)


def make_campaign(
    db: Session,
    workspace_id: int,
    sender_id: int,
    contact_ids: list[int],
    *,
    start: bool = True,
    **fields: Any,
) -> int:
    """A campaign through the real service (created, and started unless `start=False`)."""
    from app.campaigns import service
    from app.campaigns.schemas import CampaignCreate

    body = {"name": "Engine test", "message_template": "Hi {name}!", **fields}
    data = CampaignCreate(contact_ids=contact_ids, phone_number_id=sender_id, **body)
    created = service.create_campaign(db=db, workspace_id=workspace_id, data=data)
    db.commit()
    campaign_id = created.campaign.id
    if start:
        service.start_campaign(db=db, workspace_id=workspace_id, campaign_id=campaign_id)
        db.commit()
        service.notify_dispatch(sender_id=sender_id)  # as the router does after its commit
    return campaign_id


def status_counts(db: Session, campaign_id: int) -> dict[str, int]:
    from app.messaging.models import Message

    db.rollback()  # fresh snapshot
    rows = db.execute(
        select(Message.status, func.count())
        .where(Message.campaign_id == campaign_id, Message.direction == "outbound")
        .group_by(Message.status)
    ).all()
    return {status: int(count) for status, count in rows}


# --- processes -------------------------------------------------------------------------------


def worker_env(**overrides: Any) -> dict[str, str]:
    """The test process's environment (conftest points it at the test DB and Redis db) with the
    engine tuned for tests: no delays, no quiet hours, no warm-up."""
    env = dict(os.environ)
    env.update(
        {
            "MESSAGE_DELAY_MIN": "0",
            "MESSAGE_DELAY_MAX": "0",
            "QUIET_HOURS_ENABLED": "false",
            "WARMUP_ENABLED": "false",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update({k: str(v) for k, v in overrides.items()})
    return env


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass
class Worker:
    name: str
    proc: subprocess.Popen[bytes]
    log_path: Path
    _log: Any = field(repr=False, default=None)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def pool_pids(self) -> list[int]:
        return _children(self.pid)

    def rss_kib(self) -> list[int]:
        """RSS of the main process and of each pool child."""
        return [rss_kib(p) for p in [self.pid, *self.pool_pids()]]

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the worker and its pool children at once (a machine losing the process)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self, timeout: float = 15) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        self.proc.wait(10)
        if self._log:
            self._log.close()


def start_worker(
    *,
    env: dict[str, str],
    name: str,
    concurrency: int = 1,
    pool: str = "prefork",
    queues: str = "campaigns,messages,analytics",
    ready_timeout: float = 60,
) -> Worker:
    """`celery -A app.workers.celery_app worker` as a subprocess in its own process group."""
    log_path = Path(tempfile.gettempdir()) / f"engine-worker-{name}-{os.getpid()}.log"
    log = log_path.open("wb")
    cmd = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "app.workers.celery_app",
        "worker",
        f"--pool={pool}",
        f"--concurrency={concurrency}",
        f"--queues={queues}",
        "--loglevel=info",
        f"--hostname={name}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    proc = subprocess.Popen(
        cmd, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    worker = Worker(name, proc, log_path, log)
    try:
        wait_until(
            lambda: proc.poll() is not None or " ready." in worker.log(),
            timeout=ready_timeout,
            interval=0.1,
            what=f"worker {name} to be ready",
        )
    except AssertionError:
        worker.stop()
        raise
    if proc.poll() is not None:
        raise RuntimeError(f"worker {name} exited:\n{worker.log()[-3000:]}")
    return worker


@contextlib.contextmanager
def running_workers(count: int, *, env: dict[str, str], **kwargs: Any) -> Iterator[list[Worker]]:
    started: list[Worker] = []
    try:
        for i in range(count):
            started.append(start_worker(env=env, name=f"w{i}-{time.time_ns()}", **kwargs))
        yield started
    finally:
        for w in started:
            w.stop()


class PrivateRedis:
    """A redis-server of our own on a free port (never touch the shared one), without
    persistence: a restart loses everything, like a crashed cache."""

    def __init__(self) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> PrivateRedis:
        cmd = [
            "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis

        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)

        def up() -> bool:
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False

        wait_until(up, timeout=10, interval=0.05, what="private redis-server")
        client.close()
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def __enter__(self) -> PrivateRedis:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def run_reconcile(env: dict[str, str], timeout: float = 60) -> str:
    """One reconciler run in a fresh process with `env` (what beat's `reconcile` entry does
    every minute), so it talks to the same broker as the workers."""
    # app.models: every mapper, as a worker has them (an ORM flush needs all the tables).
    code = "import app.models, app.workers.celery_app; from app.outbound.reconcile import " + (
        "reconcile; print(reconcile())"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise RuntimeError(f"reconcile failed:\n{done.stderr[-3000:]}")
    return done.stdout.strip()


def settle(
    done: Callable[[], bool],
    *,
    env: dict[str, str],
    timeout: float,
    every: float = 2.0,
    what: str = "the campaign to settle",
) -> None:
    """Run the reconciler every `every` seconds (a fast beat) until `done()`."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        run_reconcile(env)
        time.sleep(every)
