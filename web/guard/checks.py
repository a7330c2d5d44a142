"""What the edge refuses, as pure functions over decoded input; each names the problem precisely.

The rules hold for every endpoint, so they are only those no endpoint can want: NUL and lone
surrogates (no database or protocol stores them), JSON deeper than any document we define, integers
no column holds, non-ASCII where a protocol field is ASCII by definition.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from typing import Any


class Refused(ValueError):
    """Input the edge refuses; ``status`` and the message are the answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class Limits:
    """Hard limits, named (authlib/joserfc style)."""

    #: Deepest JSON nesting: SCIM PATCH values, the codec's payloads and events stay below 10.
    MAX_JSON_DEPTH = 32
    #: Longest JSON integer (digits): 2**63 has 19.
    MAX_INT_DIGITS = 19
    #: Largest integer in JSON or an all-digit query value: a 64-bit signed integer.
    MAX_INTEGER = 2**63 - 1


#: Fields that RFC 6749/OIDC (VSCHAR, NQCHAR, URI) or our own forms define as printable ASCII.
ASCII_FIELDS = frozenset(
    {
        "csrf_token",
        "seq",
        "screen",
        "response_type",
        "response_mode",
        "client_id",
        "redirect_uri",
        "post_logout_redirect_uri",
        "scope",
        "state",
        "nonce",
        "code_challenge",
        "code_challenge_method",
        "code_verifier",
        "grant_type",
        "refresh_token",
        "token_type_hint",
        "client_assertion",
        "client_assertion_type",
        "id_token_hint",
        "prompt",
        "max_age",
        "acr_values",
        "startIndex",
        "count",
    }
)
#: Fields that are URIs: only RFC 3986 characters (no space, quote, backslash, braces …).
URI_FIELDS = frozenset({"redirect_uri", "post_logout_redirect_uri"})
#: Query parameters that are numbers (offsets, counts, page sizes): an all-digit value must fit a
#: 64-bit integer. Other parameters may be all digits by chance (a token): their length is theirs.
NUMERIC_FIELDS = frozenset(
    {"startIndex", "count", "page", "limit", "offset", "per_page", "max_age", "seq"}
)
PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]*")
URI_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")
#: C0 controls and DEL never belong in a path; NUL and lone surrogates nowhere.
PATH_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
NEVER = re.compile(r"[\x00\ud800-\udfff]")
DIGITS = re.compile(r"[0-9]+")
STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
BRACKETS = re.compile(r"[\[\]{}]")


def check_text(name: str, value: str, *, numbers: bool = False) -> None:
    """A decoded parameter (query or form): no NUL or lone surrogate anywhere; printable ASCII
    in protocol fields; with ``numbers`` (query strings), numeric parameters within a 64-bit
    integer (offsets and counts no database accepts)."""
    if NEVER.search(value) or NEVER.search(name):
        raise Refused(f"Parameter {_shown(name)} contains a NUL or an invalid character.")
    if name in ASCII_FIELDS and not PRINTABLE_ASCII.fullmatch(value):
        raise Refused(f"Parameter {name} must be printable ASCII.")
    if name in URI_FIELDS and not URI_CHARACTERS.fullmatch(value):
        raise Refused(f"Parameter {name} is not a URI (RFC 3986 characters only).")
    if (
        numbers
        and name in NUMERIC_FIELDS
        and DIGITS.fullmatch(value)
        and (len(value) > len(str(Limits.MAX_INTEGER)) or int(value) > Limits.MAX_INTEGER)
    ):
        raise Refused(f"Parameter {_shown(name)} is out of range.")


def check_params(pairs: Iterable[tuple[str, str]], *, numbers: bool = False) -> None:
    """Every ``(name, value)`` of a query string or urlencoded form."""
    for name, value in pairs:
        check_text(name, value, numbers=numbers)


def check_path(path: str) -> None:
    """A decoded path: no control characters (``%00``, ``%0a`` …) in any segment."""
    if PATH_CONTROLS.search(path) or NEVER.search(path):
        raise Refused("The path contains control characters.")


def check_json(body: bytes) -> None:
    """A JSON body: UTF-8 (RFC 8259 §8.1), at most :attr:`Limits.MAX_JSON_DEPTH` deep, integers
    within 64 bits, finite numbers, no NUL or lone surrogate in any string or key. A body that
    is not JSON at all passes: each API answers that in its own error format."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused("The body is not UTF-8 (JSON must be UTF-8).") from None
    depth = _max_depth(text)
    if depth > Limits.MAX_JSON_DEPTH:
        raise Refused(f"The JSON is nested deeper than {Limits.MAX_JSON_DEPTH} levels.")
    try:
        document = json.loads(text, parse_int=_bounded_int, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        if isinstance(exc, Refused):
            raise
        return  # not JSON at all: the route answers that in its API's own error format
    _check_strings(document)


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > Limits.MAX_INT_DIGITS or abs(int(digits)) > Limits.MAX_INTEGER:
        raise Refused(f"A JSON integer is beyond ±{Limits.MAX_INTEGER} (a 64-bit integer).")
    return int(digits)


def _no_constant(name: str) -> Any:
    raise Refused(f"{name} is not JSON.")


def _max_depth(text: str) -> int:
    """Nesting depth of brackets outside strings, counted before parsing (the parser recurses)."""
    depth = deepest = 0
    for bracket in BRACKETS.finditer(STRINGS.sub("", text)):
        if bracket.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _check_strings(document: Any) -> None:
    pending = [document]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if NEVER.search(item):
                raise Refused("A JSON string contains a NUL or a lone surrogate.")
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise Refused("A JSON number is out of range.")
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def _shown(name: str) -> str:
    """A parameter name safe to echo in a message."""
    return repr(name[:40].encode("ascii", "backslashreplace").decode())
