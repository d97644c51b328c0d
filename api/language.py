"""The caller's language for one request: the saved preference (a cookie set by the
language switch), else Accept-Language, else the LANGUAGE setting (i18n.negotiate). Plain
ASGI, so that the exception handlers that word `error.message` run inside it; the answer
says which language it speaks (Content-Language)."""

from http.cookies import SimpleCookie

from starlette.types import ASGIApp, Message, Receive, Scope, Send

import i18n


def language_of(headers: dict[bytes, bytes]) -> str:
    cookies = SimpleCookie()
    try:
        cookies.load(headers.get(b"cookie", b"").decode("latin-1"))
    except Exception:  # a malformed cookie header: as if there were none
        cookies = SimpleCookie()
    saved = cookies.get(i18n.COOKIE)
    return i18n.negotiate(saved.value if saved else None,
                          headers.get(b"accept-language", b"").decode("latin-1"))


class Language:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        language = language_of(dict(scope.get("headers", [])))
        token = i18n.set_language(language)

        async def with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []),
                                                  (b"content-language", language.encode()),
                                                  (b"vary", b"Accept-Language, Cookie")]}
            await send(message)

        try:
            await self.app(scope, receive, with_language)
        finally:
            i18n.reset_language(token)
