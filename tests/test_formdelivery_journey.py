"""The suite's side of the citizen's whole journey (``tpn certify --profile form-delivery
--with-minside``): the runner over the composed mocks, the findings for the reference engine
and for each of its journey defects, the options a journey needs, a vendor's engine asked by
command with its own SP metadata. The engine's side is ``test_formengine_journey.py``."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from journey_support import apps, journey
from served import run_tpn, tpn_command

from tpn.conformance.formdelivery import journey as judging
from tpn.conformance.formdelivery.journey_run import applications, tamper
from tpn.conformance.options import OptionError
from tpn.conformance.profiles import get
from tpn.fixtures import population
from tpn.mocks.formengine.defects.catalogue import catalogue

# Which FD-J requirements each journey defect fails, as the catalogue says.
JOURNEY_DEFECTS = {
    d.name: set(d.requirements)
    for d in catalogue()
    if all(r.startswith("FD-J-") for r in d.requirements)
}


@pytest.mark.parametrize("seed", [7, 11, 2381455737, 3736447026])
def test_the_journey_plans_a_login_unlike_what_was_typed(seed: int) -> None:
    planned = applications(seed)
    assert [a.tampered for a in planned] == [False, False, True]
    people = {p.foedselsnummer for p in population.personas()}
    everyone = [u for a in planned for u in (a.login_uid, a.typed_uid)]
    assert len(set(everyone)) == len(everyone)  # no two applications share a person
    for a in planned:
        assert a.login_uid in people and a.typed_uid in people
        assert a.login_uid != a.typed_uid
        assert a.tampered or a.login_level != a.typed_level
        assert a.avsender_orgnr.isdigit()
    again = applications(seed)  # the seed decides
    assert [(a.login_uid, a.typed_uid, a.delivery.document) for a in again] == [
        (a.login_uid, a.typed_uid, a.delivery.document) for a in planned
    ]


def test_a_tampered_response_names_the_typed_person() -> None:
    changed = tamper(b"<a>01010112345</a><b>01010112345</b>", "01010112345", "02020212345")
    assert changed == b"<a>02020212345</a><b>02020212345</b>"


def failing(defects: tuple[str, ...], tmp_path: Path) -> dict[str, str]:
    with journey(tmp_path, defects) as (done, _):
        judged = {r for t in done.trips for r in t.findings}
        assert judged == set(judging.REQUIREMENTS)  # every requirement is judged in a run
        return {r: f.detail for t in done.trips for r, f in t.findings.items() if not f.passed}


def test_the_reference_engine_passes_the_journey(tmp_path: Path) -> None:
    assert failing((), tmp_path) == {}


@pytest.mark.parametrize("defect", sorted(JOURNEY_DEFECTS))
def test_each_journey_defect_fails_exactly_its_requirements(tmp_path: Path, defect: str) -> None:
    assert set(failing((defect,), tmp_path)) == JOURNEY_DEFECTS[defect]


def test_the_journey_leaves_the_case_where_the_archive_moved_it(tmp_path: Path) -> None:
    with journey(tmp_path, (), apps(1)) as (done, _):
        [trip] = done.trips
        [case] = [s for s in done.minside["saker"] if s["saksnummer"] == trip.saksnummer]
        assert case["status"] == "AVSLUTTET" and case["mottaker"] == trip.app.login_uid
        assert trip.sync is not None and trip.sync.reported == "success"
        # The evidence of a failure: what the engine sent for this application, in order.
        sent = [e.operation for e in trip.exchanges]
        assert {"PutNoarksak", "PutJournpost", "SendMelding", "OppdaterSaksstatus"} <= set(sent)
        assert done.exchanges_of(trip.app.id) == trip.exchanges


# ------------------------------------------------------------------ the options


METADATA_MISSING = "/nonexistent/engine.xml"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"engine-metadata": "x.xml"}, "--tpn-engine-metadata is for the journey"),
        ({"with-minside": True, "manual": True}, "drop --tpn-manual"),
        (
            {"with-minside": True, "engine-cmd": "engine {job}"},
            "needs --tpn-engine-metadata FILE",
        ),
        (
            {"with-minside": True, "engine-metadata": "x.xml"},
            "the reference engine's is made by the suite",
        ),
        ({"defect": ["typed-level"]}, "typed-level is a defect of the journey"),
        (
            {"with-minside": True, "engine-cmd": "e {job} {inputs.tittel}"},
            "also does the journey's sync-case-status jobs",
        ),
        (
            {"with-minside": True, "engine-cmd": "e {job}", "engine-metadata": METADATA_MISSING},
            "--tpn-engine-metadata /nonexistent/engine.xml",
        ),
    ],
)
def test_the_profile_refuses_a_journey_that_cannot_run(
    values: dict[str, Any], message: str
) -> None:
    with pytest.raises(OptionError, match=re.escape(message)):
        get("form-delivery").validate(values)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not xml", "is no SP metadata the portal takes"),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
            "is no SP metadata the portal takes",
        ),
    ],
)
def test_hostile_engine_metadata_is_refused_before_the_run(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "engine.xml"
    path.write_bytes(content)
    values = {"with-minside": True, "engine-cmd": "e {job}", "engine-metadata": str(path)}
    with pytest.raises(OptionError, match=re.escape(message)):
        get("form-delivery").validate(values)


def test_metadata_without_an_http_post_acs_is_refused(tmp_path: Path) -> None:
    from tpn.mocks.saml import keys, metadata, ns

    key = keys.generate("artifact only")
    xml = metadata.sp(
        "https://e.example/",
        "https://e.example/acs",
        "https://e.example/slo",
        key,
        binding=ns.ARTIFACT,
    )
    path = tmp_path / "engine.xml"
    path.write_bytes(xml)
    values = {"with-minside": True, "engine-cmd": "e {job}", "engine-metadata": str(path)}
    with pytest.raises(OptionError, match="names no HTTP-POST AssertionConsumerService"):
        get("form-delivery").validate(values)


# ------------------------------------------------------------------ a vendor's engine


@pytest.mark.slow
def test_an_engine_asked_by_command_with_its_own_metadata_passes(tmp_path: Path) -> None:
    """The reference engine as a vendor would run it: `tpn engine deliver {job}` per job, its
    SP metadata from `tpn engine metadata`, each a process of its own."""
    made = run_tpn(tmp_path, "engine", "metadata", "--key", str(tmp_path / "engine-key.pem"))
    assert made.returncode == 0, made.stderr
    (tmp_path / "engine.xml").write_text(made.stdout, encoding="utf-8")
    done = run_tpn(
        tmp_path,
        "certify",
        "--profile",
        "form-delivery",
        "--with-minside",
        "--engine-cmd",
        " ".join([*tpn_command(), "engine", "deliver", "{job}"]),
        "--engine-metadata",
        "engine.xml",
        "--report-dir",
        "out",
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    journey_results = {r["id"]: r["result"] for r in report["requirements"] if "FD-J-" in r["id"]}
    assert journey_results == dict.fromkeys(judging.REQUIREMENTS, "passed")
