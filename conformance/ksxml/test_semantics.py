"""Form-xml: data-element ids and cross-field rules (SERES conventions; profile decisions)."""

from __future__ import annotations

import pytest

from tpn.conformance.ksxml.fixtures import Judge


@pytest.mark.requirement("KSX-ORID-001")
def test_data_element_ids(ksxml: Judge) -> None:
    ksxml.requirement("KSX-ORID-001")


@pytest.mark.requirement("KSX-MOT-001")
def test_receiver_is_one_municipality(ksxml: Judge) -> None:
    ksxml.requirement("KSX-MOT-001")


@pytest.mark.requirement("KSX-BARN-001")
def test_children(ksxml: Judge) -> None:
    ksxml.requirement("KSX-BARN-001")


@pytest.mark.requirement("KSX-PERIODE-001")
def test_periods(ksxml: Judge) -> None:
    ksxml.requirement("KSX-PERIODE-001")


@pytest.mark.requirement("KSX-MATR-001")
def test_property_in_the_receiving_municipality(ksxml: Judge) -> None:
    ksxml.requirement("KSX-MATR-001")
