"""The payload codec: AES-GCM, key rotation keeping old payloads readable, tampering refused,
histories written before encryption still readable."""

import base64

import pytest
from cryptography.exceptions import InvalidTag
from temporalio.api.common.v1 import Payload

from codec import ENCODING, AesGcmCodec, CodecKeyError, keys_for, new_key, parse_keys
from settings import Settings


def payload(text: str) -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=text.encode())


async def test_encrypts_and_decrypts_with_the_current_key():
    codec = AesGcmCodec(parse_keys(new_key()))
    [sealed] = await codec.encode([payload('{"title": "Patient Dupont"}')])
    assert sealed.metadata["encoding"] == ENCODING and b"Dupont" not in sealed.SerializeToString()
    [back] = await codec.decode([sealed])
    assert back == payload('{"title": "Patient Dupont"}')
    [again] = await codec.encode([payload('{"title": "Patient Dupont"}')])
    assert again.data != sealed.data  # a fresh nonce each time


async def test_rotation_keeps_old_payloads_readable_and_encrypts_with_the_new_key():
    old, new = new_key().replace("k", "old", 1), new_key().replace("k", "new", 1)
    [sealed_old] = await AesGcmCodec(parse_keys(old)).encode([payload("before")])
    rotated = AesGcmCodec(parse_keys(f"{new},{old}"))
    assert (await rotated.decode([sealed_old]))[0].data == b"before"
    [sealed_new] = await rotated.encode([payload("after")])
    assert sealed_new.metadata["encryption-key-id"].decode().startswith("new")
    with pytest.raises(CodecKeyError, match="not in CODEC_KEYS"):
        await AesGcmCodec(parse_keys(old)).decode([sealed_new])


async def test_altered_ciphertext_is_refused_and_plain_payloads_pass_through():
    codec = AesGcmCodec(parse_keys(new_key()))
    [sealed] = await codec.encode([payload("x")])
    sealed.data = sealed.data[:-1] + bytes([sealed.data[-1] ^ 1])
    with pytest.raises(InvalidTag):
        await codec.decode([sealed])
    assert await codec.decode([payload("old history")]) == [payload("old history")]


@pytest.mark.parametrize("bad", ["", "nokey", "k1:notbase64!", "k1:" + base64.b64encode(
    b"short").decode()])
def test_bad_keys_are_refused_with_a_reason(bad):
    with pytest.raises(CodecKeyError):
        parse_keys(bad)


def test_the_embedded_stack_keeps_its_key_in_the_data_directory(tmp_path):
    settings = Settings(STUDYFLOW_DATA_DIR=tmp_path, CODEC_KEYS=None,  # type: ignore[call-arg]
                        TEMPORAL_ADDRESS=None)
    first = keys_for(settings)
    assert keys_for(settings) == first  # created once, then read
    assert (tmp_path / "codec-keys").stat().st_mode & 0o777 == 0o600
    with pytest.raises(CodecKeyError, match="external"):
        keys_for(settings.model_copy(update={"temporal_address": "temporal:7233"}))
