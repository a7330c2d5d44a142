"""SCIM provisioning throughput: users/s through POST /scim/v2/Users, next to a bare SCIM GET.

One process: its own Temporal dev server, SQLite in a temporary directory, an SMTP catcher, a
worker (invitation journeys run and send their emails meanwhile) and the web app over
``httpx.ASGITransport``. Each user is one POST (customer row, SCIM document and index, invitation
journey started). In the same run, ``GET /ServiceProviderConfig`` (auth + JSON, no writes) gives the
floor; the table prints both rates and their ratio.

Usage::

    PYTHONPATH=. .venv/bin/python bench/scim_provisioning.py [--users 500] [--concurrency 1,8]
    PYTHONPATH=. .venv/bin/python bench/scim_provisioning.py --smoke   # 20 users (make test)
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import httpx

from store.scim_clients import ScimClients
from tests.support.databases import migrate_sqlite
from tests.support.mail import MailCatcher
from tests.support.settings import build_settings
from tests.support.temporal import running_worker, start_dev_server, target_of, temporal_binary
from web.app import create_app

USER = "urn:ietf:params:scim:schemas:core:2.0:User"


async def rate(http: httpx.AsyncClient, n: int, concurrency: int, make: object) -> float:
    """Requests per second for ``n`` requests from ``concurrency`` concurrent clients."""
    queue = list(range(n))

    async def run() -> None:
        while queue:
            response = await make(queue.pop())  # type: ignore[operator]
            assert response.status_code in (200, 201), response.text

    started = time.perf_counter()
    await asyncio.gather(*(run() for _ in range(concurrency)))
    return n / (time.perf_counter() - started)


async def main(users: int, levels: list[int]) -> None:
    binary = temporal_binary()
    assert binary, "the temporal binary is not installed"
    env = await start_dev_server(binary)
    with MailCatcher() as smtp, tempfile.TemporaryDirectory() as tmp:
        settings = build_settings(
            database_url=migrate_sqlite(Path(tmp) / "bench.db"),
            smtp_url=smtp.smtp_url,
            temporal_address=target_of(env.client),
        )
        token = ScimClients(settings).add("bench")
        app = create_app(settings, client=env.client)
        async with (
            running_worker(env.client, settings),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app),
                base_url="http://bench/scim/v2",
                headers={"Authorization": f"Bearer {token}"},
                timeout=60,
            ) as http,
        ):
            print(f"{'concurrency':>11} {'users/s':>9} {'GET/s':>9} {'ratio':>7}")
            for level in levels:
                tag = f"c{level}"

                def post(n: int, tag: str = tag) -> object:
                    body = {"schemas": [USER], "userName": f"{tag}-{n}@bench.example"}
                    return http.post("/Users", json=body)

                created = await rate(http, users, level, post)
                floor = await rate(http, users, level, lambda n: http.get("/ServiceProviderConfig"))
                print(f"{level:>11} {created:>9.1f} {floor:>9.1f} {floor / created:>6.1f}x")
    await env.shutdown()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--concurrency", default="1,8")
    parser.add_argument("--smoke", action="store_true", help="20 users at 1 and 4: seconds")
    args = parser.parse_args()
    if args.smoke:
        args.users, args.concurrency = 20, "1,4"
    asyncio.run(main(args.users, [int(c) for c in args.concurrency.split(",")]))
