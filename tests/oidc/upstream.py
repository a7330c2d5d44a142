"""panva's oidc-provider as the upstream IdP (tests/oidc/upstream_idp.mjs), and a browser walk
through it: Threshold → provider's login and consent forms → Threshold's callback."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from store.idps import Idps
from tests.oidc.support import NODE_MODULES, Provider
from tests.support.browser import Browser, Page
from tests.support.net import free_port
from tests.support.prereqs import require

SCRIPT = "upstream_idp.mjs"
CLIENT_ID = "threshold-rp"
CLIENT_SECRET = "upstream-client-secret-5c2e81d0a4"
ACTION = re.compile(r'<form[^>]*action="([^"]+)"')
STARTUP_TIMEOUT_SECONDS = 20.0


@dataclass(frozen=True)
class Upstream:
    """A running upstream provider registered in Threshold as ``name``."""

    name: str
    issuer: str


@asynccontextmanager
async def running_upstream(
    op: Provider, accounts: dict[str, dict[str, object]], *, name: str = "acme"
) -> AsyncIterator[Upstream]:
    """Start the provider with ``accounts`` (sub → claims) and register it in Threshold."""
    node = shutil.which("node")
    require(node is not None, "node is needed for the oidc-provider peer")
    require((NODE_MODULES / "oidc-provider").is_dir(), "run `npm ci` for the oidc-provider peer")
    assert node is not None
    port = free_port("127.0.0.1")
    issuer = f"http://127.0.0.1:{port}"
    config = {
        "issuer": issuer,
        "port": port,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": [f"{op.issuer}/login/idp/{name}/callback"],
        "accounts": accounts,
    }
    process = await asyncio.create_subprocess_exec(
        node,
        str(NODE_MODULES.parent / "tests" / "oidc" / SCRIPT),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(json.dumps(config).encode())
    process.stdin.close()
    try:
        line = await asyncio.wait_for(process.stdout.readline(), STARTUP_TIMEOUT_SECONDS)
        assert line.strip() == b"ready", line
        Idps(op.settings).add(name, issuer=issuer, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        yield Upstream(name, issuer)
    finally:
        process.kill()
        await process.wait()


async def through_upstream(browser: Browser, start: str, login: str) -> Page:
    """Follow redirects from ``start``, signing in upstream as ``login`` and consenting, until a
    Threshold page that is not a redirect to the upstream provider."""
    page = await browser.get(start)
    for _ in range(16):
        if page.status in (302, 303):
            # Join relative redirects to the page's own origin: two servers share one browser.
            page = await browser.get(str(page.response.url.join(page.response.headers["location"])))
        elif 'name="prompt"' in page.html:
            found = ACTION.search(page.html)
            assert found is not None, page.html[:300]
            action = str(page.response.url.join(found[1]))
            form = (
                {"prompt": "login", "login": login, "password": "any"}
                if 'name="login"' in page.html
                else {"prompt": "consent"}
            )
            page = await browser.post(action, form)
        else:
            return page
    raise AssertionError(f"the upstream sign-in did not finish: {page.status} {page.html[:300]}")
