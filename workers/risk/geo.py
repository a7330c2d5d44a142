"""Offline IP → country and network owner (ASN), and country → coordinates.

IP data: ``geoip2fast`` ships MaxMind GeoLite2 country + ASN tables for IPv4 and IPv6 inside its
wheel (``geoip2fast-asn-ipv6.dat.gz``), so no download or network call happens at run time. Its
ASN table names the owner (e.g. ``GOOGLE``), not the number; the name is what we key on. The data
is a snapshot: refresh it by upgrading the package.

Coordinates: ``countryinfo`` (in its wheel) gives each country's centroid; that is all the offline
data has, so impossible travel works at country granularity (see :mod:`workers.risk.features`),
and its land borders, so neighbouring countries are never "impossible".
"""

from __future__ import annotations

import ipaddress
import math
import threading
from dataclasses import dataclass
from functools import cache
from typing import Any

from countryinfo import CountryInfo
from countryinfo.exceptions import CountryNotFoundError
from geoip2fast import GeoIP2Fast

DATA_FILE = "geoip2fast-asn-ipv6.dat.gz"
EARTH_RADIUS_KM = 6371.0

_lock = threading.Lock()
_reader: Any = None


@dataclass(frozen=True)
class Place:
    """Where an address is announced from; empty strings when unknown or private."""

    country: str
    asn: str


def _geoip() -> Any:
    """The process-wide reader, loaded once (about 0.3 s and 100 MB) on first use."""
    global _reader
    with _lock:
        if _reader is None:
            _reader = GeoIP2Fast(geoip2fast_data_file=DATA_FILE)
        return _reader


def locate(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> Place:
    """Country code and network owner of a public address; ``Place("", "")`` otherwise."""
    if not address.is_global:
        return Place("", "")
    found = _geoip().lookup(str(address))
    country = found.country_code if len(found.country_code) == 2 else ""
    if country == "--":
        country = ""
    return Place(country=country, asn=str(found.asn_name or ""))


@cache
def centroid(country: str) -> tuple[float, float] | None:
    """Latitude and longitude of a country's centroid, or ``None`` if the code is unknown."""
    if not country:
        return None
    try:
        latlng = CountryInfo(country).latlng()
    except (CountryNotFoundError, KeyError, ValueError):
        return None
    if len(latlng) != 2:
        return None
    return float(latlng[0]), float(latlng[1])


@cache
def neighbours(country: str) -> frozenset[str]:
    """ISO alpha-2 codes of the countries sharing a land border with ``country``."""
    if not centroid(country):
        return frozenset()
    try:
        alpha3 = CountryInfo(country).borders()
        return frozenset(str(CountryInfo(code).iso(2)) for code in alpha3)
    except (CountryNotFoundError, KeyError, ValueError):
        return frozenset()


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle (haversine) distance between two latitude/longitude points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))
