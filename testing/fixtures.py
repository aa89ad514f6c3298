"""The pytest fixtures of ``tpn.testing``, registered by the installed harness (entry point
``pytest11``: ``tpn_testing``). Nothing here is built or started unless a test asks for a
fixture: this module imports no mock at import time.

    def test_files_a_case(tpn_archive):
        client = zeep.Client(tpn_archive.wsdl_url)
        ...
        assert tpn_archive.counts()["noarksak"] == 1

``tpn_mocks`` is every mock (fresh per test, in memory), with the journal, the test clock,
faults and defects; the others are one mock's handle over the same ``tpn_mocks``. A marker sets
defects before the first request: ``@pytest.mark.tpn_defects("sak-ignores-status")``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tpn.testing.mocks import (
        ArchiveHandle,
        EnhetsregisteretHandle,
        InProcessMocks,
        MinSideHandle,
        PortalHandle,
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "tpn_defects(*names): run tpn_mocks with these defects (tpn defects)"
    )


@pytest.fixture
def tpn_mocks(request: pytest.FixtureRequest) -> Iterator[InProcessMocks]:
    """Every reference mock, fresh, in this process, at ``http://tpn.invalid``."""
    from tpn.testing.mocks import InProcessMocks

    marker = request.node.get_closest_marker("tpn_defects")
    defects = tuple(str(name) for name in marker.args) if marker is not None else ()
    with InProcessMocks(defects=defects).running() as mocks:
        yield mocks


@pytest.fixture
def tpn_archive(tpn_mocks: InProcessMocks) -> ArchiveHandle:
    """The Noark-4 WS archive of ``tpn_mocks``: ``url``, ``wsdl_url``, ``contents()``."""
    return tpn_mocks.archive


@pytest.fixture
def tpn_portal(tpn_mocks: InProcessMocks) -> PortalHandle:
    """The security portal of ``tpn_mocks``: metadata, artifact resolution, ``register()``."""
    return tpn_mocks.portal


@pytest.fixture
def tpn_minside(tpn_mocks: InProcessMocks) -> MinSideHandle:
    """MinSide of ``tpn_mocks``: its three services' URLs, ``contents()``."""
    return tpn_mocks.minside


@pytest.fixture
def tpn_enhetsregisteret(tpn_mocks: InProcessMocks) -> EnhetsregisteretHandle:
    """Enhetsregisteret of ``tpn_mocks``: its SOAP and REST URLs."""
    return tpn_mocks.enhetsregisteret
