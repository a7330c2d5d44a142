"""User-Agent Client Hints: asked for on every page, read when a sign-in or registration starts.

Chromium sends the low-entropy hints (``Sec-CH-UA``, ``Sec-CH-UA-Mobile``, ``Sec-CH-UA-Platform``)
on every request of a secure context, and the high-entropy ones (platform version, model, …) only
to a site that asked with ``Accept-CH``. Every page asks; the entry points ``/login`` and
``/register`` (redirects without side effects) also name the high-entropy hints in ``Critical-CH``,
so a first visit is retried once with them before the journey starts. The journey start reads what
arrived into one string, ``JourneyStart.client_hints``, which the risk features place under the
browser (docs/risk.md): an attacker copying the user-agent string still shows their own machine's
platform version and model. Firefox and Safari send none: the string is empty and scores nothing.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

LOW_ENTROPY = ("Sec-CH-UA", "Sec-CH-UA-Mobile", "Sec-CH-UA-Platform")
HIGH_ENTROPY = ("Sec-CH-UA-Platform-Version", "Sec-CH-UA-Model")
ACCEPT_CH = ", ".join(LOW_ENTROPY + HIGH_ENTROPY)
#: Each hint value is short; a longer one is cut (the risk features cut the whole string too).
MAX_VALUE = 64


def advertise(response: Response, *, critical: bool = False) -> Response:
    """Ask for the hints on later requests (``critical``: retry this one with them)."""
    response.headers["Accept-CH"] = ACCEPT_CH
    if critical:
        response.headers["Critical-CH"] = ", ".join(HIGH_ENTROPY)
    return response


def read(request: Request) -> str:
    """``platform="…";version="…";model="…"`` from the hints sent, ``""`` when none were.

    Only the platform is low-entropy; without the high-entropy hints the string names it alone,
    so a browser that never answered ``Accept-CH`` is told apart from one that did. The brand list
    repeats the user agent's browser and major version, which the features already have.
    """
    platform = _value(request, "sec-ch-ua-platform")
    version = _value(request, "sec-ch-ua-platform-version")
    model = _value(request, "sec-ch-ua-model")
    if "sec-ch-ua-platform-version" in request.headers:
        return f'platform="{platform}";version="{version}";model="{model}"'
    return f'platform="{platform}"' if platform else ""


def _value(request: Request, name: str) -> str:
    """A structured-header string value without its quotes (``"Windows"`` → ``Windows``)."""
    raw = request.headers.get(name, "").strip()[:MAX_VALUE]
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        raw = raw[1:-1]
    return raw.replace('"', "").replace(";", "")
