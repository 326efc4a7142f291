"""Pacing (SPEC §6): per-number throttle windows and quiet hours.

`get_throttle()` picks the store: Redis sliding windows updated by one Lua script when
`REDIS_URL` is set, otherwise the database-backed store of embedded mode. Both answer the same
questions and both treat the `messages` table as the source of truth.
"""

from __future__ import annotations

from app.pacing.throttle import Slot, ThrottleStore, get_throttle

__all__ = ["Slot", "ThrottleStore", "get_throttle"]
