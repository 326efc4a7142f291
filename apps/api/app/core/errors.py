"""One JSON error shape for every failure: {"detail", "code", "errors": [{"field", "message"}]}."""

from __future__ import annotations

import logging
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi import routing as fastapi_routing
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)


class AppError(Exception):
    """A business error that knows its HTTP status."""

    status_code = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        code: str | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or []
        if code:
            self.code = code
        if status_code:
            self.status_code = status_code


class NotFound(AppError):
    status_code = 404
    code = "not_found"

    def __init__(self, resource: str, ident: object | None = None) -> None:
        text = f"{resource} not found" if ident is None else f"{resource} {ident} not found"
        super().__init__(text)


class Conflict(AppError):
    status_code = 409
    code = "conflict"


class FeatureDisabled(AppError):
    """A feature switched off by its setting (e.g. AI_LEAD_SCORING_ENABLED=false)."""

    status_code = 409
    code = "feature_disabled"

    def __init__(self, feature: str, setting: str) -> None:
        super().__init__(f"{feature} is disabled ({setting}=false)")
        self.setting = setting


class Unauthorized(AppError):
    status_code = 401
    code = "unauthorized"


class Forbidden(AppError):
    """The key is valid but its role does not allow this (SPEC: key roles, docs/security.md)."""

    status_code = 403
    code = "forbidden"


class ValidationFailed(AppError):
    status_code = 422
    code = "validation_error"

    def __init__(self, message: str, *, field: str | None = None, **extra: Any) -> None:
        errors = [{"field": field, "message": message, **extra}] if field else []
        super().__init__(message, errors=errors)


class PayloadTooLarge(AppError):
    status_code = 413
    code = "payload_too_large"


def error_body(code: str, message: str, errors: list[dict[str, Any]] | None = None) -> dict:
    return {"detail": message, "code": code, "errors": errors or []}


_HTTP_CODES = {
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
}
# FastAPI's answer when reading the JSON body fails for another reason than bad JSON syntax
# (not UTF-8, nested past Python's recursion limit): reported exactly like malformed JSON.
_BODY_PARSE_ERROR = "There was an error parsing the body"


def flat_routes(routes: list[Any]) -> list[Any]:
    """Every route with its full path. FastAPI ≥ 0.130 keeps included routers as nested
    entries of `app.routes`; `iter_route_contexts` flattens them (older: already flat)."""
    iterate = getattr(fastapi_routing, "iter_route_contexts", None)
    return list(iterate(routes)) if iterate is not None else list(routes)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves for this path (FastAPI registers one route per method,
    and Starlette's own 405 names only the first matching route's)."""
    path = request.scope.get("path", "")
    methods: set[str] = set()
    for route in flat_routes(request.app.router.routes):
        regex, route_methods = getattr(route, "path_regex", None), getattr(route, "methods", None)
        if regex is not None and route_methods and regex.match(path):
            methods |= set(route_methods)
    return sorted(methods)


def _field_name(loc: tuple | list) -> str:
    """`("body", "phone")` → "phone"; only the leading location is dropped, so a field that
    is itself called "body" keeps its name."""
    parts = [str(p) for p in loc]
    if len(parts) > 1 and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    return ".".join(parts)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(_: Request, exc: AppError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return JSONResponse(
            error_body(exc.code, exc.message, exc.errors), exc.status_code, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for err in exc.errors():
            item: dict[str, Any] = {
                "field": _field_name(err.get("loc", ())),
                "message": err.get("msg", "invalid"),
                "type": err.get("type"),
            }
            errors.append(item)
        fields = ", ".join(e["field"] for e in errors) or "request"
        if any(e["type"] == "json_invalid" for e in errors):
            return JSONResponse(error_body("malformed_json", "Malformed JSON body", errors), 422)
        return JSONResponse(error_body("validation_error", f"Invalid: {fields}", errors), 422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:
            # Only reading the body raises a plain 400 here (FastAPI's JSON decoding, Starlette's
            # multipart parser); our own refusals are AppErrors. Reported like malformed JSON.
            if exc.detail == _BODY_PARSE_ERROR:
                reason = type(exc.__cause__).__name__ if exc.__cause__ else "unreadable"
                errors = [{"field": "body", "message": f"cannot be read as JSON ({reason})"}]
                return JSONResponse(
                    error_body("malformed_json", "Malformed JSON body", errors), 422
                )
            errors = [{"field": "body", "message": str(exc.detail)}]
            return JSONResponse(error_body("malformed_body", str(exc.detail), errors), 422)
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request))
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return JSONResponse(error_body(code, str(exc.detail)), exc.status_code, headers=headers)

    @app.exception_handler(StaleDataError)
    async def _stale(_: Request, exc: StaleDataError) -> JSONResponse:
        # A row changed or vanished between read and write (a concurrent DELETE): the loser of
        # the race learns it, it is not a server error.
        log.info("stale row: %s", exc)
        return JSONResponse(
            error_body("conflict", "The record was changed or deleted by another request"), 409
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(_: Request, exc: IntegrityError) -> JSONResponse:
        log.info("integrity error: %s", exc.orig)
        return JSONResponse(error_body("conflict", "Conflicts with an existing record"), 409)

    async def _data_error(_: Request, exc: Exception) -> JSONResponse:
        # Safety net only: request schemas refuse such values first, naming the field.
        log.warning("database refused a value: %s", getattr(exc, "orig", exc))
        return JSONResponse(
            error_body("invalid_data", "A value is not accepted by the database"), 422
        )

    app.add_exception_handler(DataError, _data_error)
    app.add_exception_handler(psycopg.DataError, _data_error)

    # Unexpected exceptions are answered by `app.core.middleware.ErrorShieldMiddleware`, not by
    # an `Exception` handler: Starlette re-raises after such a handler, and the server then
    # resets the keep-alive connection the 500 went out on.
