"""The FastAPI application: JSON API under /api, OpenAPI at /docs."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from temporalio.client import Client

from codec import codec_for
from settings import Settings
from store import EventStore, ReadModels, create_pool

from . import errors, metrics, web
from .ratelimit import FailureLimiter
from .routes import audit, codec, inbox, people, studies

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                               "style-src 'self' 'unsafe-inline'; script-src 'self' "
                               "'unsafe-inline' https://cdn.jsdelivr.net; form-action 'self'; "
                               "frame-ancestors 'none'",
}


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every answer but the interactive docs' (plain ASGI: a
    BaseHTTPMiddleware costs about a millisecond per request)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/docs"):
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
        from worker import connect_temporal

        own_pool = pool is None
        app.state.pool = pool or await create_pool(settings.database_url or "")
        app.state.temporal = client or await connect_temporal(settings)
        app.state.settings = settings
        app.state.codec = codec_for(settings)
        app.state.login_limiter = FailureLimiter(settings.login_max_failures,
                                                 settings.login_window_seconds)
        app.state.read_models = ReadModels(app.state.pool)
        app.state.event_store = EventStore(app.state.pool)
        yield
        if own_pool:
            await app.state.pool.close()

    app = FastAPI(title="StudyFlow", version="0.1.0", lifespan=lifespan,
                  description="Clinical studies through the Jardé law, on Temporal and "
                              "PostgreSQL. Every /api call takes `Authorization: Bearer TOKEN`.")
    errors.install(app)
    app.add_middleware(CORSMiddleware, allow_origins=settings.codec_cors_origins,
                       allow_methods=["POST"], allow_headers=["Authorization", "Content-Type",
                                                              "X-Namespace"])

    app.add_middleware(SecurityHeaders)

    for router in (studies.router, inbox.router, people.router, audit.router, codec.router,
                   metrics.router):
        app.include_router(router)
    web.install(app)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    return app
