"""The applicant's case in mine saker, following the archive's (MS § 3; MSC § Case)."""

from __future__ import annotations

import pytest

from tpn.conformance.minsideclient.fixtures import Jobs
from tpn.conformance.minsideclient.verdict import verdict
from tpn.conformance.results import Run

requirement = pytest.mark.requirement


@requirement("MS-TITLE-002")
def test_no_fodselsnummer_in_a_case_title(ms: Jobs, tpn_run: Run) -> None:
    verdict(ms, "MS-TITLE-002", tpn_run)


@requirement("MS-LINK-003")
def test_the_case_link_is_https(ms: Jobs, tpn_run: Run) -> None:
    verdict(ms, "MS-LINK-003", tpn_run)


@requirement("MS-CASE-001")
def test_the_receipt_opens_the_case(ms: Jobs, tpn_run: Run) -> None:
    verdict(ms, "MS-CASE-001", tpn_run)


@requirement("MS-CASE-002")
def test_the_case_follows_the_archive(ms: Jobs, tpn_run: Run) -> None:
    verdict(ms, "MS-CASE-002", tpn_run)


@requirement("MS-CASE-003")
def test_no_status_is_sent_backwards(ms: Jobs, tpn_run: Run) -> None:
    verdict(ms, "MS-CASE-003", tpn_run)


@requirement("MS-CASE-004")
def test_each_status_carries_the_archive_time(ms: Jobs, tpn_run: Run) -> None:
    verdict(ms, "MS-CASE-004", tpn_run)


@requirement("MS-CASE-005")
def test_the_case_title_and_link_are_the_archive_case(ms: Jobs, tpn_run: Run) -> None:
    verdict(ms, "MS-CASE-005", tpn_run)
