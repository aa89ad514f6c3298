"""What a served worker loads: only what serving the mocks needs.

Every worker of ``tpn serve`` builds the whole composition root (``serving.front_app``), so a
module one mock imports at its top is paid for in every worker's memory, whether or not a
request ever uses it. An HTTP client is the case in point: MinSide's back channel over HTTP
(``OverHttp``) is for tests, ``tpn serve`` calls the portal in process, and ``requests`` with
its dependencies made each worker about 5 MB larger (benchmarks/bench_noark4ws.py's peak RSS per
worker). The worker is built in a fresh interpreter, as granian would build it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tpn.mocks.core.config import ENV_VAR, MockConfig
from tpn.mocks.core.serving import prepare

# Clients and test tools; none of them answers a request of any mock.
NOT_IN_A_WORKER = ("requests", "urllib3", "charset_normalizer", "zeep", "hypothesis", "pytest")

_PROBE = """
import json, sys
from tpn.mocks.core.serving import front_app
front_app()
print(json.dumps(sorted(sys.modules)))
"""


def _worker_modules(tmp_path: Path) -> set[str]:
    config = MockConfig(db=f"sqlite:///{tmp_path}/worker.sqlite3")
    prepare(config)
    env = {**os.environ, ENV_VAR: config.to_json()}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_a_worker_loads_no_client_or_test_tool(tmp_path: Path) -> None:
    modules = _worker_modules(tmp_path)
    # The probe did build the mocks (else an empty set would pass).
    assert {"tpn.mocks.compose", "tpn.mocks.minside.citizen.backchannel"} <= modules
    loaded = sorted(m for m in modules if m.split(".")[0] in NOT_IN_A_WORKER)
    assert not loaded, f"a worker imported {', '.join(loaded)}"
