"""The receipt in the applicant's meldingsboks (MS § 2; MSC § Receipt)."""

from __future__ import annotations

import pytest

from tpn.conformance.minsideclient.fixtures import Jobs
from tpn.conformance.minsideclient.verdict import verdict
from tpn.conformance.results import Run

requirement = pytest.mark.requirement


@requirement("MS-TITLE-001")
def test_no_fodselsnummer_in_a_message_title(ms: Jobs, tpn_run: Run) -> None:
    verdict(ms, "MS-TITLE-001", tpn_run)


@requirement("MS-TITLE-003")
def test_no_title_is_over_100_characters(ms: Jobs, tpn_run: Run) -> None:
    verdict(ms, "MS-TITLE-003", tpn_run)


@requirement("MS-LINK-002")
def test_the_message_link_is_https(ms: Jobs, tpn_run: Run) -> None:
    verdict(ms, "MS-LINK-002", tpn_run)


@requirement("MS-LEVEL-001")
def test_the_message_level_is_at_least_its_service(ms: Jobs, tpn_run: Run) -> None:
    verdict(ms, "MS-LEVEL-001", tpn_run)


@requirement("MS-ATT-001")
def test_attachments_are_within_limits(ms: Jobs, tpn_run: Run) -> None:
    verdict(ms, "MS-ATT-001", tpn_run)


@requirement("MS-ATT-002")
def test_the_receipt_document_is_attached_unchanged(ms: Jobs, tpn_run: Run) -> None:
    verdict(ms, "MS-ATT-002", tpn_run)


@requirement("MS-MSG-001")
def test_one_message_per_receipt(ms: Jobs, tpn_run: Run) -> None:
    verdict(ms, "MS-MSG-001", tpn_run)


@requirement("MS-MSG-002")
def test_the_receipt_names_the_saksnummer(ms: Jobs, tpn_run: Run) -> None:
    verdict(ms, "MS-MSG-002", tpn_run)


@requirement("MS-MSG-003")
def test_the_receipt_links_to_the_case(ms: Jobs, tpn_run: Run) -> None:
    verdict(ms, "MS-MSG-003", tpn_run)


@requirement("MS-MSG-004")
def test_every_attempt_sends_the_same_eksternReferanse(ms: Jobs, tpn_run: Run) -> None:
    verdict(ms, "MS-MSG-004", tpn_run)


@requirement("MS-MSG-005")
def test_a_receipt_asked_for_again_delivers_nothing_new(ms: Jobs, tpn_run: Run) -> None:
    verdict(ms, "MS-MSG-005", tpn_run)


@requirement("MS-MSG-006")
def test_the_sender_is_named_as_the_municipality(ms: Jobs, tpn_run: Run) -> None:
    verdict(ms, "MS-MSG-006", tpn_run)
