"""A plain authorization-code flow over HTTP (no relying-party library), for tests that need the
raw code and tokens: PKCE pairs, the authorize URL, and the code exchange."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any
from urllib.parse import urlencode

from tests.oidc.support import Provider, query_of, sign_in_and_authorize
from tests.support.browser import Browser


def pkce() -> tuple[str, str]:
    """A verifier and its S256 challenge."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_url(client_id: str, redirect_uri: str, **extra: str) -> str:
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": "openid email offline_access",
        "state": "s-123",
        "nonce": "n-456",
        **extra,
    }
    return "/oauth2/authorize?" + urlencode(params)


async def code_for(
    op: Provider, browser: Browser, client_id: str, challenge: str, **extra: str
) -> str:
    """Sign in (if needed), consent (if asked) and return the code the client receives."""
    page = await sign_in_and_authorize(
        browser,
        authorize_url(
            client_id,
            op.redirect_uri,
            code_challenge=challenge,
            code_challenge_method="S256",
            **extra,
        ),
        op.email,
    )
    assert "location" in page.response.headers, (page.status, page.screen, page.html[-1500:])
    return query_of(page)["code"]


def exchange(client_id: str, redirect_uri: str, code: str, verifier: str) -> dict[str, str]:
    """The token request body for a public client."""
    return {
        "grant_type": "authorization_code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "code": code,
        "code_verifier": verifier,
    }


async def tokens_for(op: Provider, browser: Browser, client_id: str) -> tuple[str, dict[str, Any]]:
    """A full flow for a public client; returns the code and the token response."""
    verifier, challenge = pkce()
    code = await code_for(op, browser, client_id, challenge)
    answer = await op.token(exchange(client_id, op.redirect_uri, code, verifier))
    assert answer.status_code == 200, answer.text
    tokens: dict[str, Any] = answer.json()
    return code, tokens
