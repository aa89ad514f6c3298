"""Form-xml: Metadata and code lists (KS skjema-XML § The document; § Business rules)."""

from __future__ import annotations

import pytest

from tpn.conformance.ksxml.fixtures import Judge


@pytest.mark.requirement("KSX-TID-001")
def test_submission_time(ksxml: Judge) -> None:
    ksxml.requirement("KSX-TID-001")


@pytest.mark.requirement("KSX-NIVAA-001")
def test_security_level(ksxml: Judge) -> None:
    ksxml.requirement("KSX-NIVAA-001")


@pytest.mark.requirement("KSX-REF-001")
def test_unique_referanse(ksxml: Judge) -> None:
    ksxml.requirement("KSX-REF-001")


@pytest.mark.requirement("KSX-KODE-001")
def test_code_lists(ksxml: Judge) -> None:
    ksxml.requirement("KSX-KODE-001")
