"""Form-xml: identifiers (KS skjema-XML § Business rules; identifiers.md)."""

from __future__ import annotations

import pytest

from tpn.conformance.ksxml.fixtures import Judge


@pytest.mark.requirement("KSX-ID-001")
def test_person_numbers(ksxml: Judge) -> None:
    ksxml.requirement("KSX-ID-001")


@pytest.mark.requirement("KSX-ID-002")
def test_organisation_numbers(ksxml: Judge) -> None:
    ksxml.requirement("KSX-ID-002")


@pytest.mark.requirement("KSX-ID-003")
def test_synthetic_person_numbers_only(ksxml: Judge) -> None:
    ksxml.requirement("KSX-ID-003")


@pytest.mark.requirement("KSX-KOMM-001")
def test_known_municipalities(ksxml: Judge) -> None:
    ksxml.requirement("KSX-KOMM-001")


@pytest.mark.requirement("KSX-POST-001")
def test_postal_codes(ksxml: Judge) -> None:
    ksxml.requirement("KSX-POST-001")
