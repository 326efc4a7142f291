"""Processes for bench_webhooks: the uvicorn server, one Celery worker, py-spy, and the CPU
each of them (and the load generator) used during the measured window."""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    """`uvicorn app.main:app` as shipped, on loopback; returns once it accepts connections."""
    env = {**os.environ, **env, "PYTHONPATH": str(ROOT / "apps" / "api")}
    cmd = [
        sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1",
        "--port", str(port), "--workers", str(workers), "--loop", "uvloop",
        "--http", "httptools", "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("uvicorn exited during start-up") from None
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("uvicorn did not start")


def start_worker(env: dict[str, str], log_path: Path) -> subprocess.Popen:
    """One real Celery worker process (solo pool) on the `messages` queue."""
    env = {**os.environ, **env, "PYTHONPATH": str(ROOT / "apps" / "api")}
    cmd = [
        sys.executable, "-m", "celery", "-A", "app.workers.celery_app", "worker",
        "--queues=messages", "--pool=solo", "--concurrency=1", "--loglevel=WARNING",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log_path.open("w")
    )
    from app.workers.celery_app import celery_app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"celery worker exited: {log_path.read_text()[-2000:]}")
        if celery_app.control.ping(timeout=0.5):
            return proc
    proc.kill()
    raise RuntimeError("celery worker did not answer a ping")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def profile(server: subprocess.Popen, args: argparse.Namespace) -> subprocess.Popen | None:
    """`--profile PATH`: py-spy samples the server's GIL-holding thread during the load
    (collapsed stacks, `--format raw`; the 2 s warm-up at the same rate comes first)."""
    if not args.profile:
        return None
    cmd = [str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(server.pid),
           "--duration", str(int(args.duration) + 2), "--rate", "100", "--gil",
           "--format", "raw", "--output", args.profile, "--nonblocking"]  # fmt: skip
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU used by the server, the applying worker and this load generator over the
    measured window: where the two cores go."""

    def __init__(self, **pids: int) -> None:
        self.pids = {**pids, "load generator": os.getpid()}
        self.start: dict[str, float] = {}
        self.wall = 0.0

    def begin(self) -> None:
        self.start = {k: cpu_seconds(p) for k, p in self.pids.items()}
        self.wall = time.perf_counter()

    def line(self, events: int) -> str:
        wall = time.perf_counter() - self.wall
        used = {k: cpu_seconds(p) - self.start[k] for k, p in self.pids.items()}
        parts = [
            f"{k} {v / wall * 100:.0f} % of a core ({v / events * 1000:.2f} ms/event)"
            for k, v in used.items()
        ]
        return "- CPU over the measured window: " + "; ".join(parts)
