"""Where the vendor's tests find the archive: in process (``tpn_archive``, from the installed
harness), or a served one when ``TPN_ARCHIVE_URL`` names it (``tpn serve``, a container, a
staging archive). Every test reads the archive only over HTTP (SOAP and ``/__admin``), so the
same tests run unchanged both ways."""

from __future__ import annotations

import os
from typing import Any

import pytest
import requests


@pytest.fixture
def archive_url(request: pytest.FixtureRequest) -> str:
    served = os.environ.get("TPN_ARCHIVE_URL")
    if served:
        requests.post(f"{_root(served)}/__admin/reset", timeout=10).raise_for_status()
        return served.rstrip("/")
    archive: Any = request.getfixturevalue("tpn_archive")
    return str(archive.url)


@pytest.fixture
def archive_state(archive_url: str) -> Any:
    """What the archive holds, by the admin side's counts."""

    def state() -> dict[str, int]:
        answer = requests.get(f"{_root(archive_url)}/__admin/state", timeout=10)
        answer.raise_for_status()
        counts: dict[str, int] = answer.json()
        return counts

    return state


def _root(url: str) -> str:
    return url.rstrip("/").rsplit("/noark4ws", 1)[0]
