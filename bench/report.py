"""Write one benchmark's results into its own section of docs/benchmarks.md.

Each benchmark owns the text between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`, so
benchmarks can run separately and in any order without clobbering each other.
"""

from __future__ import annotations

import platform
import re
from datetime import UTC, datetime
from pathlib import Path

REPORT = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
HEADER = (
    "# Benchmarks\n\n"
    "Run with `make bench` (or one script: `.venv/bin/python -m bench.<name>`). Each section is\n"
    "rewritten by its benchmark; figures are from one run on the machine named in the section.\n"
    "The machine is shared and noisy: compare ratios measured in the same run, not absolutes.\n"
)


def machine() -> str:
    import os

    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def write_section(
    name: str, title: str, body: str, *, report: Path = REPORT, header: str = HEADER
) -> None:
    """Replace (or append) the `name` section of `report` (docs/benchmarks.md by default;
    the AI evaluation writes docs/ai-evaluation.md the same way)."""
    report.parent.mkdir(parents=True, exist_ok=True)
    text = report.read_text() if report.exists() else header
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = (
        f"<!-- bench:{name} -->\n## {title}\n\n_Measured {stamp} on {machine()}._\n\n"
        f"{body.strip()}\n<!-- /bench:{name} -->"
    )
    pattern = re.compile(
        rf"<!-- bench:{re.escape(name)} -->.*?<!-- /bench:{re.escape(name)} -->", re.S
    )
    text = (
        pattern.sub(lambda _: section, text)
        if pattern.search(text)
        else text.rstrip() + "\n\n" + section + "\n"
    )
    report.write_text(text)
