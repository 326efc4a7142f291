"""Every setting in app/core/config.py is documented in .env.example and docs/configuration.md."""

from __future__ import annotations

import re
from pathlib import Path

from app.core.config import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_env_example_lists_every_setting_with_its_default():
    text = (ROOT / ".env.example").read_text()
    documented = dict(re.findall(r"^# ([A-Z][A-Z0-9_]+)=(.*)$", text, re.M))
    assert set(documented) == set(Settings.model_fields)
    for name, field in Settings.model_fields.items():
        default = field.get_default(call_default_factory=True)
        if isinstance(default, bool):
            assert documented[name] == str(default).lower(), name
        elif isinstance(default, int | float) and name != "DATABASE_URL":
            assert float(documented[name]) == float(default), name
        elif default in (None, []):
            assert documented[name] == "", name


def test_configuration_doc_has_a_row_per_setting():
    text = (ROOT / "docs" / "configuration.md").read_text()
    rows = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", text, re.M))
    assert rows == set(Settings.model_fields)
