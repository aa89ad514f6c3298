"""How fast `tpn validate` checks a folder of KS skjema-XML documents, end to end.

    python benchmarks/bench_validate.py [--documents N] [--seed S] [--json]

Generates N valid documents (default 10,000) round-robin over the 15 forms from a seeded
generator into a temporary folder, then, in the same run on the same files, times the real
console script (`tpn validate --quiet DIR`, a fresh process: start-up, schema compilation,
reading and printing included) and the validator in-process (`Validator.run` over the files'
bytes, read as it goes). The target is 2,000 documents/s end to end on the project's 2-core
machines; the in-process figure says how much of the time is the validator's own.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

TARGET_PER_S = 2_000.0


def generate(folder: Path, documents: int, seed: int) -> None:
    from tpn.conformance.ksxml.generate import RandomChooser, document
    from tpn.conformance.ksxml.model import forms

    chooser = RandomChooser(seed)
    catalogue = forms()
    width = len(str(documents))
    for i in range(documents):
        f = catalogue[i % len(catalogue)]
        sub = folder / f.id  # a few folders, as an export from a form engine would have
        sub.mkdir(exist_ok=True)
        (sub / f"{i:0{width}d}.xml").write_bytes(document(f, chooser).to_bytes())


def console_script() -> list[str]:
    found = shutil.which("tpn")
    if found is None:
        raise SystemExit("bench_validate: the tpn console script is not on PATH (pip install -e .)")
    return [found]


def end_to_end(folder: Path, documents: int) -> dict[str, object]:
    started = time.perf_counter()
    done = subprocess.run(
        [*console_script(), "validate", "--quiet", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr
    if done.returncode != 0:
        raise SystemExit(f"bench_validate: tpn validate exited {done.returncode}: {summary}")
    expected = f"{documents} documents: {documents} valid, 0 invalid"
    if summary != expected:
        raise SystemExit(f"bench_validate: expected {expected!r}, got {summary!r}")
    return {"what": "tpn validate --quiet DIR", "documents": documents, "seconds": seconds}


def in_process(folder: Path, documents: int) -> dict[str, object]:
    from tpn.conformance.ksxml.validator import Validator
    from tpn.harness.validate import collect

    def read(files: list[str]) -> Iterator[tuple[str, bytes]]:
        for path in files:
            with open(path, "rb") as f:
                yield path, f.read()

    started = time.perf_counter()
    files = collect([str(folder)])
    verdicts = list(Validator().run(read(files)))
    seconds = time.perf_counter() - started
    invalid = [v.source for v in verdicts if not v.valid]
    if len(verdicts) != documents or invalid:
        raise SystemExit(f"bench_validate: {len(invalid)} invalid of {len(verdicts)}")
    return {"what": "Validator.run (in-process)", "documents": documents, "seconds": seconds}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--documents", type=int, default=10_000, help="documents (default 10000)")
    parser.add_argument("--seed", type=int, default=2007, help="generator seed (default 2007)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    if args.documents < 1:
        parser.error(f"--documents must be at least 1, got {args.documents}")
    with tempfile.TemporaryDirectory(prefix="tpn-bench-validate-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        generate(folder, args.documents, args.seed)
        made = time.perf_counter() - started
        rows = [end_to_end(folder, args.documents), in_process(folder, args.documents)]
    for row in rows:
        row["per_s"] = float(row["documents"]) / float(row["seconds"])  # type: ignore[arg-type]
    cli, core = (float(r["per_s"]) for r in rows)  # type: ignore[arg-type]
    passed = cli >= TARGET_PER_S
    if args.json:
        result = {
            "rows": rows,
            "ratio": cli / core,
            "target_per_s": TARGET_PER_S,
            "pass": passed,
            "cpus": os.cpu_count(),
        }
        print(json.dumps(result, indent=2))
    else:
        print(
            f"{args.documents} documents over 15 forms (seed {args.seed}), generated in "
            f"{made:.1f} s; {os.cpu_count()} CPUs, Python {sys.version.split()[0]}"
        )
        print(f"{'':<28} {'documents':>9} {'seconds':>8} {'docs/s':>8}")
        for r in rows:
            print(f"{r['what']:<28} {r['documents']:>9} {r['seconds']:>8.2f} {r['per_s']:>8,.0f}")
        print(f"end to end / in-process: {cli / core:.2f}")
        verdict = "PASS" if passed else "FAIL"
        print(f"{verdict}: {cli:,.0f} documents/s end to end (target {TARGET_PER_S:,.0f})")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
