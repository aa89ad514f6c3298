"""Faults of MinSide, and what the client reports (MSC § Faults, § Report)."""

from __future__ import annotations

import pytest

from tpn.conformance.minsideclient.fixtures import Jobs
from tpn.conformance.minsideclient.verdict import verdict
from tpn.conformance.results import Run

requirement = pytest.mark.requirement


@requirement("MS-FAULT-001")
def test_after_an_http_500(ms: Jobs, tpn_run: Run) -> None:
    verdict(ms, "MS-FAULT-001", tpn_run)


@requirement("MS-FAULT-002")
def test_after_an_answer_held_past_the_timeout(ms: Jobs, tpn_run: Run) -> None:
    verdict(ms, "MS-FAULT-002", tpn_run)


@requirement("MS-FAULT-003")
def test_after_a_drop_once_the_message_was_committed(ms: Jobs, tpn_run: Run) -> None:
    verdict(ms, "MS-FAULT-003", tpn_run)


@requirement("MS-FAULT-004")
def test_after_a_soap_server_fault(ms: Jobs, tpn_run: Run) -> None:
    verdict(ms, "MS-FAULT-004", tpn_run)


@requirement("MS-FAULT-005")
def test_after_a_drop_once_the_status_was_committed(ms: Jobs, tpn_run: Run) -> None:
    verdict(ms, "MS-FAULT-005", tpn_run)


@requirement("MS-FAULT-006")
def test_after_a_registration_answer_held_past_the_timeout(ms: Jobs, tpn_run: Run) -> None:
    verdict(ms, "MS-FAULT-006", tpn_run)


@requirement("MS-REP-001")
def test_success_is_reported_for_what_arrived(ms: Jobs, tpn_run: Run) -> None:
    verdict(ms, "MS-REP-001", tpn_run)


@requirement("MS-REP-002")
def test_no_success_is_reported_for_what_did_not_arrive(ms: Jobs, tpn_run: Run) -> None:
    verdict(ms, "MS-REP-002", tpn_run)


@requirement("MS-REP-003")
def test_every_job_is_done_within_its_deadline(ms: Jobs, tpn_run: Run) -> None:
    verdict(ms, "MS-REP-003", tpn_run)
