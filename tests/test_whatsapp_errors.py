"""The Cloud API error table (SPEC §5) and the parsing of Graph error answers."""

from __future__ import annotations

import json
from datetime import timedelta
from email.utils import format_datetime

import pytest

from app.core.db import utcnow
from app.integrations.whatsapp.base import ErrorCategory
from app.integrations.whatsapp.errors import classify, error_from_response, parse_retry_after

R, RR, ML, P, SB, A = (
    ErrorCategory.RETRY,
    ErrorCategory.RECIPIENT_RATE,
    ErrorCategory.MARKETING_LIMIT,
    ErrorCategory.PERMANENT,
    ErrorCategory.SENDER_BLOCKED,
    ErrorCategory.AMBIGUOUS,
)


@pytest.mark.parametrize(
    ("code", "http_status", "expected"),
    [
        # SPEC §5, named codes
        (130429, 400, R),
        (80007, 400, R),
        (4, 400, R),
        (131000, 500, R),
        (131016, 503, R),
        (131057, 503, R),
        (131056, 400, RR),
        (131049, 400, ML),
        (131026, 400, P),
        (131047, 400, P),
        (132000, 400, P),
        (132001, 404, P),
        (132015, 400, P),
        (131064, 400, P),
        (131050, 400, P),
        (131048, 400, SB),
        (368, 403, SB),
        (131031, 403, SB),
        (131042, 400, SB),
        (130497, 403, SB),
        # Meta's reference beyond the SPEC list
        (0, 401, SB),
        (190, 401, SB),
        (10, 403, SB),
        (200, 403, SB),
        (299, 403, SB),
        (100, 400, P),
        (131005, 403, SB),
        (131008, 400, P),
        (131009, 400, P),
        (131021, 400, P),
        (131051, 400, P),
        (131052, 400, P),
        (131053, 400, P),
        (133010, 400, SB),
        (133004, 503, R),
        (135000, 400, P),
        (1, 400, R),
        (2, 503, R),
        # unknown codes fall back on the HTTP status
        (999999, 500, R),
        (999999, 503, R),
        (999999, 400, P),
        (999999, 429, R),
        # no code: a 5xx may come after Meta took the message (edge/proxy page) -> never resend
        (None, 500, A),
        (None, 502, A),
        (None, 504, A),
        (None, 429, R),
        (None, 404, P),
        (None, None, R),  # refused before anything was sent
    ],
)
def test_classify(code, http_status, expected):
    assert classify(code, http_status) is expected


def _graph(code, message="boom", details="more"):
    return json.dumps(
        {
            "error": {
                "message": f"(#{code}) {message}",
                "type": "OAuthException",
                "code": code,
                "error_data": {"messaging_product": "whatsapp", "details": details},
                "fbtrace_id": "Atrace",
            }
        }
    ).encode()


def test_error_from_graph_body_keeps_code_status_and_details():
    err = error_from_response(400, _graph(131026, "Message undeliverable"), {})
    assert (err.code, err.http_status, err.category) == (131026, 400, P)
    assert err.message == "(#131026) Message undeliverable"
    assert err.details["details"] == "more"
    assert err.details["fbtrace_id"] == "Atrace"
    assert "marketing_opt_out" not in err.details
    assert not err.retryable


def test_131050_flags_marketing_opt_out():
    err = error_from_response(400, _graph(131050), {})
    assert err.category is P
    assert err.details["marketing_opt_out"] is True


def test_retry_after_seconds_header_any_case():
    err = error_from_response(400, _graph(130429), {"retry-after": "17"})
    assert err.category is R and err.retryable
    assert err.retry_after == 17.0


def test_retry_after_http_date():
    when = utcnow() + timedelta(seconds=120)
    seconds = parse_retry_after(format_datetime(when, usegmt=True))
    assert seconds is not None and 100 <= seconds <= 121
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
    assert parse_retry_after("-5") == 0.0


def test_code_sent_as_string_is_understood():
    body = json.dumps({"error": {"message": "x", "code": "131056"}}).encode()
    err = error_from_response(400, body, None)
    assert err.code == 131056 and err.category is RR


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (502, b"<html>Bad Gateway</html>", A),
        (504, b"<html>Gateway Timeout</html>", A),
        (500, b"", A),
        (429, b"<html>Too Many Requests</html>", R),
        (400, b"<html>nope</html>", P),
        (403, b"[1, 2]", P),
        (503, b'{"error": "text not object"}', A),
        (400, b"\xff\xfe not utf-8", P),
    ],
)
def test_malformed_error_body(status, body, expected):
    err = error_from_response(status, body, {})
    assert err.category is expected
    assert err.code is None and err.http_status == status
    assert err.details["raw"] == body.decode("utf-8", "replace")


def test_5xx_with_graph_body_uses_the_code_first():
    # code 3 (capability/permission) comes back as HTTP 500, yet no retry will fix it
    assert error_from_response(500, _graph(3), {}).category is SB
    assert error_from_response(500, _graph(131000), {}).category is R
    # an unknown code in a Graph body on a 5xx: Meta answered with an error, nothing was sent
    assert error_from_response(503, _graph(999999), {}).category is R
