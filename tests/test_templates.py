"""Message templates: CRUD, {{n}} rules, approved-only lookup and Cloud API components."""

from __future__ import annotations

import pytest

from app.core.errors import NotFound, ValidationFailed
from app.templates import service as service
from app.templates.models import Template
from tests.fakes.graph_api import graph_api  # noqa: F401  (pytest fixture)

BASE = "/api/v1/templates"
BODY = "Hi {{1}}, your order {{2}} ships on {{3}}."


def _fields(response) -> list[str]:
    # Last dotted segment: the shared handler currently reports a field named "body" as
    # "body.body" (it strips every "body" from the location, see app.core.errors._field_name).
    return [e["field"].split(".")[-1] for e in response.json()["errors"]]


def _create(client, headers, **overrides):
    body = {"name": "order_update", "language": "en_US", "category": "UTILITY", "body": BODY}
    return client.post(BASE, json={**body, **overrides}, headers=headers)


def test_crud(client, auth, db):
    r = _create(client, auth)
    assert r.status_code == 201, r.text
    created = r.json()
    assert (created["status"], created["param_count"], created["category"]) == (
        "PENDING",
        3,
        "UTILITY",
    )
    tid = created["id"]
    assert client.get(f"{BASE}/{tid}", headers=auth).json()["body"] == BODY

    r = client.patch(
        f"{BASE}/{tid}", json={"status": "approved", "body": "Hello {{1}}!"}, headers=auth
    )
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["param_count"]) == ("APPROVED", 1)
    assert r.json()["name"] == "order_update"

    assert client.delete(f"{BASE}/{tid}", headers=auth).status_code == 204
    assert client.get(f"{BASE}/{tid}", headers=auth).status_code == 404
    assert db.get(Template, tid) is None


def test_list_filters_by_status(client, auth):
    _create(client, auth, name="a_pending")
    _create(client, auth, name="b_approved", status="APPROVED")
    _create(client, auth, name="b_approved", language="pt_BR", status="APPROVED")
    _create(client, auth, name="c_rejected", status="REJECTED")
    names = lambda r: [(t["name"], t["language"]) for t in r.json()]  # noqa: E731
    assert len(client.get(BASE, headers=auth).json()) == 4
    r = client.get(BASE, params={"status": "APPROVED"}, headers=auth)
    assert names(r) == [("b_approved", "en_US"), ("b_approved", "pt_BR")]
    r = client.get(BASE, params={"status": "APPROVED", "language": "pt_BR"}, headers=auth)
    assert names(r) == [("b_approved", "pt_BR")]
    assert client.get(BASE, params={"status": "bogus"}, headers=auth).status_code == 422


def test_same_name_and_language_is_409(client, auth, other_workspace):
    assert _create(client, auth).status_code == 201
    assert _create(client, auth).status_code == 409
    assert _create(client, auth, language="es").status_code == 201
    # Another workspace may use the same name.
    assert _create(client, other_workspace.headers).status_code == 201


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Order Update"),
        ("name", "order-update"),
        ("name", ""),
        ("language", "english"),
        ("language", "EN_us"),
        ("category", "PROMO"),
        ("status", "LIVE"),
        ("body", ""),
        ("body", "Hi {{2}}"),
        ("body", "Hi {{1}} and {{3}}"),
        ("body", "Hi {{0}}"),
        ("body", "Hi {{Name}}"),
        ("body", "Hi {{1}} and {{name}}"),
        ("body", "Hi {{ 1 }}"),
        ("body", "x" * 1025),
        ("components", "not a list"),
        ("extra", True),
    ],
)
def test_invalid_create_is_422_naming_the_field(client, auth, field, value):
    r = _create(client, auth, **{field: value})
    assert r.status_code == 422, r.text
    assert field in _fields(r)


def test_invalid_patch_is_422(client, auth):
    tid = _create(client, auth).json()["id"]
    for body, field in [
        ({"body": "Hi {{1}} {{3}}"}, "body"),
        ({"status": None}, "status"),
        ({"status": "NOPE"}, "status"),
        ({"name": "renamed"}, "name"),  # identity at Meta: immutable
    ]:
        r = client.patch(f"{BASE}/{tid}", json=body, headers=auth)
        assert r.status_code == 422, (body, r.text)
        assert field in _fields(r)


def test_case_of_category_and_status_is_forgiven(client, auth):
    r = _create(client, auth, category="marketing", status="approved")
    assert (r.json()["category"], r.json()["status"]) == ("MARKETING", "APPROVED")


def test_delete_refused_while_a_campaign_uses_it(client, auth, db, workspace):
    from app.campaigns.models import Campaign
    from tests.support.factories import make_sender

    tid = _create(client, auth, status="APPROVED").json()["id"]
    sender = make_sender(db, workspace.id)
    db.add(Campaign(workspace_id=workspace.id, sender_id=sender.id, name="c", template_id=tid))
    db.commit()
    assert client.delete(f"{BASE}/{tid}", headers=auth).status_code == 409
    assert client.get(f"{BASE}/{tid}", headers=auth).status_code == 200


def test_other_workspace_gets_404(client, auth, other_workspace, db):
    tid = _create(client, auth).json()["id"]
    foreign = other_workspace.headers
    for r in [
        client.get(f"{BASE}/{tid}", headers=foreign),
        client.patch(f"{BASE}/{tid}", json={"status": "APPROVED"}, headers=foreign),
        client.delete(f"{BASE}/{tid}", headers=foreign),
    ]:
        assert r.status_code == 404
    assert client.get(BASE, headers=foreign).json() == []
    db.expire_all()
    assert db.get(Template, tid).status == "PENDING"
    with pytest.raises(NotFound):
        service.get_approved_template(db=db, workspace_id=other_workspace.id, template_id=tid)


def test_missing_auth_and_malformed_json(client, auth):
    assert client.get(BASE).status_code == 401
    assert _create(client, {}).status_code == 401
    r = client.post(BASE, content="{bad", headers={**auth, "Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["code"] == "malformed_json"
    r = client.post(f"{BASE}/sync", json={}, headers=auth)
    assert r.status_code == 422
    assert "phone_number_id" in [e["field"] for e in r.json()["errors"]]
    r = client.post(f"{BASE}/sync", json={"phone_number_id": 424242}, headers=auth)
    assert r.status_code == 404


# --- service helpers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "count"),
    [
        ("No parameters at all", 0),
        ("Hello {{1}}", 1),
        ("{{1}} {{2}} {{3}} {{4}} {{5}} {{6}} {{7}} {{8}} {{9}} {{10}}", 10),
        ("{{2}} before {{1}}", 2),
        ("Repeat {{1}} and {{1}}", 1),
        ("Braces { alone } are text", 0),
    ],
)
def test_param_count(body, count):
    assert service.param_count(body) == count


@pytest.mark.parametrize(
    "body", ["{{2}}", "{{1}} {{3}}", "{{X}}", "{{}}", "{{-1}}", "{{01}}", "{{1}} {{x}}"]
)
def test_param_count_rejects(body):
    with pytest.raises(ValidationFailed) as info:
        service.param_count(body)
    assert info.value.errors[0]["field"] == "body"


def test_get_approved_template(db, workspace):
    from tests.support.factories import make_template

    approved = make_template(db, workspace.id, "welcome", status="APPROVED")
    pending = make_template(db, workspace.id, "promo", status="PENDING")
    make_template(db, workspace.id, "multi", status="APPROVED", language="en_US")
    make_template(db, workspace.id, "multi", status="APPROVED", language="de")
    ws = workspace.id

    assert service.get_approved_template(db=db, workspace_id=ws, template_id=approved.id).id == (
        approved.id
    )
    assert service.get_approved_template(db=db, workspace_id=ws, name="welcome").id == approved.id
    found = service.get_approved_template(db=db, workspace_id=ws, name="multi", language="de")
    assert found.language == "de"

    for kwargs in (
        {"template_id": pending.id},
        {"name": "promo"},
        {"name": "multi"},  # ambiguous without a language
        {},
    ):
        with pytest.raises(ValidationFailed):
            service.get_approved_template(db=db, workspace_id=ws, **kwargs)
    for kwargs in (
        {"template_id": 987654},
        {"name": "nope"},
        {"name": "welcome", "language": "fr"},
    ):
        with pytest.raises(NotFound):
            service.get_approved_template(db=db, workspace_id=ws, **kwargs)


def test_build_components(db, workspace):
    from tests.support.factories import make_template

    template = make_template(db, workspace.id, body=BODY)
    components = service.build_components(template, ["Ana", "#42", "Monday"])
    assert components == [
        {
            "type": "body",
            "parameters": [
                {"type": "text", "text": "Ana"},
                {"type": "text", "text": "#42"},
                {"type": "text", "text": "Monday"},
            ],
        }
    ]
    plain = make_template(db, workspace.id, "plain", body="Thanks for your order!")
    assert service.build_components(plain, []) == []


def test_build_components_rejects_wrong_count_and_empty(db, workspace):
    from tests.support.factories import make_template

    template = make_template(db, workspace.id, body=BODY)
    for params in ([], ["a", "b"], ["a", "b", "c", "d"]):
        with pytest.raises(ValidationFailed) as info:
            service.build_components(template, params)
        assert info.value.errors[0]["field"] == "template_params"
    with pytest.raises(ValidationFailed):
        service.build_components(template, ["Ana", "   ", "Monday"])
    plain = make_template(db, workspace.id, "plain", body="No params")
    with pytest.raises(ValidationFailed):
        service.build_components(plain, ["unexpected"])


def test_build_components_cleans_text_meta_would_reject(db, workspace):
    from tests.support.factories import make_template

    template = make_template(db, workspace.id, body="Note: {{1}}")
    [component] = service.build_components(template, ["line one\nline\ttwo       end"])
    text = component["parameters"][0]["text"]
    assert "\n" not in text and "\t" not in text and "     " not in text
    assert text == "line one line two    end"


def test_sync_route_pulls_from_graph_api_and_commits(client, auth, db, workspace, graph_api):  # noqa: F811
    """The route reaches the sync logic with the caller's sender and commits what it wrote."""
    from tests.support.factories import make_sender

    sender = make_sender(db, workspace.id, "106540352242922", waba_id="555000111")
    graph_api.set_templates(
        "555000111",
        [
            {
                "id": "9001",
                "name": "shipping_note",
                "language": "en_US",
                "status": "APPROVED",
                "category": "UTILITY",
                "components": [{"type": "BODY", "text": "Your parcel {{1}} left today."}],
            }
        ],
    )
    r = client.post(f"{BASE}/sync", json={"phone_number_id": sender.id}, headers=auth)
    assert r.status_code == 200, r.text
    listed = client.get(BASE, params={"status": "APPROVED"}, headers=auth).json()
    assert [(t["name"], t["param_count"]) for t in listed] == [("shipping_note", 1)]
    synced = service.get_approved_template(db=db, workspace_id=workspace.id, name="shipping_note")
    assert service.build_components(synced, ["ZX-1"])[0]["parameters"][0]["text"] == "ZX-1"
