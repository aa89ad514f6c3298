"""The reference mocks in a test's own process: every mock ``tpn serve`` serves, assembled by the
same composition root (``tpn.mocks.compose``) over an in-memory store, and reached through
`responses` at a base URL with no socket (``route.WsgiRoute``).

    mocks = InProcessMocks().start()          # routes join responses' default mock
    client = zeep.Client(mocks.archive.wsdl_url)
    ...
    assert mocks.archive.contents()[0]["sak"]["saTittel"] == "..."
    mocks.stop()

The handles (``archive``, ``portal``, ``minside``, ``enhetsregisteret``) give each mock's URLs
and what it holds; the journal, the test clock, faults and defects are the assembly's, as the
admin side (``/__admin``) offers them over HTTP.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Self

import responses

from tpn.mocks.compose import compose
from tpn.mocks.core.config import MockConfig
from tpn.mocks.core.faults import InjectedFault
from tpn.mocks.core.journal import Exchange
from tpn.mocks.core.parts import Assembly
from tpn.mocks.enhetsregisteret import mock as er
from tpn.mocks.minside import mock as ms
from tpn.mocks.noark4ws import mock as archive_mock
from tpn.mocks.sikkerhetsportal.mock import PortalPart
from tpn.mocks.sikkerhetsportal.portal import PREFIX as PORTAL_PREFIX
from tpn.mocks.sikkerhetsportal.portal import Portal
from tpn.testing.route import WsgiRoute

# ".invalid" is reserved (RFC 2606): no request for it can ever leave the machine by mistake.
BASE_URL = "http://tpn.invalid"

__all__ = ["BASE_URL", "InProcessMocks"]


@dataclass(frozen=True)
class ArchiveHandle:
    """The Noark-4 WS archive: its endpoint, its WSDL, and what it holds."""

    mocks: InProcessMocks

    @property
    def url(self) -> str:
        return self.mocks.url(archive_mock.PATH)

    @property
    def wsdl_url(self) -> str:
        return f"{self.url}?wsdl"

    def contents(self) -> list[dict[str, Any]]:
        """Every case, with its entries and documents, as the archive stored them."""
        return self.mocks.assembly.part(archive_mock.ArchivePart).archive.contents()

    def counts(self) -> dict[str, int]:
        """How many noarksak, journpost and dokument rows it holds."""
        return self.mocks.assembly.part(archive_mock.ArchivePart).archive.counts()


@dataclass(frozen=True)
class PortalHandle:
    """The security portal: its metadata and SAML endpoints, its SOAP artifact resolution."""

    mocks: InProcessMocks

    @property
    def portal(self) -> Portal:
        return self.mocks.assembly.part(PortalPart).portal

    @property
    def metadata_url(self) -> str:
        return self.mocks.url(f"{PORTAL_PREFIX}/metadata")

    @property
    def artifact_url(self) -> str:
        return self.mocks.url(f"{PORTAL_PREFIX}/artifact")

    def register(self, sp_metadata: bytes) -> str:
        """Register a service provider from its metadata; its entityID."""
        return self.portal.register(sp_metadata).entity_id


@dataclass(frozen=True)
class MinSideHandle:
    """MinSide: its three services' endpoints and what they hold."""

    mocks: InProcessMocks

    @property
    def tjenestekatalog_url(self) -> str:
        return self.mocks.url(ms.TJENESTEKATALOG_PATH)

    @property
    def meldingsboks_url(self) -> str:
        return self.mocks.url(ms.MELDINGSBOKS_PATH)

    @property
    def minesaker_url(self) -> str:
        return self.mocks.url(ms.MINESAKER_PATH)

    def contents(self) -> dict[str, list[dict[str, Any]]]:
        """Services, messages and cases, as MinSide stored them."""
        return self.mocks.assembly.part(ms.MinSidePart).minside.contents()


@dataclass(frozen=True)
class EnhetsregisteretHandle:
    """Enhetsregisteret: its SOAP endpoint and its REST shape."""

    mocks: InProcessMocks

    @property
    def url(self) -> str:
        return self.mocks.url(er.PATH)

    @property
    def wsdl_url(self) -> str:
        return f"{self.url}?wsdl"

    @property
    def api_url(self) -> str:
        return self.mocks.url(f"{er.PATH}/api")

    @property
    def credentials(self) -> tuple[str, str]:
        """The userid and password its SOAP operations take (in the body, as the register's)."""
        return self.mocks.assembly.part(er.EnhetsregisteretPart).credentials


class InProcessMocks:
    """Every reference mock in this process, reached at ``base_url`` through `responses`.

    ``defects`` are the named defects of the defect catalogue (``tpn defects``) to run with;
    ``auth`` the HTTP Basic credentials the endpoints ask for (None: the mocks' defaults)."""

    def __init__(
        self,
        *,
        base_url: str = BASE_URL,
        defects: tuple[str, ...] = (),
        auth: tuple[str, str] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._auth = auth
        self.assembly = self._compose(defects)
        self.route = WsgiRoute(self.base_url, self._app)
        self._joined: list[responses.RequestsMock] = []
        self._started: responses.RequestsMock | None = None
        self.archive = ArchiveHandle(self)
        self.portal = PortalHandle(self)
        self.minside = MinSideHandle(self)
        self.enhetsregisteret = EnhetsregisteretHandle(self)

    def _compose(self, defects: tuple[str, ...]) -> Assembly:
        config = MockConfig(defects=defects, auth=self._auth, public_url=self.base_url)
        return compose(config)

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        # Looked up per request, so that use_defects() swaps the assembly under the route.
        return self.assembly.app(environ, start_response)

    def url(self, path: str) -> str:
        """The URL of ``path`` on the mocks ("/noark4ws")."""
        return f"{self.base_url}/{path.lstrip('/')}"

    # ------------------------------------------------------------------ routing

    def start(self, into: responses.RequestsMock | None = None) -> Self:
        """Route requests for ``base_url`` to the mocks: into ``into`` (a RequestsMock the test
        runs itself), else into `responses`' default mock, which is started if it is not yet
        (and stopped again by :meth:`stop`). Other routes and passthrough rules of that mock
        are untouched; a request matching none of them fails as `responses` makes it fail."""
        target = into if into is not None else responses.mock
        if into is None and target._patcher is None:
            target.start()
            self._started = target
        self.join(target)
        return self

    def join(self, rsps: responses.RequestsMock) -> None:
        """Add the mocks' route to another RequestsMock too (one started after ours, whose
        patch of requests would otherwise hide ours)."""
        if self.route not in rsps.registered():
            rsps.add(self.route)
        self._joined.append(rsps)

    def stop(self) -> None:
        """Take the route out of every mock it joined; stop the default mock if we started it."""
        for rsps in self._joined:
            if self.route in rsps.registered():
                rsps.remove(self.route)
        self._joined.clear()
        if self._started is not None:
            self._started.stop(allow_assert=False)
            self._started.reset()
            self._started = None

    @contextmanager
    def running(self, into: responses.RequestsMock | None = None) -> Iterator[Self]:
        """``with InProcessMocks().running() as mocks:`` start, and stop at the end."""
        self.start(into)
        try:
            yield self
        finally:
            self.stop()

    # ------------------------------------------------------------------ steering

    def journal(self, *, operation: str | None = None, key: str | None = None) -> list[Exchange]:
        """Every recorded exchange, oldest first; only ``operation``'s, or ``key``'s, if given."""
        return self.assembly.journal.entries(limit=100_000, operation=operation, key=key)

    def set_clock(self, moment: dt.datetime, *, frozen: bool = True) -> None:
        """Make the mocks' "now" ``moment``: frozen there, or running on from it."""
        self.assembly.clock.set(moment, frozen=frozen)

    def reset_clock(self) -> None:
        """Back to real time."""
        self.assembly.clock.reset()

    def inject_fault(
        self,
        kind: str,
        *,
        operation: str | None = None,
        path: str | None = None,
        times: int = 1,
        seconds: float | None = None,
    ) -> InjectedFault:
        """Make the next ``times`` calls (of ``operation`` at ``path``) fail as ``kind`` says
        (``tpn.mocks.core.faults``: drop-after-commit, delay, fault ...)."""
        return self.assembly.faults.inject(
            kind, path=path, operation=operation, times=times, seconds=seconds
        )

    def use_defects(self, *names: str) -> None:
        """Run on with the named defects (``tpn defects``) instead: a new, empty set of mocks
        behind the same URL (what was stored before is gone, as after a restart)."""
        self.assembly = self._compose(tuple(names))

    def reset(self) -> None:
        """Forget everything every mock holds, the journal, the faults and the clock."""
        self.assembly.reset()
