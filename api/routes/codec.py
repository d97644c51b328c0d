"""The codec endpoint the Temporal UI (and `temporal` CLI, --codec-endpoint) calls to show
decrypted payloads to those allowed: auditors and admins, with their bearer token, or signed in
to StudyFlow in the same browser (the UI sends the session cookie: CORS with credentials for
its origin, api/app.py)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from google.protobuf.json_format import MessageToDict, ParseDict
from temporalio.api.common.v1 import Payloads

from domain import Actor

from ..auth import sessions
from ..deps import Reader, current_actor, require_may_operate
from ..errors import ApiError

router = APIRouter(prefix="/codec", tags=["codec"])


async def _apply(request: Request, actor: Any, decode: bool) -> dict[str, Any]:
    require_may_operate(actor, "decode_payloads")
    try:
        payloads = ParseDict(await request.json(), Payloads())
    except Exception as e:  # noqa: BLE001 - any malformed body is the caller's error
        raise ApiError(422, "invalid_payloads", f"expected {{\"payloads\": [...]}}: {e}") from None
    codec = request.app.state.codec
    try:
        out = await (codec.decode if decode else codec.encode)(list(payloads.payloads))
    except Exception as e:  # noqa: BLE001 - wrong key, altered ciphertext
        raise ApiError(422, "undecodable", f"cannot decode these payloads: {e}") from None
    return MessageToDict(Payloads(payloads=out))


async def codec_actor(request: Request, read: Reader,
                      authorization: Annotated[str | None, Header()] = None) -> Actor:
    """The bearer token's holder, else the person signed in to the web app in this browser."""
    if not authorization and request.cookies.get(sessions.COOKIE):
        session = await sessions.current(request)
        if session is not None and session.stage == sessions.ACTIVE:
            return session.as_actor
    return await current_actor(request, read, authorization)


CodecActor = Annotated[Actor, Depends(codec_actor)]


@router.post("/decode", summary="Decrypt Temporal payloads (Temporal codec server protocol)")
async def decode(request: Request, actor: CodecActor) -> dict[str, Any]:
    return await _apply(request, actor, decode=True)


@router.post("/encode", summary="Encrypt Temporal payloads (Temporal codec server protocol)")
async def encode(request: Request, actor: CodecActor) -> dict[str, Any]:
    return await _apply(request, actor, decode=False)
