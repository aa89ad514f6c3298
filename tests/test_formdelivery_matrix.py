"""Every defect of the reference form engine is caught by exactly the requirements it names.

For each defect of ``fixtures/standards/formdelivery/defects.toml`` a full-level run of the
form-delivery suite (fixed seed, the run in a process of its own) asks the reference engine
with that defect for every delivery: the named requirements must fail and every other one
must still pass. The reference engine without a defect passes everything. Slow: each run is about
8 s (the engine is called in the run's process).

The journey's defects (those failing only FD-J requirements) run at the core level with
``--with-minside``, the reference's run with it too; in the other runs the FD-J requirements
are not applicable, which is no failure.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tpn.conformance.catalogue import load
from tpn.fixtures import standard_file

DEFECTS: list[dict[str, Any]] = tomllib.loads(
    standard_file("formdelivery", "defects.toml").read_text(encoding="utf-8")
)["defect"]
CATALOGUE = load("formdelivery")

pytestmark = pytest.mark.slow
# Seconds a job may take: a reference delivery takes under 2 s and the delay fault holds 4 s, so
# an engine that never answers (hangs-after-error) costs 15 s, not the default's two minutes.
JOB_TIMEOUT = "15"


def journey_only(defect: dict[str, Any]) -> bool:
    return all(r.startswith("FD-J-") for r in defect["requirements"])


def certify(tmp_path: Path, *defects: str, journey: bool = False) -> dict[str, Any]:
    out = tmp_path / "report"
    args = [
        sys.executable,
        "-m",
        "tpn.harness.cli",
        "certify",
        "--profile",
        "form-delivery",
        "--level",
        "core" if journey and defects else "full",
        "--report-dir",
        str(out),
        "--seed",
        "20311",
        "--job-timeout",
        JOB_TIMEOUT,
        "-q",
    ]
    for name in defects:
        args += ["--defect", name]
    if journey:
        args.append("--with-minside")
    done = subprocess.run(
        args, cwd=tmp_path, capture_output=True, text=True, timeout=900, check=False
    )
    assert done.returncode in (0, 1), done.stdout[-3000:] + done.stderr[-3000:]
    data: dict[str, Any] = json.loads((out / "report.json").read_text(encoding="utf-8"))
    data["_stdout"] = done.stdout
    data["_returncode"] = done.returncode
    return data


def failed(data: dict[str, Any]) -> dict[str, str]:
    return {
        r["id"]: r["reason"]
        for r in data["requirements"]
        if r["result"] not in ("passed", "not_applicable")
    }


def test_the_reference_engine_passes_every_requirement(tmp_path: Path) -> None:
    data = certify(tmp_path, journey=True)
    assert failed(data) == {}, data["_stdout"][-3000:]
    assert data["summary"]["passed"] == len(CATALOGUE)
    assert data["_returncode"] == 0


@pytest.mark.parametrize("defect", DEFECTS, ids=[d["name"] for d in DEFECTS])
def test_each_defect_is_caught_by_exactly_its_requirements(
    tmp_path: Path, defect: dict[str, Any]
) -> None:
    data = certify(tmp_path, defect["name"], journey=journey_only(defect))
    got = failed(data)
    expected = set(defect["requirements"])
    missed = sorted(expected - set(got))
    collateral = {k: v[:300] for k, v in got.items() if k not in expected}
    assert not missed and not collateral, (
        f"defect {defect['name']}: not caught by {missed}; also failed: {collateral}"
    )
    assert data["_returncode"] == 1


def test_every_requirement_is_reached_by_a_defect() -> None:
    """Each requirement can fail: some defect of the catalogue names it (and the matrix proves
    that defect fails it)."""
    reached = {rid for d in DEFECTS for rid in d["requirements"]}
    assert reached <= {r.id for r in CATALOGUE}
    unreached = sorted(r.id for r in CATALOGUE if r.id not in reached)
    assert unreached == [], f"requirements no defect fails: {unreached}"
