"""What a served worker holds: only what serving the mocks needs.

``tpn serve`` forks its workers from the process that parsed its command line and composed the
mocks, so every module that process loaded is in every worker's memory, whether or not a
request ever uses it. Two things made each worker about 5 MB larger for an HTTP client and
suites it never ran: MinSide's back channel imported ``requests`` for ``OverHttp`` (tests use
it; ``tpn serve`` calls the portal in process), and ``tpn`` built every command's parser, the
suites' with their clients among them (``cli.COMMANDS``). benchmarks/bench_noark4ws.py measures
the peak RSS per worker. The probe runs ``tpn serve``'s own path in a fresh interpreter, with
granian's start replaced by what a worker then builds (``serving.front_app``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tpn.mocks.core.serving import free_port

# Clients, test tools and the report page's highlighting (Pygments once made each worker about
# 4.5 MB larger); none of them answers a request of any mock.
NOT_IN_A_WORKER = (
    "requests",
    "urllib3",
    "charset_normalizer",
    "zeep",
    "hypothesis",
    "pytest",
    "pygments",
    "tpn.fixtures.pretty",
    "tpn.conformance",
)

_PROBE = """
import json, sys
from tpn.harness import cli
from tpn.mocks.core import serving

def worker(host, port, workers):
    serving.front_app()  # as each forked worker builds it, in the process it was forked from
    print(json.dumps(sorted(sys.modules)))

assert hasattr(serving, "_serve_granian"), "tpn serve no longer starts granian here"
serving._serve_granian = worker
cli.main(["serve", "--db", sys.argv[1], "--port", sys.argv[2], "--workers", "1"])
"""


def _served_modules(tmp_path: Path) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, f"sqlite:///{tmp_path}/w.sqlite3", str(free_port())],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_a_served_worker_holds_no_client_or_test_tool(tmp_path: Path) -> None:
    modules = _served_modules(tmp_path)
    # The probe did build the mocks behind the front (else an empty set would pass).
    assert {"tpn.mocks.compose", "tpn.mocks.core.front", "tpn.mocks.minside.citizen"} <= modules
    loaded = sorted(
        m for m in modules if any(m == p or m.startswith(f"{p}.") for p in NOT_IN_A_WORKER)
    )
    assert not loaded, f"a worker holds {', '.join(loaded[:12])}"
