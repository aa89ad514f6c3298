"""Every defect of the reference MinSide client is caught by exactly the requirements it names.

For each defect of ``fixtures/standards/minsideclient/defects.toml`` the full plan (fixed seed)
is done in this process by the client with that defect, against one MinSide reset between
defects, and every requirement's check (``judge.CHECKS``, what the suite's tests call) judges
what arrived: the named requirements must fail and every other one pass. One run per defect,
in process, costs about three seconds (most of it the two answers held past the client's 1 s
timeout); ``tpn certify`` itself is run once, for the reference client at the full level, so
that the suite's wiring (its tests, fixture and report) is proven too.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from minsideclient_support import act, minside, steps

from tpn.conformance.catalogue import load
from tpn.conformance.minsideclient.judge import CHECKS
from tpn.mocks.minside.mock import MinSideMock
from tpn.mocks.minsideclient.defects import catalogue

pytestmark = pytest.mark.slow
DEFECTS = catalogue()
CATALOGUE = load("minsideclient")


@pytest.fixture(scope="module")
def mock() -> Iterator[MinSideMock]:
    with minside() as m:
        yield m


def failing(mock: MinSideMock, folder: Path, *defects: str) -> dict[str, list[str]]:
    arrivals = act(mock, folder, steps("full"), *defects)
    found = {rid: check(arrivals) for rid, check in CHECKS.items()}
    return {rid: problems for rid, problems in found.items() if problems}


def test_every_requirement_has_its_check() -> None:
    assert sorted(CHECKS) == sorted(r.id for r in CATALOGUE)


def test_the_reference_client_passes_every_check(mock: MinSideMock, tmp_path: Path) -> None:
    assert failing(mock, tmp_path) == {}


@pytest.mark.parametrize("defect", DEFECTS, ids=[d.name for d in DEFECTS])
def test_each_defect_is_caught_by_exactly_its_requirements(
    mock: MinSideMock, tmp_path: Path, defect: object
) -> None:
    name = defect.name  # type: ignore[attr-defined]
    got = failing(mock, tmp_path, name)
    expected = set(defect.requirements)  # type: ignore[attr-defined]
    missed = sorted(expected - set(got))
    collateral = {k: v[:2] for k, v in got.items() if k not in expected}
    assert not missed and not collateral, (
        f"defect {name}: not caught by {missed}; also failed: {collateral}"
    )


def test_every_requirement_is_reached_by_a_defect() -> None:
    """Each requirement can fail: some defect of the catalogue names it (and the matrix proves
    that defect fails it)."""
    reached = {rid for d in DEFECTS for rid in d.requirements}
    assert reached <= {r.id for r in CATALOGUE}
    unreached = sorted(r.id for r in CATALOGUE if r.id not in reached)
    assert unreached == [], f"requirements no defect fails: {unreached}"


def test_tpn_certify_passes_the_reference_client_at_full(tmp_path: Path) -> None:
    out = tmp_path / "report"
    args = [sys.executable, "-m", "tpn.harness.cli", "certify", "--profile", "minside-client"]
    args += ["--level", "full", "--report-dir", str(out), "--seed", "20311", "-q"]
    done = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data["summary"]["passed"] == len(CATALOGUE)
