"""External keys from the form's referanse, kept across retries (FD § Keys)."""

from __future__ import annotations

import pytest

from tpn.conformance.formdelivery import judge as j
from tpn.conformance.formdelivery.fixtures import Deliveries
from tpn.conformance.formdelivery.verdict import judge
from tpn.conformance.results import Run

requirement = pytest.mark.requirement


@requirement("FD-KEY-001")
def test_the_case_key_is_the_referanse(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.case_key(fd.arrivals), tpn_run.recorder)


@requirement("FD-KEY-002")
def test_the_entry_key_is_the_referanse(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.entry_key(fd.arrivals), tpn_run.recorder)


@requirement("FD-KEY-003")
def test_one_system_name_on_every_key(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.one_system(fd.arrivals), tpn_run.recorder)


@requirement("FD-KEY-004")
def test_a_retry_sends_the_keys_of_the_first_attempt(fd: Deliveries, tpn_run: Run) -> None:
    judge(fd, j.same_keys_on_retry(fd.arrivals), tpn_run.recorder)
