"""Authlib's framework seam for Starlette: an ``OAuth2Request`` built from an already-read request.

Authlib integrates Flask and Django only; its server calls are synchronous, so the route reads the
body first (``await request.form()``) and hands Authlib a request whose payload is that data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from authlib.oauth2.rfc6749 import OAuth2Payload, OAuth2Request


class _Payload(OAuth2Payload):
    """Query and form parameters, each with every value it was given (Authlib rejects repeats)."""

    def __init__(self, pairs: Sequence[tuple[str, str]]) -> None:
        self._datalist: defaultdict[str, list[str]] = defaultdict(list)
        for key, value in pairs:
            self._datalist[key].append(value)
        self._data = {key: values[0] for key, values in self._datalist.items()}

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        return self._datalist


class StarletteOAuth2Request(OAuth2Request):
    """What Authlib sees of one HTTP request (``headers`` stays case-insensitive)."""

    def __init__(
        self,
        method: str,
        uri: str,
        headers: Mapping[str, str],
        query: Sequence[tuple[str, str]],
        form: Sequence[tuple[str, str]] = (),
    ) -> None:
        super().__init__(method=method, uri=uri, headers=headers)
        self.payload = _Payload([*query, *form])
        self._args = dict(query)
        self._form = dict(form)

    @property
    def args(self) -> dict[str, Any]:
        return self._args

    @property
    def form(self) -> dict[str, Any]:
        return self._form
