"""The codec endpoint decodes for signed-in support staff only, for the Temporal UI origin only."""

from __future__ import annotations

import base64
import json
import uuid

import httpx
from temporalio.api.common.v1 import Payload

from core.codec import EncryptionCodec
from core.settings import Settings
from store.models import AuditEvent
from store.staff import StaffDirectory
from tests.conftest import MakeSettings
from tests.support.browser import browser_for
from tests.support.staff import StaffLogin, add_staff, sign_in
from tests.support.store import register_customer, rows
from web.app import create_app
from web.sessions import SessionStore

UI = str(Settings.model_fields["temporal_ui_url"].default)  # the default UI origin


def payloads_json(payload: Payload) -> dict[str, object]:
    return {
        "payloads": [
            {
                "metadata": {k: base64.b64encode(v).decode() for k, v in payload.metadata.items()},
                "data": base64.b64encode(payload.data).decode(),
            }
        ]
    }


async def encrypted(settings: Settings, text: str) -> Payload:
    plain = Payload(metadata={"encoding": b"json/plain"}, data=json.dumps(text).encode())
    [sealed] = await EncryptionCodec(settings.codec_keyring).encode([plain])
    return sealed


def codec_settings(make_settings: MakeSettings, sqlite_url: str) -> Settings:
    return make_settings(sqlite_url, temporal_ui_url=UI)


def staff(settings: Settings, role: str = "support") -> StaffLogin:
    return add_staff(settings, f"staff-{uuid.uuid4().hex[:8]}@example.com", role)


async def post(
    http: httpx.AsyncClient, path: str, body: dict[str, object], **headers: str
) -> httpx.Response:
    return await http.post(path, json=body, headers=headers)


async def test_a_signed_in_staff_member_decodes_for_the_ui_origin(
    make_settings: MakeSettings, sqlite_url: str
) -> None:
    settings = codec_settings(make_settings, sqlite_url)
    member = staff(settings)
    payload = await encrypted(settings, "hello support")
    app = create_app(settings)
    async with browser_for(app) as browser:
        await sign_in(browser, member)
        referer = f"{UI}/namespaces/default/workflows/registration-abc/run-1/history"
        answer = await post(
            browser.http,
            "/codec/decode",
            payloads_json(payload),
            Origin=UI,
            **{"X-Namespace": "default", "Referer": referer},
        )

    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == UI
    assert answer.headers["access-control-allow-credentials"] == "true"
    [decoded] = answer.json()["payloads"]
    assert json.loads(base64.b64decode(decoded["data"])) == "hello support"
    [audited] = rows(settings, AuditEvent, kind="codec.decode")
    assert audited.journey_id == "registration-abc"
    assert json.loads(audited.detail) == {
        "namespace": "default",
        "payloads": 1,
        "staff_id": member.id,
    }


async def test_anonymous_customers_and_other_namespaces_are_refused(
    make_settings: MakeSettings, sqlite_url: str
) -> None:
    settings = codec_settings(make_settings, sqlite_url)
    payload = await encrypted(settings, "x")
    app = create_app(settings)
    body = payloads_json(payload)
    async with browser_for(app) as anonymous:
        refused = await post(anonymous.http, "/codec/decode", body, Origin=UI)
        assert refused.status_code == 401
        assert refused.headers["access-control-allow-origin"] == UI  # the UI can show why

        customer_session = SessionStore(settings).issue_for_journey(
            customer_id=_customer(settings),
            journey_id=f"registration-{uuid.uuid4()}",
            nonce="n",
            amr=["pwd"],
            user_agent="test",
            ip="127.0.0.1",
        )
        anonymous.http.cookies.set("thr_session", customer_session)
        assert (await post(anonymous.http, "/codec/decode", body)).status_code == 403

    member = staff(settings)
    async with browser_for(app) as browser:
        await sign_in(browser, member)
        other = await post(browser.http, "/codec/decode", body, **{"X-Namespace": "payments"})
        assert other.status_code == 403
        encode = await post(browser.http, "/codec/encode", body)
        assert encode.status_code == 403, "encoding is for admins"
    assert rows(settings, AuditEvent, kind="codec.decode") == []


async def test_other_origins_get_no_cors_headers(
    make_settings: MakeSettings, sqlite_url: str
) -> None:
    settings = codec_settings(make_settings, sqlite_url)
    payload = await encrypted(settings, "x")
    app = create_app(settings)
    async with browser_for(app) as browser:
        await sign_in(browser, staff(settings))
        foreign = await post(
            browser.http, "/codec/decode", payloads_json(payload), Origin="http://evil.test"
        )
        preflight = await browser.http.options(
            "/codec/decode",
            headers={"Origin": "http://127.0.0.1:8234", "Access-Control-Request-Method": "POST"},
        )
        ui_preflight = await browser.http.options(
            "/codec/decode", headers={"Origin": UI, "Access-Control-Request-Method": "POST"}
        )
    assert "access-control-allow-origin" not in foreign.headers
    assert "access-control-allow-credentials" not in foreign.headers
    assert "access-control-allow-origin" not in preflight.headers
    assert ui_preflight.headers["access-control-allow-origin"] == UI


async def test_bearer_staff_tokens_work_and_admins_may_encode(
    make_settings: MakeSettings, sqlite_url: str
) -> None:
    settings = codec_settings(make_settings, sqlite_url)
    admin = staff(settings, "admin")
    token = StaffDirectory(settings).issue_token(admin.created.email, days=1)
    app = create_app(settings)
    plain = Payload(metadata={"encoding": b"json/plain"}, data=b'"round trip"')
    async with browser_for(app) as http:
        bearer = {"Authorization": f"Bearer {token}"}
        encoded = await post(http.http, "/codec/encode", payloads_json(plain), **bearer)
        assert encoded.status_code == 200
        decoded = await post(http.http, "/codec/decode", encoded.json(), **bearer)
        assert decoded.status_code == 200
        wrong = await post(http.http, "/codec/decode", encoded.json(), Authorization="Bearer x")
        assert wrong.status_code == 401
    assert base64.b64decode(decoded.json()["payloads"][0]["data"]) == b'"round trip"'


async def test_garbage_and_unknown_keys_are_clear_errors(
    make_settings: MakeSettings, sqlite_url: str
) -> None:
    settings = codec_settings(make_settings, sqlite_url)
    app = create_app(settings)
    other = make_settings(sqlite_url, codec_keys="other:" + base64.b64encode(b"k" * 32).decode())
    foreign = await encrypted(other, "x")
    async with browser_for(app) as browser:
        await sign_in(browser, staff(settings))
        garbage = await post(browser.http, "/codec/decode", {"payloads": "nope"})
        unknown = await post(browser.http, "/codec/decode", payloads_json(foreign))
    assert garbage.status_code == 400
    assert unknown.status_code == 422 and "unknown key" in unknown.json()["error"]


def _customer(settings: Settings) -> str:
    return register_customer(settings, f"customer-{uuid.uuid4().hex[:8]}@example.com")
