"""A seeded, reproducible simulator of customers' sign-ins and of attackers who know the password.

Addresses are real allocations: the simulator samples the IPv4 space with its own random
generator and keeps the addresses the bundled GeoLite2 data (``geoip2fast``, the same lookup the
risk activity uses) places in a country and a network owner, so country and ASN lookups of
simulated sign-ins work exactly as in production.

Customers have habits: a home ISP (a fixed address that sometimes changes within its /24, rarely
to another /24), maybe an office network, a mobile carrier whose addresses change every time,
1–3 devices (each a browser with a device cookie that is sometimes cleared and a version that is
sometimes upgraded) and occasional trips abroad. Attackers sign in once with the right password:

* ``naive``: any address on the internet, any common browser, no device cookie;
* ``vpn``: an address in the victim's country on a network the victim never used;
* ``targeted``: the victim's country and the victim's usual browser family and OS;
* ``very targeted``: the victim's home ISP (another /24) and the victim's exact user agent.

Customers sign in at habitual hours (a peak hour of the day, ±2 h, sometimes any time); Chromium
browsers send User-Agent Client Hints (platform version, phone model) that an attacker copying
the user agent string does not see. Attackers act on their own schedule (any hour of the test
day) and send their own machine's client hints.
"""

from __future__ import annotations

import ipaddress
import random
from collections import defaultdict
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from workers.risk.geo import locate

HOME_COUNTRIES = {
    "US": 30,
    "GB": 8,
    "DE": 8,
    "FR": 7,
    "IN": 10,
    "BR": 7,
    "JP": 6,
    "CA": 5,
    "AU": 4,
    "ES": 4,
    "IT": 4,
    "NL": 3,
    "PL": 3,
    "MX": 3,
}
START = datetime(2026, 1, 1, tzinfo=UTC)
ATTACKS = ("naive", "vpn", "targeted", "very targeted")
#: Client-hint platform versions and phone models a Chromium browser reports, by platform.
PLATFORM_VERSIONS = {
    "Windows": ("10.0.0", "13.0.0", "14.0.0", "15.0.0", "19.0.0"),
    "macOS": ("13.6.7", "14.5.0", "14.6.1", "15.0.1", "15.1.0"),
    "Android": ("12.0.0", "13.0.0", "14.0.0", "15.0.0"),
}
PHONE_MODELS = tuple(
    f"{brand} {n}"
    for brand in ("SM-A", "SM-S", "Pixel", "moto g", "Redmi Note", "CPH")
    for n in range(10, 40, 3)
)


@dataclass(frozen=True)
class Browser:
    """A user-agent template; ``{v}`` is the browser major, ``{o}`` the OS major."""

    template: str
    versions: tuple[int, int]
    os_versions: tuple[int, int] = (0, 0)
    mobile: bool = False
    weight: int = 1
    hints: Literal["", "Windows", "macOS", "Android"] = ""

    def render(self, version: int, os_version: int) -> str:
        return self.template.format(v=version, o=os_version)


BROWSERS = (
    Browser(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/{v}.0.0.0 Safari/537.36",
        (127, 132),
        weight=30,
        hints="Windows",
    ),
    Browser(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/{v}.0.0.0 Safari/537.36 Edg/{v}.0.0.0",
        (127, 132),
        weight=8,
        hints="Windows",
    ),
    Browser(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0",
        (129, 134),
        weight=5,
    ),
    Browser(
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
        "Gecko) Version/{v}.0 Safari/605.1.15",
        (16, 18),
        weight=8,
    ),
    Browser(
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/{v}.0.0.0 Safari/537.36",
        (127, 132),
        weight=6,
        hints="macOS",
    ),
    Browser(
        "Mozilla/5.0 (X11; Linux x86_64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0",
        (129, 134),
        weight=2,
    ),
    Browser(
        "Mozilla/5.0 (iPhone; CPU iPhone OS {o}_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
        "like Gecko) Version/{o}.0 Mobile/15E148 Safari/604.1",
        (0, 0),
        (16, 18),
        mobile=True,
        weight=20,
    ),
    Browser(
        "Mozilla/5.0 (Linux; Android {o}; K) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/{v}.0.0.0 Mobile Safari/537.36",
        (127, 132),
        (12, 15),
        mobile=True,
        weight=25,
        hints="Android",
    ),
)


@dataclass
class Device:
    """A browser on a machine: its user agent evolves, its cookie is sometimes cleared."""

    browser: Browser
    version: int
    os_version: int
    cookie: str
    client_hints: str = ""

    @property
    def user_agent(self) -> str:
        return self.browser.render(self.version, self.os_version)


@dataclass(frozen=True)
class Login:
    """One sign-in as the web layer would see it."""

    client_ip: str
    user_agent: str
    device: str
    at: datetime
    client_hints: str = ""


@dataclass
class Customer:
    """A customer's habits and the sign-ins they produce."""

    id: str
    country: str
    home_asn: str
    home_net: int
    home_host: int
    work: str | None
    mobile_asn: str
    devices: list[Device]
    peak_hour: float = 12.0
    logins: list[Login] = field(default_factory=list)


class AddressBook:
    """Real /24 allocations by country and network owner, sampled reproducibly."""

    def __init__(self, rng: random.Random, samples: int) -> None:
        nets: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
        for _ in range(samples):
            value = rng.getrandbits(32)
            place = locate(ipaddress.IPv4Address(value))
            if place.country and place.asn:
                nets[place.country][place.asn].add(value >> 8)
        self.nets = {c: {a: sorted(n) for a, n in asns.items()} for c, asns in nets.items()}
        self.countries = sorted(self.nets)
        self.sizes = {c: sum(len(n) for n in asns.values()) for c, asns in self.nets.items()}

    def asns(self, country: str) -> list[str]:
        return sorted(self.nets[country])

    def pick_asn(
        self, rng: random.Random, country: str, avoid: AbstractSet[str] = frozenset()
    ) -> str:
        """A network owner in ``country``, weighted by its size (big ISPs are common)."""
        choices = [a for a in self.asns(country) if a not in avoid] or self.asns(country)
        weights = [len(self.nets[country][a]) for a in choices]
        return rng.choices(choices, weights)[0]

    def pick_net(self, rng: random.Random, country: str, asn: str, avoid: int = -1) -> int:
        nets = [n for n in self.nets[country][asn] if n != avoid] or self.nets[country][asn]
        return rng.choice(nets)

    def pick_country(self, rng: random.Random, avoid: str = "") -> str:
        """Any country, weighted by how much address space it has."""
        countries = [c for c in self.countries if c != avoid]
        return rng.choices(countries, [self.sizes[c] for c in countries])[0]


def address(net: int, host: int) -> str:
    return str(ipaddress.IPv4Address((net << 8) | host))


class Simulator:
    """Builds customers with ``history`` past sign-ins plus one more to test, and attacks."""

    P_WORK = 0.5
    P_CONTEXT = {"home": 0.55, "work": 0.2, "mobile": 0.2, "travel": 0.05}
    P_NEW_HOST = 0.15
    P_NEW_NET = 0.05
    P_CLEAR_COOKIE = 0.05
    P_UPGRADE = 0.05
    MEAN_DAYS_BETWEEN = 3.0
    P_OFF_HOURS = 0.15
    HABIT_SPREAD_HOURS = 2.0

    def __init__(self, seed: int, samples: int = 200_000) -> None:
        self.rng = random.Random(seed)
        self.book = AddressBook(self.rng, samples)
        self.home_countries = {c: w for c, w in HOME_COUNTRIES.items() if c in self.book.nets}
        self.cookies = 0

    def cookie(self) -> str:
        self.cookies += 1
        return f"cookie-{self.cookies}"

    def device(self, mobile: bool | None = None) -> Device:
        rng = self.rng
        browsers = [b for b in BROWSERS if mobile is None or b.mobile == mobile]
        browser = rng.choices(browsers, [b.weight for b in browsers])[0]
        return Device(
            browser=browser,
            version=rng.randint(*browser.versions),
            os_version=rng.randint(*browser.os_versions),
            cookie=self.cookie(),
            client_hints=self.hints(browser),
        )

    def hints(self, browser: Browser) -> str:
        """What a machine running ``browser`` reports as high-entropy client hints."""
        if not browser.hints:
            return ""
        version = self.rng.choice(PLATFORM_VERSIONS[browser.hints])
        model = self.rng.choice(PHONE_MODELS) if browser.hints == "Android" else ""
        return f'platform="{browser.hints}";version="{version}";model="{model}"'

    def habitual(self, customer: Customer, day: datetime) -> datetime:
        """A time on ``day`` when the customer usually signs in (sometimes any time)."""
        rng = self.rng
        if rng.random() < self.P_OFF_HOURS:
            hour = rng.uniform(0, 24)
        else:
            hour = (customer.peak_hour + rng.gauss(0, self.HABIT_SPREAD_HOURS)) % 24
        midnight = day.replace(hour=0, minute=0, second=0, microsecond=0)
        return midnight + timedelta(hours=hour)

    def customer(self, n: int, logins: int) -> Customer:
        rng = self.rng
        country = rng.choices(list(self.home_countries), list(self.home_countries.values()))[0]
        home_asn = self.book.pick_asn(rng, country)
        work = None
        if rng.random() < self.P_WORK:
            work_asn = self.book.pick_asn(rng, country)
            work = address(self.book.pick_net(rng, country, work_asn), rng.randint(1, 254))
        devices = [self.device()]
        for _ in range(rng.choice([0, 0, 1, 1, 2])):
            devices.append(self.device(mobile=not devices[0].browser.mobile))
        customer = Customer(
            id=f"customer-{n}",
            country=country,
            home_asn=home_asn,
            home_net=self.book.pick_net(rng, country, home_asn),
            home_host=rng.randint(1, 254),
            work=work,
            mobile_asn=self.book.pick_asn(rng, country, avoid={home_asn}),
            devices=devices,
            peak_hour=rng.uniform(0, 24),
        )
        at = START + timedelta(hours=rng.uniform(0, 24))
        for _ in range(logins):
            day = at + timedelta(days=rng.expovariate(1 / self.MEAN_DAYS_BETWEEN), hours=1)
            nxt = self.habitual(customer, day)
            at = nxt if nxt > at + timedelta(hours=1) else at + timedelta(hours=1)
            customer.logins.append(self.login(customer, at))
        return customer

    def login(self, customer: Customer, at: datetime) -> Login:
        rng = self.rng
        contexts = list(self.P_CONTEXT)
        context = rng.choices(contexts, list(self.P_CONTEXT.values()))[0]
        desktops = [d for d in customer.devices if not d.browser.mobile]
        phones = [d for d in customer.devices if d.browser.mobile]
        if context == "work" and customer.work is None:
            context = "home"
        if context in {"home", "work"}:
            device = rng.choice(desktops or phones)
        else:
            device = rng.choice(phones or desktops)
        if rng.random() < self.P_CLEAR_COOKIE:
            device.cookie = self.cookie()
        if rng.random() < self.P_UPGRADE and device.version < device.browser.versions[1] + 3:
            device.version += 1
        if context == "home":
            roll = rng.random()
            if roll < self.P_NEW_NET:
                customer.home_net = self.book.pick_net(
                    rng, customer.country, customer.home_asn, avoid=customer.home_net
                )
            if roll < self.P_NEW_NET + self.P_NEW_HOST:
                customer.home_host = rng.randint(1, 254)
            ip = address(customer.home_net, customer.home_host)
        elif context == "work" and customer.work is not None:
            ip = customer.work
        elif context == "mobile":
            net = self.book.pick_net(rng, customer.country, customer.mobile_asn)
            ip = address(net, rng.randint(1, 254))
        else:
            abroad = self.book.pick_country(rng, avoid=customer.country)
            asn = self.book.pick_asn(rng, abroad)
            ip = address(self.book.pick_net(rng, abroad, asn), rng.randint(1, 254))
        return Login(
            client_ip=ip,
            user_agent=device.user_agent,
            device=device.cookie,
            at=at,
            client_hints=device.client_hints,
        )

    def attack(self, kind: str, victim: Customer, at: datetime) -> Login:
        """One sign-in by an attacker of ``kind`` who holds ``victim``'s password."""
        rng = self.rng
        uses = {d.user_agent: 0 for d in victim.devices}
        for login in victim.logins:
            uses[login.user_agent] = uses.get(login.user_agent, 0) + 1
        usual_agent = max(uses, key=lambda agent: uses[agent])
        usual = next((d for d in victim.devices if d.user_agent == usual_agent), victim.devices[0])
        if kind == "naive":
            country = self.book.pick_country(rng)
            asn = self.book.pick_asn(rng, country)
            net = self.book.pick_net(rng, country, asn)
            own = self.device()
            user_agent, hints = own.user_agent, own.client_hints
        elif kind == "vpn":
            country = victim.country
            asn = self.book.pick_asn(rng, country, avoid={victim.home_asn, victim.mobile_asn})
            net = self.book.pick_net(rng, country, asn)
            own = self.device()
            user_agent, hints = own.user_agent, own.client_hints
        elif kind == "targeted":
            country = victim.country
            asn = self.book.pick_asn(rng, country)
            net = self.book.pick_net(rng, country, asn)
            browser = usual.browser
            user_agent = browser.render(
                rng.randint(*browser.versions), rng.randint(*browser.os_versions)
            )
            hints = self.hints(browser)
        else:
            net = self.book.pick_net(rng, victim.country, victim.home_asn, avoid=victim.home_net)
            user_agent = usual_agent
            hints = self.hints(usual.browser)
        ip = address(net, rng.randint(1, 254))
        midnight = at.replace(hour=0, minute=0, second=0, microsecond=0)
        when = midnight + timedelta(hours=rng.uniform(0, 24))
        return Login(
            client_ip=ip, user_agent=user_agent, device=self.cookie(), at=when, client_hints=hints
        )
