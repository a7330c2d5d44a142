"""Refuse malformed input at the edge, before any route parses it (issue 15, finding 8).

Every request's path and query are checked; its body is read here, at most
:attr:`InputGuard.MAX_BODY_BYTES` (413 beyond, by ``Content-Length`` or by counting a streamed
body), checked by content type, and replayed to the app unchanged. JSON APIs' bodies are checked
as JSON whatever their declared type, so a route that parses its own body never meets a UTF-16 one.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from web.asgi import HttpLayer
from web.guard.answers import is_json_api, problem
from web.guard.checks import Refused, check_json, check_params, check_path


class InputGuard(HttpLayer):
    """The checks of :mod:`web.guard.checks`, applied to every HTTP request."""

    #: Largest body of any endpoint (forms and API documents are a few kilobytes).
    MAX_BODY_BYTES = 1024 * 1024
    #: Larger bodies where they are expected: the Temporal UI decodes a page of payloads at once.
    LARGER: tuple[tuple[str, int], ...] = (("/codec/", 4 * 1024 * 1024),)
    #: Most parameters in one query string or form.
    MAX_PARAMS = 200

    def limit_for(self, path: str) -> int:
        """The body limit of ``path``."""
        return next((size for prefix, size in self.LARGER if path.startswith(prefix)), None) or (
            self.MAX_BODY_BYTES
        )

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        headers = Headers(scope=scope)
        try:
            check_path(path)
            self._check_params(scope.get("query_string", b"").decode("latin-1"), numbers=True)
            body = await self._read(receive, headers, self.limit_for(path))
            if body:
                self._check_body(path, headers, body)
        except Refused as refused:
            await problem(Request(scope), refused.status, str(refused))(scope, receive, send)
            return
        except _Disconnected:
            return
        await self.app(scope, _replay(body, receive), send)

    def _check_params(self, encoded: str, *, numbers: bool = False) -> None:
        try:
            pairs = parse_qsl(
                encoded,
                keep_blank_values=True,
                encoding="utf-8",
                errors="strict",
                max_num_fields=self.MAX_PARAMS,
            )
        except UnicodeDecodeError:
            raise Refused("The parameters are not UTF-8.") from None
        except ValueError:
            raise Refused(f"More than {self.MAX_PARAMS} parameters.") from None
        check_params(pairs, numbers=numbers)

    async def _read(self, receive: Receive, headers: Headers, limit: int) -> bytes:
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.isdigit():
                raise Refused("Content-Length is not a number.")
            if int(declared) > limit:
                raise Refused(f"The body is larger than {limit} bytes.", 413)
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Disconnected
            body += message.get("body", b"")
            if len(body) > limit:
                raise Refused(f"The body is larger than {limit} bytes.", 413)
            if not message.get("more_body", False):
                return bytes(body)

    def _check_body(self, path: str, headers: Headers, body: bytes) -> None:
        kind = headers.get("content-type", "").split(";")[0].strip().lower()
        form = kind == "application/x-www-form-urlencoded"
        if form and (path.startswith("/oauth2/") or not is_json_api(path)):
            self._check_params(body.decode("latin-1"))
        elif kind == "application/json" or kind.endswith("+json") or is_json_api(path):
            # A JSON API parses whatever arrives as JSON, whatever the client declared.
            check_json(body)


class _Disconnected(Exception):
    """The client left before its body arrived: there is no one to answer."""


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the app the body read here, then the real channel (so streaming
    answers still learn about a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
