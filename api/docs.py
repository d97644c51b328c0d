"""The interactive API documentation (Swagger UI at /docs, ReDoc at /redoc) from assets this
app serves itself (the fastapi-offline package ships them): a hospital network without
internet still shows it."""

from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from pydantic import TypeAdapter

from domain import ParticipantCommand, StudyCommand

ASSETS = Path(fastapi_offline.__file__).parent / "static"
PREFIX = "/docs-assets"


def install(app: FastAPI) -> None:
    app.mount(PREFIX, StaticFiles(directory=ASSETS), name="docs-assets")
    describe_commands(app)

    @app.get("/docs", include_in_schema=False)
    async def swagger() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="StudyFlow — API",
                                   swagger_js_url=f"{PREFIX}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{PREFIX}/swagger-ui.css",
                                   swagger_favicon_url=f"{PREFIX}/favicon.png")

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(openapi_url="/openapi.json", title="StudyFlow — API",
                              redoc_js_url=f"{PREFIX}/redoc.standalone.js",
                              redoc_favicon_url=f"{PREFIX}/favicon.png", with_google_fonts=False)


REASON = {"type": "object", "required": ["reason"], "properties": {"reason": {
    "type": "string", "minLength": 1, "maxLength": 2000,
    "description": "Why, for the audit trail (required on every state-changing call)"}}}
# each command body: a union discriminated by `type`, one schema per command, plus the reason
COMMAND_BODIES = {
    "/api/studies/{study_id}/commands": StudyCommand,
    "/api/studies/{study_id}/participants/{code}/commands": ParticipantCommand,
}


def _union(union: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    schema = TypeAdapter(union).json_schema(ref_template="#/components/schemas/{model}")
    return schema, schema.pop("$defs", {})


def describe_commands(app: FastAPI) -> None:
    """The OpenAPI schema names every command's body (the routes read them as free JSON, so
    that a refusal comes in words rather than FastAPI's generic 422)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for path, union in COMMAND_BODIES.items():
            body, defs = _union(union)
            components.update(defs)
            operation = schema["paths"][path]["post"]
            content = operation.setdefault("requestBody", {"required": True}).setdefault(
                "content", {}).setdefault("application/json", {})
            content["schema"] = {"allOf": [body, REASON]}
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
