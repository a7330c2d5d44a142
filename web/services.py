"""Per-process dependencies of the web app, built once by ``create_app`` and shared by routes."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from temporalio.client import Client

from core.codec import make_data_converter
from core.security.sealing import Sealer
from core.settings import Settings
from core.telemetry import client_interceptors
from web.binding import JourneyBinding
from web.cookies import CookieJar
from web.csrf import Csrf
from web.devices import DeviceCookie
from web.forms import FormReader
from web.gateway import JourneyGateway
from web.pages import Pages
from web.sessions import SessionStore, SignedIn


@dataclass
class Services:
    """Everything a route needs; the Temporal client connects on first use (web stays up if
    Temporal is briefly down, and reports it on ``/healthz``)."""

    settings: Settings
    client: Client | None = None
    cookies: CookieJar = field(init=False)
    csrf: Csrf = field(init=False)
    binding: JourneyBinding = field(init=False)
    devices: DeviceCookie = field(init=False)
    sessions: SessionStore = field(init=False)
    sealer: Sealer = field(init=False)
    forms: FormReader = field(init=False)
    pages: Pages = field(init=False)
    _gateway: JourneyGateway | None = field(default=None, init=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)

    def __post_init__(self) -> None:
        s = self.settings
        self.cookies = CookieJar(s)
        self.csrf = Csrf(s.derive_key("csrf"), self.cookies)
        self.binding = JourneyBinding(s.derive_key("journey-binding"), self.cookies)
        self.devices = DeviceCookie(s.derive_key("device"), self.cookies)
        self.sessions = SessionStore(s)
        self.sealer = Sealer(s.derive_key("sealing"))
        self.forms = FormReader(self.sealer)
        self.pages = Pages(s, self.csrf)
        if self.client is not None:
            self._gateway = JourneyGateway(self.client, s.task_queue)

    async def gateway(self) -> JourneyGateway:
        """The journey gateway, connecting to Temporal on first use."""
        if self._gateway is None:
            async with self._lock:
                if self._gateway is None:
                    self.client = await Client.connect(
                        self.settings.temporal_address,
                        namespace=self.settings.temporal_namespace,
                        data_converter=make_data_converter(self.settings.codec_keyring),
                        interceptors=client_interceptors(self.settings),
                    )
                    self._gateway = JourneyGateway(self.client, self.settings.task_queue)
        return self._gateway


def services(request: Request) -> Services:
    """The app's :class:`Services`."""
    found: Services = request.app.state.services
    return found


async def gateway(request: Request) -> JourneyGateway:
    """The journey gateway for this app."""
    return await services(request).gateway()


def signed_in(request: Request) -> SignedIn | None:
    """The signed-in customer of this request, if any."""
    svc = services(request)
    return svc.sessions.load(request.cookies.get(svc.cookies.name(CookieJar.SESSION)))


Svc = Annotated[Services, Depends(services)]
Gateway = Annotated[JourneyGateway, Depends(gateway)]
MaybeCustomer = Annotated[SignedIn | None, Depends(signed_in)]
