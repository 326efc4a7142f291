"""Graph API versions the Cloud API client may use, and when Meta retires them.

Meta keeps a version for two years after the NEXT version is released; a call to a retired
version is served by the oldest live one, whose behaviour may differ, so a deployment must move
before the date. Each retirement date is the successor's release date plus two years, as
Meta's changelog (developers.facebook.com/docs/graph-api/changelog) states them; a version
whose successor this table does not know has no date yet. Add a row when Meta
releases a version, and move the default (`WHATSAPP_API_VERSION`) to it after testing.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

log = logging.getLogger(__name__)

WARN_BEFORE = timedelta(days=60)

# version → (released, retired on); None = not scheduled yet.
VERSIONS: dict[str, tuple[date, date | None]] = {
    "v21.0": (date(2024, 10, 2), date(2027, 1, 21)),
    "v22.0": (date(2025, 1, 21), date(2027, 5, 29)),
    "v23.0": (date(2025, 5, 29), date(2027, 10, 8)),
    "v24.0": (date(2025, 10, 8), None),
}
DEFAULT_VERSION = "v24.0"


def retirement(version: str) -> date | None:
    """The day Meta retires `version`, None when not scheduled or not in the table."""
    entry = VERSIONS.get(version.strip())
    return entry[1] if entry else None


def version_warning(version: str, *, today: date) -> str | None:
    """What to tell the operator about `version` today, or None when all is well."""
    name = version.strip()
    if name not in VERSIONS:
        return (
            f"WHATSAPP_API_VERSION={name} is not in the table of known Graph API versions "
            f"(app/integrations/whatsapp/versions.py); check its retirement date in Meta's "
            f"changelog. Known: {', '.join(VERSIONS)}."
        )
    retired = retirement(name)
    if retired is None or today < retired - WARN_BEFORE:
        return None
    newest = max(VERSIONS, key=lambda v: VERSIONS[v][0])
    if today >= retired:
        when = f"was retired on {retired.isoformat()}"
    else:
        when = f"is retired on {retired.isoformat()} (in {(retired - today).days} days)"
    return (
        f"WHATSAPP_API_VERSION={name} {when}: Meta then serves calls with a newer version "
        f"whose behaviour may differ. Move to {newest} (see docs/whatsapp.md)."
    )


def warn_if_retiring(version: str, *, today: date) -> str | None:
    """Log the warning at start-up (API and workers); returns it for the caller's use."""
    message = version_warning(version, today=today)
    if message:
        log.warning(message)
    return message
