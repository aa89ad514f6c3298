"""Peak memory of `tpn certify` against hostile targets, with the default limits.

    python benchmarks/bench_hostile.py [--json]

Each case is a local server on 127.0.0.1 (port chosen by the OS) from tests/test_hostile_targets.py
that answers every request of the run the same way: 300 MB announced, 300 MB without a length,
an endless chunked answer, a byte every quarter second. `tpn certify` runs against it in a fresh
process with the default --max-response (64M) and --run-timeout; the trickling case gets
--request-timeout 10 so that it ends in seconds rather than the default two minutes. The peak
RSS is the child's own (``wait4``), beside that of a run against the embedded reference. Before
the limits, the endless answer took a run to 9.5 GB in a minute and 300 MB to 4 GB.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import test_hostile_targets as hostile  # the corpus's servers, from tests/
from served import tpn_command

CASES = {
    "300 MB announced": (hostile.huge_announced, []),
    "300 MB unannounced": (hostile.huge_unannounced, []),
    "endless chunked answer": (hostile.endless_chunked, []),
    "trickling body": (hostile.trickle_body, ["--request-timeout", "10"]),
}
NARROW = ["--", "-k", "transport"]  # the reference run: enough requests to load everything


def measure(name: str, folder: Path) -> dict[str, object]:
    args = [*tpn_command(), "certify", "--report-dir", "out", "-q"]
    if name == "reference":
        done = hostile.run_measured(folder, [*args, *NARROW], limit=600)
    else:
        behaviour, extra = CASES[name]
        with hostile.serving(behaviour, hostile_get=False) as server:
            done = hostile.run_measured(
                folder, [*args, "--target", f"{server.url}/noark4ws", *extra], limit=600
            )
    return {
        "case": name,
        "exit": done.returncode,
        "seconds": round(done.elapsed, 1),
        "peak_rss_mb": round(done.peak_rss_mb),
        "error": done.stderr.strip().splitlines()[-1][:140] if done.stderr.strip() else "",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    rows = []
    for name in ["reference", *CASES]:
        with tempfile.TemporaryDirectory(prefix="tpn-bench-hostile-") as tmp:
            rows.append(measure(name, Path(tmp)))
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{'case':<26} {'exit':>4} {'seconds':>8} {'peak RSS':>9}  error line")
    for row in rows:
        print(
            f"{row['case']:<26} {row['exit']:>4} {row['seconds']:>8} "
            f"{row['peak_rss_mb']:>6} MB  {row['error']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
