"""One case and one incoming entry per form (KSX § Delivery into the archive; FD § Case, Entry)."""

from __future__ import annotations

import pytest

from tpn.conformance.formdelivery import judge as j
from tpn.conformance.formdelivery.fixtures import Deliveries
from tpn.conformance.formdelivery.verdict import judge
from tpn.conformance.results import Run

requirement = pytest.mark.requirement


@requirement("FD-FORM-001")
def test_every_form_arrives_whole(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.form_arrives(fd.arrivals), tpn_run.recorder)


@requirement("FD-CASE-001")
def test_a_form_makes_exactly_one_case(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.one_case(fd.arrivals), tpn_run.recorder)


@requirement("FD-CASE-002")
def test_the_case_title_begins_with_the_forms_title(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.case_title(fd.arrivals), tpn_run.recorder)


@requirement("FD-CASE-003")
def test_two_forms_from_one_applicant_make_two_cases(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.case_per_form(fd.arrivals), tpn_run.recorder)


@requirement("FD-JP-001")
def test_a_form_makes_exactly_one_entry_in_its_case(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.one_entry(fd.arrivals), tpn_run.recorder)


@requirement("FD-JP-002")
def test_the_entry_is_incoming(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.entry_incoming(fd.arrivals), tpn_run.recorder)


@requirement("FD-JP-003")
def test_the_entry_title_begins_with_the_forms_title(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.entry_title(fd.arrivals), tpn_run.recorder)


@requirement("FD-JP-004")
def test_the_document_date_is_the_day_the_form_was_sent(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.entry_date(fd.arrivals), tpn_run.recorder)


@requirement("FD-JP-005")
def test_the_engine_sends_no_number_the_archive_assigns(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.no_numbers_sent(fd.arrivals), tpn_run.recorder)


@requirement("FD-JP-006")
def test_the_entry_is_registered_provisionally(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.provisional(fd.arrivals), tpn_run.recorder)
