"""The codec endpoint the Temporal UI (and `temporal` CLI, --codec-endpoint) calls to show
decrypted payloads to those allowed: auditors and admins, with their bearer token."""

from typing import Any

from fastapi import APIRouter, Request
from google.protobuf.json_format import MessageToDict, ParseDict
from temporalio.api.common.v1 import Payloads

from ..deps import CurrentActor, require_may_operate
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


@router.post("/decode", summary="Decrypt Temporal payloads (Temporal codec server protocol)")
async def decode(request: Request, actor: CurrentActor) -> dict[str, Any]:
    return await _apply(request, actor, decode=True)


@router.post("/encode", summary="Encrypt Temporal payloads (Temporal codec server protocol)")
async def encode(request: Request, actor: CurrentActor) -> dict[str, Any]:
    return await _apply(request, actor, decode=False)
