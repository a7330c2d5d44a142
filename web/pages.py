"""Rendering: one template per page, and just its ``screen`` block for HTMX swaps.

Templates render with ``StrictUndefined`` so a missing variable is an error in tests, not a blank.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2_fragments.fastapi import Jinja2Blocks
from starlette.requests import Request
from starlette.responses import Response

from core.settings import Settings
from journeys.kit import JOURNEYS, LinkPage, ScreenView
from store.idps import Idps
from web import client_hints
from web.csrf import Csrf
from web.htmx import is_htmx

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


class Pages:
    """Renders pages and journey screens with the context every template expects."""

    def __init__(self, settings: Settings, csrf: Csrf) -> None:
        self.settings = settings
        self.csrf = csrf
        env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
        )
        self.templates = Jinja2Blocks(env=env)

    def page(
        self,
        request: Request,
        template: str,
        context: dict[str, Any] | None = None,
        *,
        status: int = 200,
        block: str | None = None,
    ) -> Response:
        """Render ``template`` (or one of its blocks) with the common context."""
        full = {
            "csrf_token": self.csrf.token_for(request),
            "dev_mode": self.settings.environment == "development",
            "dev_mail": bool(self.settings.dev_mail_dir),
            **(context or {}),
        }
        response = self.templates.TemplateResponse(
            request, template, full, status_code=status, block_name=block
        )
        self.csrf.persist(request, response)
        return client_hints.advertise(response)

    def screen(
        self,
        request: Request,
        journey_id: str,
        view: ScreenView,
        *,
        status: int = 200,
        values: dict[str, str] | None = None,
        field_errors: dict[str, str] | None = None,
        form_errors: list[str] | None = None,
    ) -> Response:
        """Render a journey screen, overlaying errors and values from a rejected post."""
        if values or field_errors or form_errors:
            fields = [
                f.model_copy(
                    update={
                        "value": "" if f.secret else (values or {}).get(f.name, f.value),
                        "error": (field_errors or {}).get(f.name, f.error),
                    }
                )
                for f in view.fields
            ]
            view = view.model_copy(
                update={"fields": fields, "errors": [*view.errors, *(form_errors or [])]}
            )
        base = f"/j/{view.journey}/{journey_id}"
        response = self.page(
            request,
            self._template_for(view),
            {
                "view": view,
                "page_url": base,
                "events_url": f"{base}/events",
                "start_url": f"/j/{view.journey}",
                # The sign-in screen offers every upstream provider (docs/oidc.md).
                "upstream_idps": Idps(self.settings).names() if view.screen == "sign-in" else [],
            },
            status=status,
            block="screen" if is_htmx(request) else None,
        )
        journey = JOURNEYS.get(view.journey)
        if journey is not None and journey.referrer_policy:
            response.headers["Referrer-Policy"] = journey.referrer_policy
        return response

    def error(self, request: Request, status: int, title: str, message: str) -> Response:
        """A clear error page (or just its block for HTMX, which swaps it into the screen)."""
        return self.page(
            request,
            "error.html",
            {"title": title, "message": message},
            status=status,
            block="screen" if is_htmx(request) else None,
        )

    def link_confirmation(
        self, request: Request, journey: str, *, action: str, token: str
    ) -> Response:
        """The page an emailed link opens: a button that posts ``token`` to ``action``.

        Nothing happens before the click (mail scanners prefetch links), and the page sends no
        referrer, so the token in its address never leaves for another site.
        """
        response = self.page(
            request,
            "journeys/link.html",
            {"action": action, "token": token, "link_page": self.link_page(journey)},
        )
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    @staticmethod
    def link_page(journey: str) -> LinkPage:
        """The words ``journey`` declared for its emailed-link pages (neutral ones if none)."""
        declared = JOURNEYS.get(journey)
        return declared.link_page if declared is not None else LinkPage()

    @staticmethod
    def _template_for(view: ScreenView) -> str:
        override = f"journeys/{view.journey}/{view.screen}.html"
        if (TEMPLATES / override).is_file():
            return override
        return "journeys/_screen.html"
