"""The citizen's whole journey (FD § Journey): the applicant and level from the login, nothing
from a forged login, the receipt and the case in MinSide agreeing with the archive. Only in a
run with ``--with-minside``; not applicable otherwise."""

from __future__ import annotations

import pytest

from tpn.conformance.client.verdict import fail_with
from tpn.conformance.formdelivery.journey_run import Journey
from tpn.conformance.outcomes import not_applicable
from tpn.conformance.results import Run

requirement = pytest.mark.requirement


# The operations whose exchanges show what each requirement judged (the report's evidence).
EVIDENCE = {
    "FD-J-001": ("PutNoarksak", "PutJournpost"),
    "FD-J-002": ("PutJournpost",),
    "FD-J-003": ("PutNoarksak", "PutJournpost", "SendMelding", "OppdaterSaksstatus"),
    "FD-J-004": ("SendMelding",),
    "FD-J-005": ("OppdaterSaksstatus",),
    "FD-J-006": ("GetNoarksak", "OppdaterSaksstatus"),
    "FD-J-007": ("SendMelding", "OppdaterSaksstatus"),
}


def judge(fj: Journey | None, requirement_id: str, run: Run) -> None:
    """Fail with each application's failed finding for ``requirement_id``."""
    if fj is None:
        not_applicable(
            "the citizen's journey runs with --with-minside (not with --manual): each job hands "
            "the engine the citizen's login"
        )
    found = fj.findings(requirement_id)
    if not found:
        pytest.fail(f"no application of the journey judged {requirement_id}", pytrace=False)
    problems = []
    for t, f in found:
        if not f.passed:
            # The sync's word for the status requirement, the delivery's for the rest.
            said = t.sync if requirement_id == "FD-J-006" and t.sync is not None else t.reply
            problems.append(
                f"{t.app.id} ({t.app.delivery.form.id}): {f.detail}; the engine said: "
                f"{said.detail[:200]}"
            )
    operations = EVIDENCE[requirement_id]
    fail_with(
        problems,
        lambda job: [e for e in fj.exchanges_of(job) if e.operation in operations],
        run.recorder,
    )


@requirement("FD-J-001")
def test_innsender_is_the_logins_uid(fj: Journey | None, tpn_run: Run) -> None:
    judge(fj, "FD-J-001", tpn_run)


@requirement("FD-J-002")
def test_sikkerhetsnivaa_is_the_logins_level(fj: Journey | None, tpn_run: Run) -> None:
    judge(fj, "FD-J-002", tpn_run)


@requirement("FD-J-003")
def test_a_forged_login_delivers_nothing(fj: Journey | None, tpn_run: Run) -> None:
    judge(fj, "FD-J-003", tpn_run)


@requirement("FD-J-004")
def test_the_receipt_names_the_archives_saksnummer(fj: Journey | None, tpn_run: Run) -> None:
    judge(fj, "FD-J-004", tpn_run)


@requirement("FD-J-005")
def test_minsides_case_is_the_archives(fj: Journey | None, tpn_run: Run) -> None:
    judge(fj, "FD-J-005", tpn_run)


@requirement("FD-J-006")
def test_the_case_status_follows_the_archive(fj: Journey | None, tpn_run: Run) -> None:
    judge(fj, "FD-J-006", tpn_run)


@requirement("FD-J-007")
def test_one_receipt_and_one_case_per_application(fj: Journey | None, tpn_run: Run) -> None:
    judge(fj, "FD-J-007", tpn_run)
