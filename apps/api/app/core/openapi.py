"""The OpenAPI document tells the truth about errors: every operation lists the error statuses
it really answers with, each in the one error shape (`ErrorResponse`).

FastAPI documents only 422, and with its own `HTTPValidationError` shape, which this service
never sends. The rules below follow from how the app is built: bearer auth (401) and key roles
(403, `x-required-role`), path ids (404), writes that can conflict or lose a race (409), the
body size limit (413), request validation (422) and calls to Meta (502).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict, Field

from app.core.errors import flat_routes

REF = "#/components/schemas/ErrorResponse"
# Operations that call Meta's Graph API (502 when it cannot be asked) ...
CALLS_META = {
    ("post", "/api/v1/phone-numbers"),
    ("patch", "/api/v1/phone-numbers/{sender_id}"),
    ("post", "/api/v1/templates/sync"),
    ("post", "/api/v1/media"),
}
# ... and operations whose body names other rows (404 when one does not exist).
BODY_IDS = {
    ("post", "/api/v1/campaigns"),
    ("post", "/api/v1/templates/sync"),
    ("post", "/api/v1/media"),
    ("post", "/api/v1/ai/score-lead"),
    ("post", "/api/v1/ai/ban-risk"),
    ("get", "/api/v1/inbox"),  # ?campaign_id= of another workspace
}
# Operations without a body or parameters that still refuse the current data (422).
STATE_CHECKS = {("post", "/api/v1/ai/intents/train")}
RAW_BODY = {("post", "/api/v1/webhooks/whatsapp")}  # read by hand: not in the document
DESCRIPTIONS = {
    400: "Bad request",
    401: "Missing, invalid or revoked API key",
    403: "The API key's role does not allow this",
    404: "Not found (or another workspace's)",
    409: "Conflicts with the current state (a duplicate, a state change, a concurrent write)",
    413: "Request body too large",
    422: "Invalid input; `errors` names each field",
    502: "The WhatsApp Cloud API could not be reached or refused the call",
    503: "Temporarily unavailable; retry",
}


class ErrorItem(BaseModel):
    model_config = ConfigDict(extra="allow")

    field: str = Field(description="The field at fault (dotted path for nested values)")
    message: str


class ErrorResponse(BaseModel):
    """Every error answer of the API."""

    detail: str
    code: str = Field(description="Stable machine-readable code, e.g. not_found")
    errors: list[ErrorItem]


def required_role(route: Any) -> str | None:
    """The role a route's dependencies demand: a dependency marks it as `required_role`."""
    dependant = getattr(route, "dependant", None)
    stack = list(dependant.dependencies) if dependant is not None else []
    while stack:
        dep = stack.pop()
        role = getattr(dep.call, "required_role", None)
        if role:
            return role
        stack.extend(dep.dependencies)
    return None


def _error_response(status: int) -> dict[str, Any]:
    return {
        "description": DESCRIPTIONS.get(status, "Error"),
        "content": {"application/json": {"schema": {"$ref": REF}}},
    }


def _statuses(method: str, path: str, op: dict[str, Any], admin: bool) -> set[int]:
    found = {int(c) for c in op.get("responses", {}) if c.isdigit() and int(c) >= 400}
    has_body = "requestBody" in op
    params = op.get("parameters", [])
    if op.get("security"):
        found.add(401)
        if method != "get" or admin:
            found.add(403)
        if method != "get":
            found.add(409)
    if any(p["in"] == "path" for p in params) or (method, path) in BODY_IDS:
        found.add(404)
    if has_body or (method, path) in RAW_BODY:
        found.add(413)
    if has_body or params or (method, path) in STATE_CHECKS:
        found.add(422)
    if (method, path) in CALLS_META:
        found.add(502)
    return found


def document_errors(app: FastAPI, schema: dict[str, Any]) -> dict[str, Any]:
    """Rewrite `schema` in place: error responses per operation, one shared error schema."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (ErrorItem, ErrorResponse):
        model_schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        model_schema.pop("$defs", None)
        components[model.__name__] = model_schema
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    roles = {
        (method.lower(), route.path_format): role
        for route in flat_routes(app.routes)
        if (role := required_role(route))
        for method in route.methods
    }
    for path, item in schema.get("paths", {}).items():
        for method, op in item.items():
            admin = (method, path) in roles
            if admin:
                op["x-required-role"] = roles[(method, path)]
            responses = op.setdefault("responses", {})
            for status in sorted(_statuses(method, path, op, admin)):
                described = responses.get(str(status), {}).get("description")
                responses[str(status)] = _error_response(status)
                if described and status != 422:  # FastAPI's 422 text is "Validation Error"
                    responses[str(status)]["description"] = described
    return schema


def install_openapi(app: FastAPI) -> None:
    """Serve the corrected document at /openapi.json (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            app.openapi_schema = document_errors(app, schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
