"""E.164 normalisation and what a number tells (libphonenumber data, no network)."""

from __future__ import annotations

import pytest

from app.contacts.phone import (
    check_region,
    country_for,
    normalize_phone,
    timezone_for,
)
from app.core.errors import ValidationFailed


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+1 415-555-0100", None, "+14155550100"),
        ("(415) 555-0100", "US", "+14155550100"),
        ("415.555.0100", None, "+14155550100"),  # settings.DEFAULT_PHONE_REGION is US
        ("00 44 20 7946 0958", "US", "+442079460958"),
        ("+44 20 7946 0958", None, "+442079460958"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("011 44 20 7946 0958", "US", "+442079460958"),
        ("  +49 30 901820  ", None, "+4930901820"),
    ],
)
def test_normalize_formats(raw, region, expected):
    assert normalize_phone(raw, region) == expected


@pytest.mark.parametrize("raw", ["12345", "not a phone", "+1 415 555", "", "   ", "+999 1234567"])
def test_invalid_numbers_raise_naming_the_value(raw):
    with pytest.raises(ValidationFailed) as info:
        normalize_phone(raw)
    err = info.value
    assert err.status_code == 422
    assert err.errors[0]["field"] == "phone"
    assert repr(raw) in err.message


def test_local_number_depends_on_region():
    # The same digits are a London number in GB and not a valid US number.
    assert normalize_phone("020 7946 0958", "GB") == "+442079460958"
    with pytest.raises(ValidationFailed):
        normalize_phone("020 7946 0958", "US")


def test_huge_input_is_rejected_and_truncated_in_message():
    with pytest.raises(ValidationFailed) as info:
        normalize_phone("1" * 10_000)
    assert len(info.value.message) < 200


def test_timezone_and_country():
    assert timezone_for("+14155550100") == "America/Los_Angeles"
    assert timezone_for("+12125550100") == "America/New_York"
    assert timezone_for("+442079460958") == "Europe/London"
    assert country_for("+442079460958") == "GB"
    assert country_for("+14155550100") == "US"
    assert timezone_for("garbage") is None
    assert country_for("garbage") is None


def test_check_region():
    assert check_region("gb") == "GB"
    assert check_region(None) is None
    with pytest.raises(ValidationFailed) as info:
        check_region("XX")
    assert info.value.errors[0]["field"] == "default_region"
