"""MinSide as a part (``minside_part``): its three SOAP services under ``/minside``; and MinSide
alone, assembled (``build_minside``) and in a thread (``MinSideMock``).

The services run on the shared endpoint (``tpn.mocks.soap.endpoint.SoapEndpoint``), so they
refuse hostile input, bound bodies, journal and take injected faults as the archive does; their
state is in the shared store (``tables.py``), forgotten by a reset and counted in
``/__admin/state``. With ``auth`` set they are behind HTTP Basic, like every SOAP endpoint. The
citizen's pages (``tpn.mocks.minside.citizen``) are the part's site at ``/minside``; the
endpoints' exact paths are routed before it (``tpn.mocks.core.app.MockApp``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tpn.mocks.core.config import MockConfig
from tpn.mocks.core.parts import Assembly, Part, Shared
from tpn.mocks.core.server import MockServer
from tpn.mocks.minside.citizen import citizen_site
from tpn.mocks.minside.minside import MinSide
from tpn.mocks.minside.model import MELDINGSBOKS, MINESAKER, NS, TJENESTEKATALOG
from tpn.mocks.minside.rules import REFERENCE
from tpn.mocks.minside.service import MinSideService, error_answer
from tpn.mocks.soap.endpoint import SoapEndpoint

__all__ = [
    "MELDINGSBOKS_PATH",
    "MINESAKER_PATH",
    "PREFIX",
    "SERVICES",
    "TJENESTEKATALOG_PATH",
    "MinSideMock",
    "MinSidePart",
    "MinSideParts",
    "build_minside",
    "minside_part",
]

PREFIX = "/minside"
TJENESTEKATALOG_PATH = f"{PREFIX}/tjenestekatalog"
MELDINGSBOKS_PATH = f"{PREFIX}/meldingsboks"
MINESAKER_PATH = f"{PREFIX}/minesaker"
# path -> (service name, its operations)
SERVICES: dict[str, tuple[str, dict[str, tuple[type[Any], type[Any]]]]] = {
    TJENESTEKATALOG_PATH: ("Tjenestekatalog", TJENESTEKATALOG),
    MELDINGSBOKS_PATH: ("Meldingsboks", MELDINGSBOKS),
    MINESAKER_PATH: ("MineSaker", MINESAKER),
}


@dataclass(frozen=True, kw_only=True)
class MinSidePart(Part):
    """MinSide's part, with its logic and its endpoints (by path) for tests and tools."""

    minside: MinSide
    services: Mapping[str, SoapEndpoint]


def minside_part(config: MockConfig) -> Callable[[Shared], MinSidePart]:
    """MinSide's plan (``tpn.mocks.core.parts.Plan``). No defects yet: the reference rules."""
    rules = REFERENCE

    def build(shared: Shared) -> MinSidePart:
        minside = MinSide(shared.store, shared.clock, rules=rules)
        handler = MinSideService(minside)
        endpoints = {
            path: SoapEndpoint(
                name=name,
                namespace=NS,
                operations=operations,
                handler=handler,
                journal=shared.journal if config.journal else None,
                limits=config.limits,
                engine=config.engine,
                on_error=shared.on_error,
                error_answer=error_answer,
            )
            for path, (name, operations) in SERVICES.items()
        }
        # The citizen's pages (tpn.mocks.minside.citizen); a reset forgets their logins too.
        site = citizen_site(config, shared, minside)

        def reset() -> None:
            minside.reset()
            site.reset()

        return MinSidePart(
            name="minside",
            auth=config.auth,
            endpoints=endpoints,
            sites={PREFIX: site},
            reset=reset,
            counts=minside.counts,
            minside=minside,
            services=endpoints,
        )

    return build


class MinSideParts(Assembly):
    """MinSide alone, assembled: its app over its own store, clock and journal."""

    @property
    def minside(self) -> MinSide:
        return self.part(MinSidePart).minside

    def endpoint(self, path: str) -> SoapEndpoint:
        return self.part(MinSidePart).services[path]


def build_minside(
    config: MockConfig | None = None,
    *,
    on_error: Callable[[BaseException], None] | None = None,
    create_schema: bool = True,
) -> MinSideParts:
    """MinSide alone (no archive, no portal), assembled over a store of its own."""
    return MinSideParts.of(
        config or MockConfig(), (minside_part,), on_error=on_error, create_schema=create_schema
    )


def path_of(operation: str) -> str:
    """The endpoint path that serves ``operation``."""
    for path, (_, operations) in SERVICES.items():
        if operation in operations:
            return path
    known = ", ".join(op for _, ops in SERVICES.values() for op in ops)
    raise ValueError(f"{operation!r} is not an operation of MinSide; it has {known}")


class MinSideMock(MockServer):
    """MinSide alone on a free port, in a thread: ``with MinSideMock() as ms:
    Client(ms.wsdl(MELDINGSBOKS_PATH))``. ``url`` is its root (``/minside``)."""

    path = PREFIX
    parts: MinSideParts

    def _assemble(self, on_error: Callable[[BaseException], None]) -> MinSideParts:
        return build_minside(self.config, on_error=on_error)

    @property
    def minside(self) -> MinSide:
        return self.parts.minside

    def service_url(self, path: str) -> str:
        """The URL of the service at ``path`` (``MELDINGSBOKS_PATH``)."""
        return f"{self.base_url}{path}"

    def wsdl(self, path: str) -> str:
        """The WSDL URL of the service at ``path``."""
        return f"{self.service_url(path)}?wsdl"

    def inject(
        self,
        kind: str,
        *,
        operation: str | None = None,
        times: int = 1,
        seconds: float | None = None,
        path: str | None = None,
    ) -> int:
        """As ``MockServer.inject``; without ``path``, the endpoint that serves ``operation``."""
        if path is None and operation is not None:
            path = path_of(operation)
        return super().inject(kind, operation=operation, times=times, seconds=seconds, path=path)
