"""Access codes and public titles, and the matrikkel (FD § Confidential, § Matrikkel)."""

from __future__ import annotations

import pytest

from tpn.conformance.formdelivery import judge as j
from tpn.conformance.formdelivery.fixtures import Deliveries
from tpn.conformance.formdelivery.verdict import judge
from tpn.conformance.results import Run

requirement = pytest.mark.requirement


@requirement("FD-CONF-001")
def test_a_confidential_entry_is_restricted(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.entry_confidential(fd.arrivals), tpn_run.recorder)


@requirement("FD-CONF-002")
def test_a_confidential_case_is_restricted(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.case_confidential(fd.arrivals), tpn_run.recorder)


@requirement("FD-CONF-003")
def test_no_title_holds_a_persons_number(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.no_number_in_titles(fd.arrivals), tpn_run.recorder)


@requirement("FD-CONF-004")
def test_an_open_form_is_not_restricted(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.open_forms_unrestricted(fd.arrivals), tpn_run.recorder)


@requirement("FD-MATR-001")
def test_a_building_forms_case_carries_the_matrikkel(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.matrikkel(fd.arrivals), tpn_run.recorder)
