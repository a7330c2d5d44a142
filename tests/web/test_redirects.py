"""``safe_local_path``: whatever a request puts in ``return_to``, a browser stays on this origin.

The judge is ada (the WHATWG URL parser browsers implement): each output is resolved as a
``Location`` would be, also after servers percent-decode it once or twice more, and must keep the
origin. Outputs must be printable ASCII (a header with a newline drops the connection).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote, unquote

import httpx
import pytest
import pytest_asyncio
from ada_url import URL, join_url
from hypothesis import given, settings
from hypothesis import strategies as st
from temporalio.client import Client

from core.settings import Settings
from tests.conftest import MakeSettings
from tests.support.browser import Browser, Page
from tests.support.login import pinned
from tests.support.store import register_customer, unique_email
from tests.support.temporal import running_worker, target_of
from tests.support.webserver import serving
from web.app import create_app
from web.redirects import MAX_LENGTH, safe_local_path

ORIGIN = "https://app.example"
DEFAULT = "/account"


def stays_home(location: str) -> bool:
    """True when a browser at ``ORIGIN/some/page`` following ``location`` stays on ``ORIGIN``."""
    return bool(URL(join_url(f"{ORIGIN}/some/page", location)).origin == ORIGIN)


def assert_safe(output: str) -> None:
    assert output.isascii() and output.isprintable(), output
    assert output.startswith("/") and not output.startswith("//"), output
    assert "\\" not in output and "#" not in output, output
    for form in (output, unquote(output), unquote(unquote(output))):
        assert stays_home(form), (output, form)


NASTY = [
    "/\t/127.0.0.1:9999/pwned",
    "/\n/x",
    "/\r\n/x",
    "/\x00/x",
    "/ /evil.com",
    "//evil.com",
    "///evil.com",
    "/\\evil.com",
    "\\\\evil.com",
    "/\\/evil.com",
    "/%2F/evil.com",
    "/%2f%2fevil.com",
    "%2F%2Fevil.com",
    "/%5Cevil.com",
    "/%255C%255Cevil.com",
    "/%252F%252Fevil.com",
    "/%09/evil.com",
    "/%0a/evil.com",
    "/%0d%0aSet-Cookie:x=1",
    "/%E2%80%A8/evil.com",
    "/\u2028/evil.com",
    "/\u200b/evil.com",
    "/\u3000/evil.com",
    "/\ufeff/evil.com",
    "/..//evil.com",
    "/./evil.com",
    "/%2e%2e/%2e%2e//evil.com",
    "/a/..",
    "https://evil.com",
    "http:/evil.com",
    "http:evil.com",
    "HTTPS://evil.com/",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>",
    " /account",
    "\t/account",
    "account",
    "evil.com",
    "//[",
    "/[",
    "",
    "/" + "a" * MAX_LENGTH,
    "@evil.com",
    "/@evil.com/\\@x",
    "/#//evil.com",
]


@pytest.mark.parametrize("raw", NASTY)
def test_nasty_targets_never_leave_the_origin(raw: str) -> None:
    output = safe_local_path(raw, DEFAULT)

    assert_safe(output)


@pytest.mark.parametrize(
    "raw",
    [
        "/\t/127.0.0.1:9999/pwned",
        "/\n/x",
        "//evil.com",
        "/\\evil.com",
        "/%2F/evil.com",
        "/%5Cevil.com",
        "/..//evil.com",
        "https://evil.com",
        "javascript:alert(1)",
    ],
)
def test_ambiguous_targets_fall_back_to_the_default(raw: str) -> None:
    assert safe_local_path(raw, DEFAULT) == DEFAULT


@pytest.mark.parametrize(
    ("raw", "rebuilt"),
    [
        ("/account", "/account"),
        ("/account/security?done=totp", "/account/security?done=totp"),
        ("/login/idp/acme/link", "/login/idp/acme/link"),
        (
            "/oauth2/authorize?client_id=rp&scope=openid%20profile"
            "&redirect_uri=https%3A%2F%2Frp.example%2Fcb&state=a%2Fb",
            "/oauth2/authorize?client_id=rp&scope=openid%20profile"
            "&redirect_uri=https%3A%2F%2Frp.example%2Fcb&state=a%2Fb",
        ),
        ("/caf\u00e9", "/caf%C3%A9"),
        ("/a?x=1#frag", "/a?x=1"),
        ("/@me", "/@me"),
    ],
)
def test_local_paths_are_kept_rebuilt(raw: str, rebuilt: str) -> None:
    assert safe_local_path(raw, DEFAULT) == rebuilt


def test_a_non_string_falls_back() -> None:
    assert safe_local_path(None, DEFAULT) == DEFAULT
    assert safe_local_path(["/x"], DEFAULT) == DEFAULT


#: Characters browsers and servers treat specially in URLs, to steer generation towards trouble.
TRICKY = st.sampled_from(
    [
        "/", "\\", "\t", "\n", "\r", " ", "%", "2F", "2f", "5C", "09", "0a", "25", ".", "..",
        ":", "@", "?", "#", "[", "]", "\x00", "\x7f", "\u2028", "\u200b", "\uff0f", "evil.com",
        "http", "https:", "//", "a", "0",
    ]
)  # fmt: skip


@settings(max_examples=2000, deadline=None)
@given(st.lists(TRICKY, max_size=12).map("".join))
def test_generated_tricky_targets_never_leave_the_origin(raw: str) -> None:
    output = safe_local_path(raw, DEFAULT)

    assert_safe(output)
    assert safe_local_path(output, DEFAULT) == output


@settings(max_examples=1000, deadline=None)
@given(st.text(max_size=64))
def test_any_text_gives_a_local_path(raw: str) -> None:
    assert_safe(safe_local_path(raw, DEFAULT))
    assert_safe(safe_local_path("/" + raw, DEFAULT))


# ----- over real HTTP: the sign-in that used to redirect away, or drop the connection ------------

PASSWORD = "violet-tractor-harbour"


@pytest_asyncio.fixture
async def served(
    make_settings: MakeSettings, sqlite_url: str, client: Client
) -> AsyncIterator[tuple[str, Settings]]:
    """A real uvicorn server (h11 refuses a header with a newline) with risk pinned to allow."""
    config = pinned(make_settings(sqlite_url, temporal_address=target_of(client)), "allow")
    async with running_worker(client, config), serving(create_app(config, client=client)) as url:
        yield url, config


async def htmx_sign_in(browser: Browser, start: str, email: str) -> Page:
    page = await browser.get(start)
    while page.status == 303:
        page = await browser.follow(page)
    assert page.screen == "sign-in", page.html[:300]
    return await browser.post(
        str(page.response.url.path),
        page.form(email=email, password=PASSWORD),
        headers={"hx-request": "true"},
    )


@pytest.mark.parametrize("target", ["/\t/127.0.0.1:9999/pwned", "/\n/x", "/\\evil.example"])
async def test_htmx_sign_in_with_a_hostile_return_to_lands_home(
    served: tuple[str, Settings], target: str
) -> None:
    url, config = served
    email = unique_email("redirect")
    register_customer(config, email, PASSWORD)
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        browser = Browser(http)
        answer = await htmx_sign_in(browser, f"/login?return_to={quote(target, safe='')}", email)

        assert answer.status == 200, answer.html[:300]
        assert answer.response.headers["hx-redirect"] == "/account"
        reauth = await browser.get(f"/account/reauth?return_to={quote(target, safe='')}")
        assert reauth.status == 303  # the same connection still answers
        assert (await browser.get("/account")).status == 200
