"""How long `tpn certify` takes against a profile's reference, per level.

    python benchmarks/bench_certify.py [--profile noark4ws-archive|form-delivery|minside-client]
                                       [--repeat N] [--json]

The archive profile certifies the embedded reference archive; form-delivery asks the reference
form engine (a process per delivery) to deliver into the suite's archive; minside-client asks
the reference MinSide client (in process) for its jobs against the suite's MinSide.

Each level runs in a fresh process (as a vendor runs it), one after the other in the same run,
so the figures compare on the same machine at the same moment. The target for the core level
is under 60 s on the project's 2-core machines.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CORE_TARGET_S = 60.0


LEVELS = {
    "noark4ws-archive": ("core", "full", "extended"),
    "form-delivery": ("core", "full"),
    "minside-client": ("core", "full"),
}


def certify(profile: str, level: str, out: Path) -> dict[str, object]:
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tpn.harness.cli",
            "certify",
            "--profile",
            profile,
            "--level",
            level,
            "-q",
            "--report-dir",
            str(out),
            "--seed",
            "1",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return {
        "level": level,
        "seconds": elapsed,
        "exit": done.returncode,
        "requirements": report["summary"]["total"],
        "passed": report["summary"]["passed"],
        "tests": sum(len(r["tests"]) for r in report["requirements"]),
        "created": report["created"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=1, help="runs per level (median reported)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--profile", choices=sorted(LEVELS), default="noark4ws-archive")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for level in LEVELS[args.profile]:
            runs = [
                certify(args.profile, level, Path(tmp) / f"{level}-{i}") for i in range(args.repeat)
            ]
            row = dict(runs[-1])
            row["seconds"] = statistics.median(r["seconds"] for r in runs)  # type: ignore[misc]
            rows.append(row)
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(
            f"{'level':<9} {'seconds':>8} {'vs 60 s':>8} {'reqs':>5} {'passed':>7} {'exit':>5}  created"
        )
        for r in rows:
            ratio = float(r["seconds"]) / CORE_TARGET_S  # type: ignore[arg-type]
            print(
                f"{r['level']:<9} {r['seconds']:>8.1f} {ratio:>7.2f}x {r['requirements']:>5} "
                f"{r['passed']:>7} {r['exit']:>5}  {r['created']}"
            )
    core = rows[0]
    ok = core["exit"] == 0 and float(core["seconds"]) < CORE_TARGET_S  # type: ignore[arg-type]
    # With --json, standard output holds the JSON alone (a script reads it); the verdict goes
    # to standard error.
    print(
        f"{args.profile}: core level under {CORE_TARGET_S:.0f} s: {'yes' if ok else 'NO'}",
        file=sys.stderr if args.json else sys.stdout,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
