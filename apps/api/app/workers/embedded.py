"""Embedded-mode broker: kombu SQLAlchemy transport on a SQLite file (no Redis needed)."""

from __future__ import annotations


def configure_embedded_transport() -> None:
    """Tune kombu's SQLAlchemy transport (polling interval) before a worker starts."""
