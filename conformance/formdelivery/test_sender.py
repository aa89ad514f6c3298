"""The applicant as sender, and an organisation's data from the register (FD § Sender,
§ Register)."""

from __future__ import annotations

import pytest

from tpn.conformance.formdelivery import judge as j
from tpn.conformance.formdelivery.fixtures import Deliveries
from tpn.conformance.formdelivery.verdict import judge
from tpn.conformance.results import Run

requirement = pytest.mark.requirement


@requirement("FD-AM-001")
def test_one_sender_the_applicant(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.one_sender(fd.arrivals), tpn_run.recorder)


@requirement("FD-AM-002")
def test_the_senders_name(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.sender_name(fd.arrivals), tpn_run.recorder)


@requirement("FD-AM-003")
def test_the_senders_postal_address(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.sender_address(fd.arrivals), tpn_run.recorder)


@requirement("FD-AM-004")
def test_the_sender_is_named_by_number(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.sender_identity(fd.arrivals), tpn_run.recorder)


@requirement("FD-AM-005")
def test_the_senders_email_address(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.sender_email(fd.arrivals), tpn_run.recorder)


@requirement("FD-ORG-001")
def test_an_organisations_name_is_the_registers(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.register_name(fd.arrivals), tpn_run.recorder)


@requirement("FD-ORG-002")
def test_an_organisations_address_is_the_registers(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.register_address(fd.arrivals), tpn_run.recorder)


@requirement("FD-ORG-003")
def test_the_archived_form_holds_the_registers_data(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.register_in_form(fd.arrivals), tpn_run.recorder)
