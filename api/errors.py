"""One table from domain errors to HTTP statuses, and the JSON shape of every error."""

from __future__ import annotations

import logging
import math

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from geo.common import errors as e

log = logging.getLogger("borderzone.api")

STATUS = {
    e.AuthorityExceeded: (422, "authority_exceeded"),
    e.InvalidInput: (422, "invalid_input"),
    e.PayloadTooLarge: (413, "payload_too_large"),
    e.NotFound: (404, "not_found"),
    e.Conflict: (409, "conflict"),
    e.NotPermitted: (403, "forbidden"),
    e.NotAuthenticated: (401, "unauthenticated"),
    e.RateLimited: (429, "rate_limited"),
    e.StoreUnavailable: (503, "unavailable"),
    e.DataError: (503, "data_unavailable"),
}


def status_of(exc: e.GeoError) -> tuple[int, str]:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500, "error"


def error_body(code: str, message: str, field: str | None = None, **extra) -> dict:
    body = {"error": code, "message": message}
    if field:
        body["field"] = field
    body.update(extra)
    return body


async def on_domain_error(_: Request, exc: e.GeoError) -> JSONResponse:
    status, code = status_of(exc)
    wait = exc.detail.get("retry_after_s", 5)
    headers = {"Retry-After": str(max(1, math.ceil(wait)))} if status in (503, 429) else None
    return JSONResponse(error_body(code, exc.message, exc.field, **exc.detail), status,
                        headers=headers)


async def on_validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
    problems = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("query", "body", "path")]
        problems.append({"field": ".".join(loc) or "request", "problem": err.get("msg")})
    first = problems[0] if problems else {"field": "request", "problem": "invalid"}
    message = "; ".join(f"{p['field']}: {p['problem']}" for p in problems)
    return JSONResponse(error_body("invalid_input", message, first["field"],
                                   problems=problems), 422)


async def on_unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    return JSONResponse(error_body("internal", "internal error; it has been logged"), 500)


async def on_http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    """Routing errors (unknown path 404, wrong method 405) in the same shape as the rest."""
    code = HTTP_CODES.get(exc.status_code, "http_error")
    return JSONResponse(error_body(code, str(exc.detail)), exc.status_code,
                        headers=getattr(exc, "headers", None))


HTTP_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}

#: The JSON shape of every error answer, as documented in the OpenAPI schema.
ERROR_SCHEMA = {
    "title": "Error", "type": "object", "required": ["error", "message"],
    "properties": {"error": {"type": "string", "description": "machine-readable code"},
                   "message": {"type": "string"},
                   "field": {"type": "string", "description": "the input at fault"}},
    "additionalProperties": True,
}
_ERROR_REF = {"description": "an error (see `error` and `message`)",
              "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def document(app: FastAPI) -> None:
    """Make the OpenAPI schema describe the errors as they are sent: 422 in this module's
    shape (not FastAPI's default), and every other status as the ``default`` response."""
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                responses = operation.setdefault("responses", {})
                if "422" in responses:
                    responses["422"] = {**_ERROR_REF, "description": "invalid input"}
                responses.setdefault("default", _ERROR_REF)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi


async def on_data_error(_: Request, exc: DataError) -> JSONResponse:
    """A value PostgreSQL cannot take (a NUL byte in text, a number out of its range) that
    no check caught first: the caller's input, so a 422, never a 500."""
    reason = str(getattr(exc, "orig", exc)).splitlines()[0][:200]
    return JSONResponse(error_body("invalid_input", f"a value is not acceptable: {reason}"),
                        422)


def install(app: FastAPI) -> None:
    app.add_exception_handler(e.GeoError, on_domain_error)
    app.add_exception_handler(DataError, on_data_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected)
    document(app)
