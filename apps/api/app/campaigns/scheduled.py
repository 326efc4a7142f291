"""Periodic campaign jobs: drip sequencing and ban-risk monitoring."""

from __future__ import annotations
