"""Personalisation: placeholders, fallbacks, precedence, escaping and sandboxing (SPEC §7)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.campaigns.personalize import missing_placeholders, placeholders, render


def contact(id=1, name="Ann Marie Lee", phone="+14155550101", email=None, **attributes):
    return SimpleNamespace(id=id, name=name, phone=phone, email=email, attributes=attributes)


def test_contact_fields_and_metadata():
    text = "Hi {first_name}! {name} ({phone}) — we launched {product_name}."
    out = render(text, contact=contact(), metadata={"product_name": "SuperApp 2.0"})
    assert out == "Hi Ann! Ann Marie Lee (+14155550101) — we launched SuperApp 2.0."


def test_fallbacks_used_only_when_value_missing():
    text = "Hi {name|there}, {email|no email on file}"
    assert render(text, contact=contact(name=None), metadata={}) == "Hi there, no email on file"
    assert render(text, contact=contact(name="  "), metadata={}) == "Hi there, no email on file"
    out = render(text, contact=contact(email="a@b.co"), metadata={})
    assert out == "Hi Ann Marie Lee, a@b.co"


def test_attributes_and_precedence():
    c = contact(city="Paris", product_name="Contact's pick", name="Zoe")
    meta = {"product_name": "Campaign product", "city": "Nowhere", "name": "Meta name"}
    # contact field > contact attribute > campaign metadata
    assert render("{name}/{city}/{product_name}", contact=c, metadata=meta) == (
        "Zoe/Paris/Contact's pick"
    )
    bare = contact(name=None)
    assert render("{name}/{city}", contact=bare, metadata=meta) == "Meta name/Nowhere"


def test_non_string_attributes_render_as_text_and_structures_are_missing():
    c = contact(points=42, price=19.5, nested={"a": 1})
    assert render("{points} {price} {nested|n/a}", contact=c, metadata={}) == "42 19.5 n/a"


def test_escaped_braces_and_stray_braces_are_literal():
    c = contact()
    assert render("{{name}} is {name}", contact=c, metadata={}) == "{name} is Ann Marie Lee"
    assert render("{{{first_name}}}", contact=c, metadata={}) == "{Ann}"
    assert render("a { 1 } {1x} }{ {", contact=c, metadata={}) == "a { 1 } {1x} }{ {"
    assert render("{ first_name }", contact=c, metadata={}) == "Ann"  # spaces allowed
    assert placeholders("{{name}} {first_name|x} {city}") == {"first_name", "city"}


@pytest.mark.parametrize(
    "text",
    [
        "{{ ''.__class__.__mro__ }}",
        "{% for x in range(10) %}boom{% endfor %}",
        "{# comment #}",
        "{{ 7*7 }}",
        "{% raw %}{{ x }}{% endraw %}",
        "{{ cycler.__init__.__globals__ }}",
    ],
)
def test_jinja_syntax_in_user_text_renders_literally(text):
    # `{{` is our escape for `{`, every other brace is literal: nothing is evaluated.
    expected = text.replace("{{", "{").replace("}}", "}")
    assert render(text, contact=contact(), metadata={}) == expected
    assert "49" not in render("{{ 7*7 }}", contact=contact(), metadata={})


def test_values_are_never_evaluated():
    evil = contact(name="{{ 7*7 }} {% for %}", city="{name}")
    out = render("{name} {city}", contact=evil, metadata={"x": "{{ config }}"})
    assert out == "{{ 7*7 }} {% for %} {name}"
    assert render("{x}", contact=evil, metadata={"x": "{{ config }}"}) == "{{ config }}"


def test_attribute_access_is_not_a_placeholder():
    assert placeholders("{name.__class__} {name[0]} {name()}") == set()
    assert render("{name.__class__}", contact=contact(), metadata={}) == "{name.__class__}"


def test_fallback_text_is_literal_even_with_jinja_like_content():
    assert render("Hi {name|'); x('}", contact=contact(name=None), metadata={}) == "Hi '); x('"
    assert render("Hi {name|{% x %}}", contact=contact(name=None), metadata={}).startswith("Hi ")


def test_newlines_and_whitespace_are_kept():
    assert render("Hi {first_name}\n\nBye\n", contact=contact(), metadata={}) == "Hi Ann\n\nBye\n"


def test_missing_placeholders_lists_contacts_without_values():
    contacts = [contact(1, city="Paris"), contact(2), contact(3, name=None, city="Rome")]
    text = "Hi {first_name}, see you in {city}! {email|} {product_name}"
    missing = missing_placeholders(text, contacts=contacts, metadata={"product_name": "X"})
    assert missing == {"first_name": [3], "city": [2], "email": [1, 2, 3]}


def test_fallback_anywhere_does_not_excuse_a_bare_occurrence():
    contacts = [contact(1, name=None)]
    assert missing_placeholders("{name|there} {name}", contacts=contacts, metadata={}) == {
        "name": [1]
    }
    assert missing_placeholders("{name|there}", contacts=contacts, metadata={}) == {}
