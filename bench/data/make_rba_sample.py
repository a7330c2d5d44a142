"""Writes ``rba-sample.csv``: a small synthetic sample in the RBA-dataset format (seeded).

40 users with a home network, a mobile network and one or two browsers sign in over two months,
sometimes mistyping; a credential-stuffing address fails against many accounts; six accounts
are taken over from another country with another browser. Every value is made up.

    .venv/bin/python bench/data/make_rba_sample.py > bench/data/rba-sample.csv
"""

from __future__ import annotations

import csv
import random
import sys
from datetime import datetime, timedelta

HEADER = [
    "index",
    "Login Timestamp",
    "User ID",
    "Round-Trip Time [ms]",
    "IP Address",
    "Country",
    "Region",
    "City",
    "ASN",
    "User Agent String",
    "Browser Name and Version",
    "OS Name and Version",
    "Device Type",
    "Login Successful",
    "Is Attack IP",
    "Is Account Takeover",
]
AGENTS = (
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/{v}.0.0.0 Safari/537.36",
        "Chrome {v}.0.0",
        "Windows 10",
        "desktop",
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
        "like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
        "Mobile Safari 17.0",
        "iOS 17.0",
        "mobile",
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7; rv:{v}.0) Gecko/20100101 Firefox/{v}.0",
        "Firefox {v}.0",
        "Mac OS X 10.15",
        "desktop",
    ),
)
HOME_ASNS = ("29695", "2119", "41164", "12929")
START = datetime(2020, 2, 3, 8, 0)


def main() -> None:
    rng = random.Random(19)
    rows: list[list[str]] = []

    def add(
        at: datetime,
        user: str,
        ip: str,
        country: str,
        asn: str,
        agent: int,
        v: int,
        ok: bool,
        attack_ip: bool = False,
        takeover: bool = False,
    ) -> None:
        ua, browser, os, kind = AGENTS[agent]
        rows.append(
            [
                "",
                at.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3],
                user,
                "",
                ip,
                country,
                "-",
                "-",
                asn,
                ua.format(v=v),
                browser.format(v=v),
                os,
                kind,
                str(ok),
                str(attack_ip),
                str(takeover),
            ]
        )

    users = [str(-4_000_000_000_000_000_000 + 7_919 * n) for n in range(40)]
    for n, user in enumerate(users):
        home = f"81.{n}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        asn = rng.choice(HOME_ASNS)
        agents = rng.sample(range(3), rng.choice((1, 2)))
        peak = rng.uniform(7, 22)
        at = START + timedelta(hours=rng.uniform(0, 48))
        for _ in range(rng.randint(3, 14)):
            at += timedelta(days=rng.expovariate(1 / 4), hours=1)
            at = at.replace(hour=int(peak + rng.gauss(0, 1.5)) % 24)
            mobile = rng.random() < 0.25
            ip = (
                f"77.{rng.randint(16, 31)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
                if mobile
                else home
            )
            if rng.random() < 0.1:
                add(at - timedelta(seconds=20), user, ip, "NO", asn, agents[0], 120, False)
            add(at, user, ip, "NO", "39832" if mobile else asn, rng.choice(agents), 120, True)
    stuffing = "185.220.101.7"
    for n, user in enumerate(users[:25]):
        add(
            START + timedelta(days=30, seconds=7 * n),
            user,
            stuffing,
            "RU",
            "208091",
            0,
            110,
            False,
            attack_ip=True,
        )
    for user in users[::7][:6]:
        at = START + timedelta(days=62, hours=rng.uniform(0, 5))
        add(
            at,
            user,
            f"45.{rng.randint(0, 255)}.{rng.randint(0, 255)}.9",
            "US",
            "14061",
            2,
            115,
            True,
            attack_ip=True,
            takeover=True,
        )
    rows.sort(key=lambda r: r[1])
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(HEADER)
    for index, row in enumerate(rows):
        writer.writerow([str(index), *row[1:]])


if __name__ == "__main__":
    main()
