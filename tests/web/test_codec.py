"""The codec endpoint the Temporal UI calls to show decrypted payloads to support staff."""

from __future__ import annotations

import base64
import json

import httpx
from temporalio.api.common.v1 import Payload

from journeys.kit.converter import EncryptionCodec
from tests.support.settings import build_settings
from web.app import create_app

UI = "http://127.0.0.1:8233"


def payloads_json(payload: Payload) -> dict[str, object]:
    return {
        "payloads": [
            {
                "metadata": {k: base64.b64encode(v).decode() for k, v in payload.metadata.items()},
                "data": base64.b64encode(payload.data).decode(),
            }
        ]
    }


async def post(app: object, path: str, body: dict[str, object], **headers: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://threshold.test") as http:
        return await http.post(path, json=body, headers=headers)


async def encrypted(settings_codec: EncryptionCodec, text: str) -> Payload:
    plain = Payload(metadata={"encoding": b"json/plain"}, data=json.dumps(text).encode())
    [sealed] = await settings_codec.encode([plain])
    return sealed


async def test_decode_for_the_ui_origin_in_development() -> None:
    settings = build_settings(
        database_url="sqlite://",
        smtp_url="smtp://127.0.0.1:1",
        environment="development",
        temporal_ui_url=UI,
    )
    payload = await encrypted(EncryptionCodec(settings.codec_keyring), "hello support")
    app = create_app(settings)

    answer = await post(app, "/codec/decode", payloads_json(payload), Origin=UI)
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == UI
    [decoded] = answer.json()["payloads"]
    assert json.loads(base64.b64decode(decoded["data"])) == "hello support"

    foreign = await post(app, "/codec/decode", payloads_json(payload), Origin="http://evil.test")
    assert "access-control-allow-origin" not in foreign.headers


async def test_outside_development_a_token_is_required() -> None:
    settings = build_settings(
        database_url="sqlite://", smtp_url="smtp://127.0.0.1:1", codec_token="s3cret-token"
    )
    payload = await encrypted(EncryptionCodec(settings.codec_keyring), "x")
    app = create_app(settings)
    assert (await post(app, "/codec/decode", payloads_json(payload))).status_code == 401
    ok = await post(
        app, "/codec/decode", payloads_json(payload), Authorization="Bearer s3cret-token"
    )
    assert ok.status_code == 200
    disabled = create_app(build_settings(database_url="sqlite://", smtp_url="smtp://127.0.0.1:1"))
    assert (await post(disabled, "/codec/decode", payloads_json(payload))).status_code == 403


async def test_garbage_and_unknown_keys_are_clear_errors() -> None:
    settings = build_settings(
        database_url="sqlite://", smtp_url="smtp://127.0.0.1:1", environment="development"
    )
    app = create_app(settings)
    garbage = await post(app, "/codec/decode", {"payloads": "nope"})
    assert garbage.status_code == 400
    other = build_settings(
        database_url="sqlite://",
        smtp_url="smtp://127.0.0.1:1",
        codec_keys="other:" + base64.b64encode(b"k" * 32).decode(),
    )
    foreign = await encrypted(EncryptionCodec(other.codec_keyring), "x")
    unknown = await post(app, "/codec/decode", payloads_json(foreign))
    assert unknown.status_code == 422 and "unknown key" in unknown.json()["error"]
