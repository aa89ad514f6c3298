"""Form-xml: the document itself (KS skjema-XML § The document)."""

from __future__ import annotations

import pytest

from tpn.conformance.ksxml.fixtures import Judge


@pytest.mark.requirement("KSX-XML-001")
def test_well_formed_utf8(ksxml: Judge) -> None:
    ksxml.requirement("KSX-XML-001")


@pytest.mark.requirement("KSX-XML-002")
def test_no_dtd_and_within_limits(ksxml: Judge) -> None:
    ksxml.requirement("KSX-XML-002")


@pytest.mark.requirement("KSX-ENV-001")
def test_root_in_a_form_namespace(ksxml: Judge) -> None:
    ksxml.requirement("KSX-ENV-001")


@pytest.mark.requirement("KSX-ENV-002")
def test_form_names_agree(ksxml: Judge) -> None:
    ksxml.requirement("KSX-ENV-002")


@pytest.mark.requirement("KSX-XSD-001")
def test_valid_against_the_form_schema(ksxml: Judge) -> None:
    ksxml.requirement("KSX-XSD-001")
