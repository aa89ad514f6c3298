"""The vendor's own tests of its form engine, against the reference archive."""

from __future__ import annotations

from typing import Any

import pytest
from archive_client import ArchiveClient, ArchiveError
from form_engine import deliver

FORM = {
    "id": "skjema-2031-0001",
    "tjeneste": "Søknad om parkeringstillatelse",
    "navn": "Kari Nordmann",
    "mottatt": "2031-02-03",
}


def test_a_form_becomes_a_case_and_an_entry(archive_url: str, archive_state: Any) -> None:
    archive = ArchiveClient(f"{archive_url}?wsdl")
    filed = deliver(FORM, archive)
    assert filed.saksnummer.count("/") == 1
    assert filed.journalpostnummer.endswith("/1")
    assert archive_state()["noarksak"] == 1
    assert archive_state()["journpost"] == 1


def test_a_resent_form_files_no_second_case(archive_url: str, archive_state: Any) -> None:
    archive = ArchiveClient(f"{archive_url}?wsdl")
    first = deliver(FORM, archive)
    again = deliver(FORM, archive)
    assert again.saksnummer == first.saksnummer
    assert archive_state()["noarksak"] == 1


def test_the_archive_says_what_is_wrong(archive_url: str) -> None:
    archive = ArchiveClient(f"{archive_url}?wsdl")
    with pytest.raises(ArchiveError, match="MISSING_FIELD"):
        archive.file_form("skjema-uten-tittel", "", "tom")
