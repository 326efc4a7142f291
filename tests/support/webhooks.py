"""Webhook payloads for tests: the recorded Meta examples and a built inbound text."""

from __future__ import annotations

import json
import time
from pathlib import Path

FIXTURES = Path(__file__).parent.parent / "fixtures" / "webhooks"


def load(name: str) -> dict:
    """One recorded payload from tests/fixtures/webhooks, shaped like Meta's examples."""
    return json.loads((FIXTURES / f"{name}.json").read_text())


def inbound_webhook(phone_number_id: str, from_phone: str, text: str, wamid: str) -> dict:
    """A Cloud API `messages` webhook carrying one inbound text, as Meta documents it."""
    digits = from_phone.lstrip("+")
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550000000", "phone_number_id": phone_number_id},
        "contacts": [{"profile": {"name": "Customer"}, "wa_id": digits}],
        "messages": [
            {
                "from": digits,
                "id": wamid,
                "timestamp": str(int(time.time())),
                "type": "text",
                "text": {"body": text},
            }
        ],
    }
    change = {"field": "messages", "value": value}
    return {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [change]}]}
