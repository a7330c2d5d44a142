"""Redirect targets that come from a request (``return_to``) are rebuilt as local paths.

A string that merely *starts with* ``/`` is not a local path to a browser: it strips tabs and
newlines anywhere in a URL (``/\\t/evil`` becomes ``//evil``, another host), reads ``\\`` as ``/``,
and some servers decode ``%2F`` once more. So the raw value is never passed through: it is parsed,
refused when anything about it is ambiguous, and a new path + query is built from its parts with
every unusual character percent-encoded. A refused value falls back to a fixed default, and the
fallback is never an error page, so a bad ``return_to`` cannot crash a sign-in either.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote, unquote, urlsplit

#: Longest ``return_to`` accepted; beyond it the default is used.
MAX_LENGTH = 2048
#: Percent-decoding rounds examined for a hidden ``//``, ``\\`` or control character.
DECODE_ROUNDS = 3
#: Characters kept as they are in a rebuilt path (RFC 3986 pchar minus ``%``, plus ``/``).
PATH_SAFE = "/:@!$&'()*+,;=-._~"
#: Characters kept as they are in a rebuilt query (``%`` stays, so existing escapes survive).
QUERY_SAFE = "/?:@!$&'()*+,;=-._~%"


def safe_local_path(raw: object, default: str = "/account") -> str:
    """``raw`` rebuilt as a path (+ query) on this origin, or ``default`` when it is not one.

    ``default`` is trusted (a constant of the caller). The result always starts with exactly one
    ``/``, holds only printable ASCII, and has no scheme, host, fragment, backslash or dot segment.
    """
    if not isinstance(raw, str) or not raw or len(raw) > MAX_LENGTH or _unprintable(raw):
        return default
    try:
        parts = urlsplit(raw)
    except ValueError:  # e.g. an unbalanced "[" read as an IPv6 host
        return default
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return default
    if any(_ambiguous(form) for form in _decodings(parts.path)):
        return default
    path = quote(unquote(parts.path), safe=PATH_SAFE)
    query = quote(parts.query, safe=QUERY_SAFE)
    return f"{path}?{query}" if query else path


def _decodings(raw: str) -> list[str]:
    """``raw`` and what it becomes after each round of percent-decoding."""
    forms = [raw]
    for _ in range(DECODE_ROUNDS):
        decoded = unquote(forms[-1])
        if decoded == forms[-1]:
            break
        forms.append(decoded)
    return forms


def _unprintable(text: str) -> bool:
    """A backslash, or a control, format, separator or space character (browsers drop some)."""
    return "\\" in text or any(ch.isspace() or unicodedata.category(ch)[0] in "CZ" for ch in text)


def _ambiguous(path: str) -> bool:
    """A path that a browser or a server could read as another host or another directory."""
    segments = path.split("/")
    return (
        path.startswith("//")
        or _unprintable(path)
        or any(segment in {".", ".."} for segment in segments)
    )
