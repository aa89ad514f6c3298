"""An exchange the journal cannot record (a full disk) is still answered, by every front."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tpn.mocks.core import journal_log
from tpn.testing import InProcessMocks


@pytest.fixture
def mocks() -> Iterator[InProcessMocks]:
    with InProcessMocks().running() as running:
        yield running


def _full_disk(*_: Any, **__: Any) -> None:
    raise OSError(28, "No space left on device")


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("/sikkerhetsportal/metadata", "sikkerhetsportal"),
        ("/minside/metadata", "minside-web"),
        # A synthetic municipality of the register's own data (identifiers.md): 200 with a body.
        ("/enhetsregisteret/api/enheter/390301006", "enhetsregisteret"),
    ],
)
def test_the_answer_is_sent_and_the_failure_logged(
    mocks: InProcessMocks,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    path: str,
    service: str,
) -> None:
    answered = requests.get(mocks.url(path), timeout=10)
    # Where a full disk would fail: the append (the in-process mocks' store is in memory).
    monkeypatch.setattr(journal_log.MemoryLog, "append", _full_disk)
    with caplog.at_level(logging.ERROR, logger="tpn.mocks"):
        again = requests.get(mocks.url(path), timeout=10)
    assert again.status_code == answered.status_code and again.content == answered.content
    assert f"the journal failed on a {service} " in caplog.text
    assert "No space left on device" in caplog.text
