"""Faults of the archive, and what the engine reports (FD § Faults, § Report)."""

from __future__ import annotations

import pytest

from tpn.conformance.formdelivery import judge as j
from tpn.conformance.formdelivery.fixtures import Deliveries
from tpn.conformance.formdelivery.verdict import judge, reported
from tpn.conformance.results import Run

requirement = pytest.mark.requirement


@requirement("FD-FAULT-001")
def test_after_an_http_500(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.fault_survived("FD-FAULT-001")(fd.arrivals), tpn_run.recorder)


@requirement("FD-FAULT-002")
def test_after_an_answer_held_past_the_timeout(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.fault_survived("FD-FAULT-002")(fd.arrivals), tpn_run.recorder)


@requirement("FD-FAULT-003")
def test_after_a_drop_once_the_entry_was_committed(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.fault_survived("FD-FAULT-003")(fd.arrivals), tpn_run.recorder)


@requirement("FD-FAULT-004")
def test_after_a_drop_before_anything_was_committed(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.fault_survived("FD-FAULT-004")(fd.arrivals), tpn_run.recorder)


@requirement("FD-FAULT-005")
def test_after_a_soap_server_fault(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.fault_survived("FD-FAULT-005")(fd.arrivals), tpn_run.recorder)


@requirement("FD-FAULT-006")
def test_after_a_drop_once_the_case_was_committed(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.fault_survived("FD-FAULT-006")(fd.arrivals), tpn_run.recorder)


@requirement("FD-REP-001")
def test_success_is_reported_for_what_arrived(fd: Deliveries, tpn_run: Run) -> None:
    reported(fd)
    judge(fd, j.reports_success(fd.arrivals), tpn_run.recorder)


@requirement("FD-REP-002")
def test_no_success_is_reported_for_what_did_not_arrive(fd: Deliveries, tpn_run: Run) -> None:
    reported(fd)
    judge(fd, j.no_false_success(fd.arrivals), tpn_run.recorder)


@requirement("FD-REP-003")
def test_every_job_is_done_within_its_deadline(fd: Deliveries, tpn_run: Run) -> None:
    reported(fd)
    judge(fd, j.within_deadline(fd.arrivals), tpn_run.recorder)
