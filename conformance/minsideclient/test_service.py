"""The service in the tjenestekatalog, and the identifiers the client sends (MS § 1; MSC § Service)."""

from __future__ import annotations

import pytest

from tpn.conformance.minsideclient.fixtures import Jobs
from tpn.conformance.minsideclient.verdict import verdict
from tpn.conformance.results import Run

requirement = pytest.mark.requirement


@requirement("MS-SVC-001")
def test_the_catalogue_holds_the_service_as_given(ms: Jobs, tpn_run: Run) -> None:
    verdict(ms, "MS-SVC-001", tpn_run)


@requirement("MS-SVC-002")
def test_the_service_is_registered_before_a_message_links_to_it(ms: Jobs, tpn_run: Run) -> None:
    verdict(ms, "MS-SVC-002", tpn_run)


@requirement("MS-SVC-003")
def test_registering_again_updates_the_service_in_place(ms: Jobs, tpn_run: Run) -> None:
    verdict(ms, "MS-SVC-003", tpn_run)


@requirement("MS-ID-001")
def test_every_mottaker_is_the_applicant(ms: Jobs, tpn_run: Run) -> None:
    verdict(ms, "MS-ID-001", tpn_run)


@requirement("MS-ID-002")
def test_every_avsenderOrgnr_is_the_municipality(ms: Jobs, tpn_run: Run) -> None:
    verdict(ms, "MS-ID-002", tpn_run)


@requirement("MS-ID-003")
def test_the_service_names_the_municipality(ms: Jobs, tpn_run: Run) -> None:
    verdict(ms, "MS-ID-003", tpn_run)


@requirement("MS-LINK-001")
def test_the_service_url_is_https(ms: Jobs, tpn_run: Run) -> None:
    verdict(ms, "MS-LINK-001", tpn_run)
