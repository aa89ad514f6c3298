"""The form XML as main document and its PDF rendering (FD § Documents)."""

from __future__ import annotations

import pytest

from tpn.conformance.formdelivery import judge as j
from tpn.conformance.formdelivery.fixtures import Deliveries
from tpn.conformance.formdelivery.verdict import judge
from tpn.conformance.results import Run

requirement = pytest.mark.requirement


@requirement("FD-DOK-001")
def test_the_form_xml_is_the_main_document(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.main_is_xml(fd.arrivals), tpn_run.recorder)


@requirement("FD-DOK-002")
def test_the_main_document_is_a_valid_form(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.main_valid(fd.arrivals), tpn_run.recorder)


@requirement("FD-DOK-003")
def test_the_main_document_holds_the_jobs_data(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.main_holds_the_data(fd.arrivals), tpn_run.recorder)


@requirement("FD-DOK-004")
def test_a_pdf_rendering_is_archived(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.pdf_rendering(fd.arrivals), tpn_run.recorder)


@requirement("FD-DOK-005")
def test_the_pdf_shows_the_title_and_the_applicant(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.pdf_text(fd.arrivals), tpn_run.recorder)


@requirement("FD-DOK-006")
def test_the_main_documents_title(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.main_title(fd.arrivals), tpn_run.recorder)
