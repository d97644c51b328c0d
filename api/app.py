"""The FastAPI application: JSON API under /api, OpenAPI at /docs. Its services come from
bootstrap.py, in the lifespan."""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from temporalio.client import Client

import bootstrap
import i18n
from settings import Settings

from . import docs, errors, metrics, web
from .auth.cache import TokenCache
from .language import Language
from .ratelimit import FailureLimiter
from .routes import (
    audit,
    auth,
    calendar,
    codec,
    documents,
    imports,
    inbox,
    people,
    reports,
    studies,
)

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                               "style-src 'self' 'unsafe-inline'; script-src 'self' "
                               "'unsafe-inline'; form-action 'self'; "
                               "frame-ancestors 'none'",
}


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every answer but the interactive docs' (plain ASGI: a
    BaseHTTPMiddleware costs about a millisecond per request)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(("/docs", "/redoc")):
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *self.headers]}
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(settings: Settings, pool: asyncpg.Pool | None = None,
               client: Client | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with bootstrap.services(settings, pool, client) as services:
            app.state.pool = services.pool
            app.state.temporal = services.temporal
            app.state.settings = services.settings
            app.state.codec = services.codec
            app.state.read_models = services.read_models
            app.state.event_store = services.event_store
            app.state.documents = services.documents
            app.state.login_limiter = FailureLimiter(settings.login_max_failures,
                                                     settings.login_window_seconds)
            app.state.token_cache = TokenCache()
            # what the process built to start (modules, templates, schemas: most of its heap)
            # lives as long as it: out of the collector's full passes, which otherwise scan it
            # all every few page loads (130-240 ms each, measured on a big study's page)
            gc.collect()
            gc.freeze()
            async with app.state.token_cache.listen(services.pool):
                yield

    app = FastAPI(title="StudyFlow", version="0.1.0", lifespan=lifespan,
                  docs_url=None, redoc_url=None,  # served below, from this app's own files
                  description="Clinical studies through the Jardé law, on Temporal and "
                              "PostgreSQL. Every /api call takes `Authorization: Bearer TOKEN`.")
    errors.install(app)
    # the Temporal UI calls the codec from its own origin with the browser's session cookie
    # (credentials: include): only those origins, never "*"
    app.add_middleware(CORSMiddleware, allow_origins=settings.codec_cors_origins,
                       allow_credentials=True, allow_methods=["POST"],
                       allow_headers=["Authorization", "Content-Type", "X-Namespace"])

    app.add_middleware(SecurityHeaders)
    i18n.configure(settings.language, settings.time_zone)
    app.add_middleware(Language)

    app.include_router(auth.router)
    app.include_router(auth.api_router)
    for router in (studies.router, imports.router, inbox.router, people.router, audit.router,
                   codec.router, metrics.router, reports.router, calendar.router,
                   documents.router):
        app.include_router(router)
    web.install(app, bootstrap.secret_key(settings))
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    docs.install(app)
    return app
