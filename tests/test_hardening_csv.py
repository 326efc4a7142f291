"""Issue 8, defects 3 and 4 (CSV): export neutralises spreadsheet formulas and import reads
back exactly what export wrote; attribute columns per import and per contact are bounded."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from app.contacts.csv_cells import neutralise, restore
from app.contacts.models import Contact
from app.contacts.schemas import MAX_ATTRIBUTE_VALUE, MAX_ATTRIBUTES
from tests.support.factories import make_contact

URL = "/api/v1/contacts"
FORMULAS = ["=cmd|' /C calc'!A0", "@SUM(A1)", "+1+1", "-2+3", "\t=1", "\r=2", "'=quoted", "''@x"]


def _export_rows(client, auth) -> list[list[str]]:
    r = client.get(f"{URL}/export", headers=auth)
    assert r.status_code == 200
    return list(csv.reader(io.StringIO(r.text, newline="")))


def _seed(db, workspace_id: int, first: int, tags, attributes) -> None:
    """One contact per formula: its name is the formula, tags and attributes built from it."""
    for i, formula in enumerate(FORMULAS):
        make_contact(
            db,
            workspace_id,
            f"+1415555{first + i:04d}",
            name=formula,
            tags=tags(i, formula),
            attributes=attributes(formula),
        )


def test_export_neutralises_formulas_in_every_text_cell(client, auth, db, workspace):
    _seed(
        db,
        workspace.id,
        3000,
        tags=lambda i, f: [f],
        attributes=lambda f: {"note": f, f.strip() or "k": "v"},
    )
    header, *rows = _export_rows(client, auth)
    risky = ("=", "+", "-", "@", "\t", "\r")
    for cell in header:
        assert not cell.startswith(risky), cell
    for row in rows:
        assert row[0].startswith("+1415555")  # a plain number stays as it is
        for cell in row[1:]:
            assert not cell.lstrip("'").startswith(risky) or cell.startswith("'"), row
            assert not cell.startswith(risky), row


def test_import_round_trips_what_export_wrote(client, auth, db, workspace, other_workspace):
    _seed(
        db,
        workspace.id,
        3100,
        tags=lambda i, f: [f"@t{i}", f"-t{i}+1", "plain"],  # a tag cell is split on ";" and "|"
        attributes=lambda f: {"note": f, "=col": f},
    )
    exported = client.get(f"{URL}/export", headers=auth).content
    r = client.post(
        f"{URL}/import",
        files={"file": ("c.csv", exported, "text/csv")},
        headers=other_workspace.headers,
    )
    assert r.status_code == 200, r.text
    assert (r.json()["created"], r.json()["invalid"]) == (len(FORMULAS), 0), r.json()["errors"]
    original = {c.phone: c for c in db.query(Contact).filter_by(workspace_id=workspace.id)}
    copied = db.query(Contact).filter_by(workspace_id=other_workspace.id).all()
    assert len(copied) == len(FORMULAS)
    for contact in copied:
        source = original[contact.phone]
        assert (contact.name, contact.tags) == (source.name, source.tags)
        assert contact.attributes == source.attributes


@given(st.text())
def test_restore_inverts_neutralise(value):
    assert restore(neutralise(value)) == value
    if value[:1] in ("=", "@") or value.startswith(("+1+", "-2+")):
        assert neutralise(value).startswith("'")


def test_import_refuses_too_many_attribute_columns(client, auth, db):
    header = ",".join(["phone", *(f"c{i}" for i in range(MAX_ATTRIBUTES + 1))])
    row = ",".join(["+14155550150", *("v" for _ in range(MAX_ATTRIBUTES + 1))])
    r = client.post(
        f"{URL}/import", files={"file": ("c.csv", f"{header}\n{row}\n", "text/csv")}, headers=auth
    )
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "file"
    assert "attribute columns" in r.json()["detail"]
    assert db.query(Contact).count() == 0


def test_import_bounds_attribute_values_and_merged_attributes(client, auth, db, workspace):
    long_value = "x" * (MAX_ATTRIBUTE_VALUE + 1)
    content = f"phone,city\n+14155550151,{long_value}\n+14155550152,Rome\n"
    r = client.post(f"{URL}/import", files={"file": ("c.csv", content, "text/csv")}, headers=auth)
    assert r.status_code == 200, r.text
    assert (r.json()["created"], r.json()["invalid"]) == (1, 1)
    assert r.json()["errors"][0]["line"] == 2
    # A contact that already has attributes cannot grow past the bound through imports.
    make_contact(
        db, workspace.id, "+14155550153", attributes={f"a{i}": "1" for i in range(MAX_ATTRIBUTES)}
    )
    content = "phone,extra\n+14155550153,one-too-many\n"
    r = client.post(f"{URL}/import", files={"file": ("c.csv", content, "text/csv")}, headers=auth)
    assert r.status_code == 200, r.text
    assert (r.json()["updated"], r.json()["invalid"]) == (0, 1)
    assert "at most" in r.json()["errors"][0]["reason"]
    db.expire_all()
    stored = db.query(Contact).filter_by(phone="+14155550153").one()
    assert len(stored.attributes) == MAX_ATTRIBUTES and "extra" not in stored.attributes
