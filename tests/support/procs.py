"""Real child processes for the embedded-mode tests: the `agent` CLI, uvicorn, Celery workers.

Every child runs in its own process group with a deadline and is killed (whole group) when the
`with` block ends, so a broken worker or server fails the test instead of hanging the suite.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
import pytest

HOST = "127.0.0.1"
KEY = re.compile(r"^API key: (swa_[A-Za-z0-9_-]{20,})$", re.M)
AGENT = Path(sys.executable).parent / "agent"  # the console script from pyproject


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def run_cli(env: dict[str, str], cwd: Path, *args: str, timeout: float = 60) -> str:
    proc = subprocess.run(
        [str(AGENT), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


@contextmanager
def child(cmd: list[str], env: dict[str, str], cwd: Path, log: Path) -> Iterator[subprocess.Popen]:
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd,
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            yield proc
        finally:
            if proc.poll() is None:  # polite first: `agent run` must stop its own children
                proc.terminate()
                with suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=30)
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)


def wait_for(
    check: Callable[[], bool],
    timeout: float,
    what: str,
    log: Path | None = None,
    proc: subprocess.Popen | None = None,
):
    deadline = time.monotonic() + timeout
    problem = f"timed out after {timeout}s"
    while time.monotonic() < deadline:
        if check():
            return
        if proc is not None and proc.poll() is not None:
            problem = f"process exited with code {proc.returncode}"
            break
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    pytest.fail(f"{problem} while waiting for {what}\n{tail}")


def healthy(base_url: str) -> bool:
    try:
        return httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
