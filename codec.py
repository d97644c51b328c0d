"""No personal data in the engine: every Temporal payload (commands, results, workflow state)
is encrypted with AES-GCM before it leaves the process, so that Temporal's history holds only
ciphertext. Keys come from CODEC_KEYS ("id:base64key,id:base64key", the first encrypts, every
one decrypts, so that a rotated-out key keeps old histories readable) or, for the embedded
stack, from a key file in the data directory created on first use."""

import base64
import dataclasses
import os
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, PayloadCodec

from settings import Settings

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
# Large payloads (a study's carried state, a bulk append with thousands of participants) are
# compressed before encryption: JSON of that shape shrinks ten- to twenty-fold, which keeps
# them far under Temporal's 2 MB payload limit.
COMPRESSION = "compression"
COMPRESS_ABOVE = 4096  # bytes
KEY_FILE = "codec-keys"


class CodecKeyError(ValueError):
    pass


class AesGcmCodec(PayloadCodec):
    def __init__(self, keys: Sequence[tuple[str, bytes]]) -> None:
        if not keys:
            raise CodecKeyError("no codec key")
        self.current = keys[0][0]
        self.keys = {kid: AESGCM(key) for kid, key in keys}

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        out = []
        for p in payloads:
            plain = p.SerializeToString()
            metadata = {"encoding": ENCODING, KEY_ID: self.current.encode()}
            if len(plain) > COMPRESS_ABOVE:
                plain = zlib.compress(plain, 6)
                metadata[COMPRESSION] = b"zlib"
            nonce = os.urandom(12)
            sealed = self.keys[self.current].encrypt(nonce, plain, self.current.encode())
            out.append(Payload(metadata=metadata, data=nonce + sealed))
        return out

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        out = []
        for p in payloads:
            if p.metadata.get("encoding") != ENCODING:
                out.append(p)  # written before encryption was on: readable as it is
                continue
            kid = p.metadata[KEY_ID].decode()
            if kid not in self.keys:
                raise CodecKeyError(f"payload encrypted with key {kid!r}, which is not in "
                                    "CODEC_KEYS")
            plain = self.keys[kid].decrypt(p.data[:12], p.data[12:], kid.encode())
            if p.metadata.get(COMPRESSION) == b"zlib":
                plain = zlib.decompress(plain)
            out.append(Payload.FromString(plain))
        return out


def parse_keys(text: str) -> list[tuple[str, bytes]]:
    keys = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        kid, sep, b64 = item.partition(":")
        try:
            key = base64.b64decode(b64, validate=True)
        except ValueError:
            key = b""
        if not sep or not kid or len(key) not in (16, 24, 32):
            raise CodecKeyError(f"codec key {kid or item!r}: expected id:base64 of a 128, 192 "
                                "or 256-bit key")
        keys.append((kid, key))
    if not keys:
        raise CodecKeyError("CODEC_KEYS is empty")
    return keys


def new_key() -> str:
    """A fresh key line, id = creation time (`studyflow` prints one for rotation)."""
    kid = f"k{datetime.now(UTC):%Y%m%d%H%M%S}"
    return f"{kid}:{base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()}"


def keys_for(settings: Settings) -> list[tuple[str, bytes]]:
    if settings.codec_keys:
        return parse_keys(settings.codec_keys.get_secret_value())
    if settings.temporal_address:
        raise CodecKeyError("CODEC_KEYS must be set when Temporal is an external server: "
                            "every worker and client needs the same keys")
    path = settings.data_dir / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(new_key() + "\n")
    return parse_keys(path.read_text())


def codec_for(settings: Settings) -> AesGcmCodec:
    return AesGcmCodec(keys_for(settings))


def data_converter(settings: Settings) -> DataConverter:
    return dataclasses.replace(pydantic_data_converter, payload_codec=codec_for(settings))
