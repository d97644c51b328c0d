"""One place maps failures to HTTP: a broken rule -> 409, malformed input -> 422, an unknown
study -> 404, a server we depend on down -> 503. Every error has the same shape:
{"error": {"code", "message"}}."""

from collections.abc import Callable
from typing import Any

import asyncpg
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

import i18n
from domain import BatchRefused, RuleViolation
from domain.messages_en import REFUSALS

from . import validation
from .engine import EngineUnavailable, StudyNotFound

log = structlog.get_logger()


class ApiError(Exception):
    """`worded`: the message is already in the caller's language (built with gettext)."""

    def __init__(self, status: int, code: str, message: str, worded: bool = False,
                 **extra: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra
        self.worded = worded


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def words(code: str, message: str) -> str:
    """`message` in the caller's language: in English the detailed sentence the rule wrote; in
    another, the rule's sentence of the catalogue, keyed by its stable code (which never
    changes with the language)."""
    if i18n.current() == "en":
        return message
    if code in REFUSALS:
        return i18n.gettext(REFUSALS[code])
    return i18n.gettext(message)


def _json(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse(error_body(code, words(code, message), **extra), status_code=status)


HTTP_CODES = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}
# the web pages' error page (api/web.py sets it): a browser asking for a page gets one
html_page: Callable[[Request, int, str], Response] | None = None


def wants_html(request: Request) -> bool:
    return (not request.url.path.startswith(("/api", "/healthz", "/metrics", "/codec"))
            and "text/html" in request.headers.get("accept", ""))


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, e: ApiError) -> JSONResponse:
        message = e.message if e.worded else words(e.code, e.message)
        response = JSONResponse(error_body(e.code, message, **e.extra), status_code=e.status)
        if "retry_after" in e.extra:
            response.headers["Retry-After"] = str(e.extra["retry_after"])
        return response

    @app.exception_handler(RuleViolation)
    async def rule(_: Request, e: RuleViolation) -> JSONResponse:
        if e.code == "unknown_participant":  # the workflow knows its participants: no lookup
            return _json(404, "participant_not_found", e.message)
        if e.code == "role_not_allowed":
            return _json(403, "forbidden", words(e.code, e.message))
        if isinstance(e, BatchRefused):  # the first refused command of a batch, by its index
            return _json(409, e.code, e.message, index=e.index)
        return _json(409, e.code, e.message)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, e: RequestValidationError) -> JSONResponse:
        details = validation.plain([dict(err) for err in e.errors()])
        return JSONResponse(error_body("invalid_input", validation.message(details),
                                       details=details), status_code=422)

    @app.exception_handler(StudyNotFound)
    async def not_found(_: Request, e: StudyNotFound) -> JSONResponse:
        return _json(404, "study_not_found", f"no study {e}")

    @app.exception_handler(EngineUnavailable)
    async def engine_down(_: Request, e: EngineUnavailable) -> JSONResponse:
        log.warning("engine unavailable", error=str(e))
        return _json(503, "engine_unavailable", "the workflow engine did not answer in time; "
                     "retry with the same Idempotency-Key")

    @app.exception_handler(asyncpg.DataError)
    async def unstorable(_: Request, e: asyncpg.DataError) -> JSONResponse:
        return _json(422, "invalid_input", f"the input cannot be stored: {e}")

    # The server gone, shutting down or restarting, or a connection it broke mid-operation
    # (asyncpg then reports an interface or internal client error): retrying is safe.
    @app.exception_handler(asyncpg.PostgresConnectionError)
    @app.exception_handler(asyncpg.exceptions.OperatorInterventionError)
    @app.exception_handler(asyncpg.InterfaceError)
    @app.exception_handler(asyncpg.InternalClientError)
    @app.exception_handler(OSError)
    async def database_down(_: Request, e: Exception) -> JSONResponse:
        log.warning("database unavailable", error=str(e))
        return _json(503, "database_unavailable", "the database is not reachable; retry later")

    @app.exception_handler(StarletteHTTPException)
    async def http(request: Request, e: StarletteHTTPException) -> Response:
        code = HTTP_CODES.get(e.status_code, "http_error")
        message = words(code, str(e.detail))
        if html_page is not None and wants_html(request):  # a person's browser: a page
            return html_page(request, e.status_code, message)
        return JSONResponse(error_body(code, message), status_code=e.status_code,
                            headers=getattr(e, "headers", None))

    @app.exception_handler(Exception)
    async def bug(_: Request, e: Exception) -> JSONResponse:
        log.exception("unhandled error", error=repr(e))
        return _json(500, "internal_error", "an unexpected error occurred; it has been logged")
