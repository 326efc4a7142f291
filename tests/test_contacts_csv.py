"""CSV import/export of contacts (real PostgreSQL; one section on a real SQLite file)."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy.orm import Session

from app.contacts import csv_io, service
from app.contacts.models import Contact
from app.core.errors import ValidationFailed

URL = "/api/v1/contacts"


def _upload(client, auth, content: bytes | str, *, query: str = "", name: str = "contacts.csv"):
    data = content.encode() if isinstance(content, str) else content
    return client.post(
        f"{URL}/import{query}", files={"file": (name, data, "text/csv")}, headers=auth
    )


def _count(db: Session, workspace_id: int) -> int:
    return db.query(Contact).filter_by(workspace_id=workspace_id).count()


def _by_phone(db: Session, workspace_id: int) -> dict[str, Contact]:
    db.expire_all()
    return {c.phone: c for c in db.query(Contact).filter_by(workspace_id=workspace_id)}


MIXED = (
    "Phone Number,Name,Email,Tags,Timezone,Opted_In,Opt_In_Source,City,Plan\n"
    "+1 415-555-0100,Ann Lee,ann@example.com,vip;beta,,yes,web_form,San Francisco,pro\n"  # 2
    "(212) 555-0100,Bob,,gold|silver,Europe/Paris,no,,New York,\n"  # 3
    "not-a-number,Broken,,,,,,,\n"  # 4 invalid phone
    ",No Phone,,,,,,,\n"  # 5 missing phone
    "+44 20 7946 0958,Cleo,bad-email,,,,,London,free\n"  # 6 invalid email
    "\n"  # blank line: not a row
    "+44 20 7946 0958,Cleo,,,,,,London,free\n"  # 8
    "+14155550100,Ann Updated,,,,,,,enterprise\n"  # 9 duplicate of line 2: last wins
    "+49 30 901820,Dan,,,Mars/Base,,,,\n"  # 10 invalid timezone
    "+49 30 901820,Dan,,,,maybe,,,\n"  # 11 invalid opted_in
)


def test_import_mixed_rows(client, auth, workspace, db):
    # An existing contact is updated, not duplicated; its values survive empty cells.
    existing = client.post(
        URL,
        json={"phone": "+12125550100", "name": "Old Bob", "email": "bob@old.io", "tags": ["x"]},
        headers=auth,
    ).json()

    r = _upload(client, auth, MIXED)
    assert r.status_code == 200, r.text
    report = r.json()
    assert {
        k: report[k] for k in ("total_rows", "created", "updated", "duplicates", "invalid")
    } == {
        "total_rows": 9,
        "created": 2,
        "updated": 1,
        "duplicates": 1,
        "invalid": 5,
    }
    errors = {e["line"]: e for e in report["errors"]}
    assert set(errors) == {4, 5, 6, 10, 11}
    assert errors[4]["value"] == "not-a-number" and "phone" in errors[4]["reason"]
    assert errors[5]["reason"] == "missing phone"
    assert "email" in errors[6]["reason"]
    assert "timezone" in errors[10]["reason"]
    assert errors[11]["value"] == "maybe"
    # line 6 is invalid, line 8 is the first valid Cleo row, so it was created, not a duplicate
    assert report["errors_truncated"] is False

    rows = _by_phone(db, workspace.id)
    assert set(rows) == {"+14155550100", "+12125550100", "+442079460958"}
    ann = rows["+14155550100"]
    assert ann.name == "Ann Updated"  # last row wins for what it provides
    assert ann.email == "ann@example.com"  # and keeps what it left empty
    assert ann.tags == ["vip", "beta"]
    assert ann.attributes == {"City": "San Francisco", "Plan": "enterprise"}
    assert ann.opted_in_at is not None and ann.opt_in_source == "web_form"
    assert ann.timezone == "America/Los_Angeles" and ann.country == "US"

    bob = rows["+12125550100"]
    assert bob.id == existing["id"]
    assert (bob.name, bob.email, bob.tags, bob.timezone) == (
        "Bob",
        "bob@old.io",
        ["gold", "silver"],
        "Europe/Paris",
    )
    assert bob.opted_in_at is None  # "no" never implies consent
    assert rows["+442079460958"].timezone == "Europe/London"


def test_import_never_lifts_an_opt_out(client, auth, workspace, db):
    cid = client.post(URL, json={"phone": "+14155550100"}, headers=auth).json()["id"]
    client.post(f"{URL}/{cid}/opt-out", json={"source": "STOP"}, headers=auth)
    r = _upload(client, auth, "phone,opted_in\n+14155550100,true\n")
    assert r.json()["updated"] == 1
    contact = _by_phone(db, workspace.id)["+14155550100"]
    assert contact.opted_out_at is not None and not contact.can_receive_campaigns


def test_duplicates_across_batches(client, auth, workspace, db, monkeypatch):
    monkeypatch.setattr(csv_io, "BATCH_SIZE", 3)
    lines = ["phone,name,tier"] + [f"+1415555{i:04d},P{i},a" for i in range(100, 110)]
    lines += ["+14155550100,Last,b", "+14155550109,,c"]
    r = _upload(client, auth, "\n".join(lines) + "\n")
    report = r.json()
    assert (report["created"], report["duplicates"], report["total_rows"]) == (10, 2, 12)
    rows = _by_phone(db, workspace.id)
    assert len(rows) == 10
    assert rows["+14155550100"].name == "Last"
    assert rows["+14155550100"].attributes == {"tier": "b"}
    assert rows["+14155550109"].name == "P109" and rows["+14155550109"].attributes == {"tier": "c"}


def test_default_region_and_aliases(client, auth, workspace, db):
    r = _upload(client, auth, "mobile;name\n020 7946 0958;Cleo\n", query="?default_region=gb")
    assert r.status_code == 200 and r.json()["created"] == 1
    assert set(_by_phone(db, workspace.id)) == {"+442079460958"}
    r = _upload(client, auth, "whatsapp\n020 7946 0958\n")  # read as a US number: invalid
    assert r.json()["invalid"] == 1
    r = _upload(client, auth, "phone\n+14155550100\n", query="?default_region=XX")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "default_region"


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("name,email\nAnn,ann@example.com\n", "phone column"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x00", "UTF-8"),
        ('{"phone": "+14155550100"}', "phone column"),
        ("", "empty"),
        ("phone,phone_number\n+14155550100,+14155550101\n", "More than one phone column"),
    ],
)
def test_whole_file_failures_are_4xx_and_import_nothing(
    client, auth, workspace, db, content, fragment
):
    r = _upload(client, auth, content)
    assert r.status_code == 422, r.text
    assert fragment in r.json()["detail"]
    assert r.json()["errors"][0]["field"] == "file"
    assert _count(db, workspace.id) == 0


def test_failure_after_flushed_batches_leaves_nothing(client, auth, workspace, db, monkeypatch):
    monkeypatch.setattr(csv_io, "BATCH_SIZE", 2)
    good = "".join(f"+1415555{i:04d}\n" for i in range(100, 120)).encode()
    r = _upload(client, auth, b"phone\n" + good + b"\xff\xfe broken\n")
    assert r.status_code == 422
    assert _count(db, workspace.id) == 0  # the 20 rows of earlier batches were rolled back


def test_nul_in_a_row_makes_that_row_invalid(client, auth, workspace, db):
    report = _upload(client, auth, b"phone,name\n+14155550100,a\x00b\n+14155550101,ok\n").json()
    assert (report["created"], report["invalid"]) == (1, 1)
    assert report["errors"][0]["line"] == 2 and "NUL" in report["errors"][0]["reason"]
    assert set(_by_phone(db, workspace.id)) == {"+14155550101"}


def test_missing_file_is_422(client, auth):
    r = client.post(f"{URL}/import", headers=auth)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "file"


def test_error_list_is_capped(client, auth, monkeypatch):
    monkeypatch.setattr(csv_io, "MAX_REPORTED_ERRORS", 5)
    r = _upload(client, auth, "phone\n" + "nope\n" * 12 + "+14155550100\n")
    report = r.json()
    assert report["invalid"] == 12 and len(report["errors"]) == 5
    assert report["errors_truncated"] is True and report["created"] == 1
    assert [e["line"] for e in report["errors"]] == [2, 3, 4, 5, 6]


def test_multiline_quoted_field_keeps_line_numbers(client, auth):
    content = 'phone,note\n+14155550100,"two\nlines"\nbad,x\n'
    report = _upload(client, auth, content).json()
    assert report["created"] == 1 and report["errors"][0]["line"] == 4


def test_upload_is_scoped_to_the_workspace(client, auth, workspace, other_workspace, db):
    _upload(client, other_workspace.headers, "phone,name\n+14155550100,Theirs\n")
    report = _upload(client, auth, "phone,name\n+14155550100,Mine\n").json()
    assert report["created"] == 1 and report["updated"] == 0
    assert _by_phone(db, other_workspace.id)["+14155550100"].name == "Theirs"


# --- export ----------------------------------------------------------------------------------


def _export(client, headers, query=""):
    r = client.get(f"{URL}/export{query}", headers=headers)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(r.text)))


def test_export_round_trip(client, auth, workspace, other_workspace, db):
    client.post(
        URL,
        json={
            "phone": "+14155550100",
            "name": 'Ann, "the" Lead',
            "tags": ["vip", "beta"],
            "attributes": {"city": "SF", "name": "clash", "meta": {"a": 1}},
            "opted_in": True,
            "opt_in_source": "web",
        },
        headers=auth,
    )
    client.post(URL, json={"phone": "+442079460958", "email": "c@x.io"}, headers=auth)
    client.post(
        URL, json={"phone": "+12125550100", "name": "Foreign"}, headers=other_workspace.headers
    )

    rows = _export(client, auth)
    assert [r["phone"] for r in rows] == ["+14155550100", "+442079460958"]
    ann = rows[0]
    assert ann["name"] == 'Ann, "the" Lead' and ann["tags"] == "vip;beta"
    assert (ann["opted_in"], ann["opt_in_source"], ann["city"]) == ("true", "web", "SF")
    assert ann["attributes.name"] == "clash" and ann["meta"] == '{"a": 1}'
    assert rows[1]["city"] == "" and rows[1]["opted_in"] == "false"

    # Re-import into a fresh workspace: same contacts, same fields.
    text = client.get(f"{URL}/export", headers=auth).text
    report = _upload(client, other_workspace.headers, text).json()
    assert (report["created"], report["updated"], report["invalid"]) == (2, 0, 0)
    copied = _by_phone(db, other_workspace.id)["+14155550100"]
    assert copied.name == 'Ann, "the" Lead' and copied.tags == ["vip", "beta"]
    assert copied.attributes == {"city": "SF", "name": "clash", "meta": '{"a": 1}'}
    assert copied.opt_in_source == "web" and copied.timezone == "America/Los_Angeles"


def test_export_filters(client, auth):
    client.post(URL, json={"phone": "+14155550100", "tags": ["vip"]}, headers=auth)
    client.post(URL, json={"phone": "+14155550101", "opted_in": True}, headers=auth)
    assert [r["phone"] for r in _export(client, auth, "?tag=vip")] == ["+14155550100"]
    assert [r["phone"] for r in _export(client, auth, "?opted_in=true")] == ["+14155550101"]
    assert _export(client, auth, "?search=nobody") == []


def test_export_streams_many_rows(client, auth, workspace):
    lines = "phone\n" + "".join(f"+1415555{i:04d}\n" for i in range(2500))
    assert _upload(client, auth, lines).json()["created"] == 2500
    assert len(_export(client, auth)) == 2500


# --- SQLite (the embedded default) -------------------------------------------------------------


@pytest.fixture
def sqlite_db(tmp_path):
    from app.core.db import make_engine
    from app.core.migrate import upgrade
    from app.workspaces.service import create_workspace

    url = f"sqlite:///{tmp_path / 'contacts.db'}"
    upgrade(url)
    engine = make_engine(url)
    session = Session(engine)
    session.workspace_id = create_workspace(db=session, name="lite").id
    yield session
    session.close()
    engine.dispose()


def test_sqlite_tag_filter_import_and_export(sqlite_db):
    db, wid = sqlite_db, sqlite_db.workspace_id
    content = b"phone,tags,city\n+14155550100,vip;beta,SF\n+442079460958,beta,\nbad,,\n"
    report = csv_io.import_contacts(db=db, workspace_id=wid, stream=io.BytesIO(content))
    assert (report.created, report.invalid) == (2, 1)
    again = csv_io.import_contacts(
        db=db, workspace_id=wid, stream=io.BytesIO(b"phone,city\n+14155550100,LA\n")
    )
    assert (again.created, again.updated) == (0, 1)
    db.commit()

    vip, total = service.list_contacts(db=db, workspace_id=wid, tags=["vip"])
    assert total == 1 and vip[0].phone == "+14155550100" and vip[0].attributes == {"city": "LA"}
    _, beta_total = service.list_contacts(db=db, workspace_id=wid, tags=["beta"])
    assert beta_total == 2
    _, none_total = service.list_contacts(db=db, workspace_id=wid, tags=["vi"])
    assert none_total == 0

    exported = "".join(csv_io.export_csv(db=db, workspace_id=wid, tags=["beta"]))
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [(r["phone"], r["city"]) for r in rows] == [
        ("+14155550100", "LA"),
        ("+442079460958", ""),
    ]

    contact = service.get_or_create_by_phone(db=db, workspace_id=wid, phone="14155550100")
    assert contact.phone == "+14155550100"
    with pytest.raises(ValidationFailed):
        csv_io.import_contacts(db=db, workspace_id=wid, stream=io.BytesIO(b"name\nx\n"))
