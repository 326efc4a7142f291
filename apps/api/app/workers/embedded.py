"""Embedded mode: the whole service on one machine with no Redis and no PostgreSQL.

`agent run` starts uvicorn and one Celery worker (with beat) as child processes. Celery's broker
is kombu's SQLAlchemy transport on a SQLite file, so a real worker, real queues and a real beat
schedule run exactly as in production, only slower to poll. The database is SQLite too.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

# kombu's default (1 s) makes every task wait up to a second in the queue; 0.25 s keeps the
# demo snappy while an idle worker costs ~4 small SQLite reads a second per queue.
POLLING_INTERVAL_SECONDS = 0.25
QUEUES = "campaigns,messages,analytics"
STOP_TIMEOUT_SECONDS = 20.0


def sqlite_file(url: str | None) -> Path | None:
    """The file behind `sqlite:///…`, `sqla+sqlite:///…` or `db+sqlite:///…`, else None."""
    if not url:
        return None
    bare = url.split("+", 1)[1] if url.startswith(("sqla+", "db+")) else url
    if not bare.startswith("sqlite:///"):
        return None
    path = bare[len("sqlite:///") :].split("?", 1)[0]
    return None if path in ("", ":memory:") else Path(path)


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    # Several processes share the broker file: WAL lets readers and one writer overlap and the
    # busy timeout turns "database is locked" into a short wait.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def configure_embedded_transport() -> None:
    """Tune kombu's SQLAlchemy transport before Celery opens a connection. Idempotent.

    kombu 5.7 hands `broker_transport_options` straight to `create_engine()`, so the polling
    interval cannot travel that way: it is a class attribute of the transport.
    """
    from kombu.transport import sqlalchemy as kombu_sqla

    from app.core.config import settings

    kombu_sqla.Transport.polling_interval = POLLING_INTERVAL_SECONDS
    for url in (settings.CELERY_BROKER_URL, settings.CELERY_RESULT_BACKEND):
        path = sqlite_file(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)

    channel = kombu_sqla.Channel
    if getattr(channel, "_swa_patched", False):
        return
    original = channel._engine_from_config

    def _engine_from_config(self):  # type: ignore[no-untyped-def]
        engine: Engine = original(self)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        return engine

    channel._engine_from_config = _engine_from_config
    channel._swa_patched = True


def prepare_broker(url: str) -> None:
    """Create the broker's tables and queues once, before several processes race to do it."""
    from kombu import Connection

    configure_embedded_transport()
    with Connection(url) as conn:
        channel = conn.default_channel
        for queue in QUEUES.split(","):
            channel.queue_declare(queue=queue, durable=True, auto_delete=False)


# --- `agent run`: environment and child processes ----------------------------------------------


def embedded_env(
    data_dir: Path, *, host: str, port: int, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Environment for the embedded children: SQLite database and broker, no Redis, offline."""
    data_dir = data_dir.resolve()
    env = dict(os.environ if base is None else base)
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{data_dir / 'agent.db'}",
            "CELERY_BROKER_URL": f"sqla+sqlite:///{data_dir / 'celery-broker.db'}",
            "CELERY_RESULT_BACKEND": "",
            "REDIS_URL": "",
            "WHATSAPP_PROVIDER": "sandbox",
            "LLM_PROVIDER": "local",
            "PUBLIC_BASE_URL": f"http://{host}:{port}",
        }
    )
    return env


def api_command(*, host: str, port: int) -> list[str]:
    return [sys.executable, "-m", "uvicorn", "app.main:app", "--host", host, "--port", str(port)]


def worker_command(*, data_dir: Path, concurrency: int = 2) -> list[str]:
    """One worker that also runs beat (`-B`): fine for a single machine, never for a fleet."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "app.workers.celery_app",
        "worker",
        "-B",
        f"--queues={QUEUES}",
        "--loglevel=info",
        f"--concurrency={concurrency}",
        f"--schedule={data_dir.resolve() / 'celerybeat-schedule'}",
    ]


class Supervisor:
    """Runs child processes; when one exits or we are told to stop, stops them all."""

    def __init__(self, commands: Mapping[str, list[str]], *, env: Mapping[str, str]) -> None:
        self.commands = dict(commands)
        self.env = dict(env)
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self._stop_requested = False

    def start(self) -> None:
        for name, cmd in self.commands.items():
            # Own session: a terminal Ctrl-C reaches only us, and we stop children in order.
            self.children[name] = subprocess.Popen(cmd, env=self.env, start_new_session=True)

    def request_stop(self, *_args: object) -> None:
        self._stop_requested = True

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGINT, self.request_stop)
        signal.signal(signal.SIGTERM, self.request_stop)

    def exited(self) -> tuple[str, int] | None:
        for name, proc in self.children.items():
            code = proc.poll()
            if code is not None:
                return name, code
        return None

    def wait(self, poll_seconds: float = 0.5) -> int:
        """Block until stop is requested (→ 0) or a child dies (→ its exit code, at least 1)."""
        while not self._stop_requested:
            dead = self.exited()
            if dead is not None:
                name, code = dead
                print(f"agent: {name} exited with code {code}; stopping the rest", file=sys.stderr)
                self.stop()
                return code or 1
            time.sleep(poll_seconds)
        self.stop()
        return 0

    def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> None:
        """SIGTERM each child (Celery: warm shutdown), then SIGKILL its whole group if needed."""
        for proc in self.children.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for proc in self.children.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        for proc in self.children.values():
            # The group also holds Celery's pool processes and the embedded beat.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
