"""The archive as a part (``archive_part``): its logic and its SOAP endpoint at ``/noark4ws``;
and the archive alone, assembled (``build_archive``) and in a thread (``ArchiveMock``).

The config's named defects are read first, before anything is built: the defect registry
(``defects/``) gives the archive's seams (its policies, the handler's filters, the endpoint's
faults, the authentication); without defects these are the reference ones. The security
portal beside it in ``tpn serve`` is another part, listed in ``tpn.mocks.compose``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.engine import make_url

from tpn.mocks.core.config import MockConfig
from tpn.mocks.core.parts import Assembly, Part, Shared
from tpn.mocks.core.server import MockServer
from tpn.mocks.noark4ws import defects
from tpn.mocks.noark4ws.archive import Archive, error_answer
from tpn.mocks.noark4ws.model import NS, OPERATIONS
from tpn.mocks.soap.endpoint import SoapEndpoint

PATH = "/noark4ws"


@dataclass(frozen=True, kw_only=True)
class ArchivePart(Part):
    """The archive's part, with its logic and its endpoint for tests and tools."""

    archive: Archive
    endpoint: SoapEndpoint


def archive_part(config: MockConfig) -> Callable[[Shared], ArchivePart]:
    """The archive's plan (``tpn.mocks.core.parts.Plan``): the defects read, then the build."""
    # Before anything is built: an unknown defect, or one the store cannot run, fails here.
    seams = defects.seams(config.defects, make_url(config.db).get_backend_name())

    def build(shared: Shared) -> ArchivePart:
        # The names build_archive always used, so the archive's lines read as they did.
        store, clock, journal = shared.store, shared.clock, shared.journal
        on_error = shared.on_error
        archive = Archive(store, clock, policies=seams.policies)
        endpoint = seams.endpoint(
            name="Noark4WS",
            namespace=NS,
            operations=OPERATIONS,
            handler=seams.handler(archive),
            journal=journal if config.journal else None,
            limits=config.limits,
            engine=config.engine,
            on_error=on_error,
            error_answer=error_answer,
        )
        auth = config.auth if seams.credentials_checked else None
        return ArchivePart(
            name="noark4ws",
            auth=auth,
            endpoints={PATH: endpoint},
            reset=archive.reset,
            counts=archive.counts,
            panels=lambda: (defects.catalogue_panel(config.defects),),
            archive=archive,
            endpoint=endpoint,
        )

    return build


class ArchiveParts(Assembly):
    """The archive alone, assembled: its app over its own store, clock and journal."""

    @property
    def archive(self) -> Archive:
        return self.part(ArchivePart).archive

    @property
    def endpoint(self) -> SoapEndpoint:
        return self.part(ArchivePart).endpoint


def build_archive(
    config: MockConfig | None = None,
    *,
    on_error: Callable[[BaseException], None] | None = None,
    create_schema: bool = True,
) -> ArchiveParts:
    """The archive alone (no portal), assembled over a store of its own."""
    return ArchiveParts.of(
        config or MockConfig(), (archive_part,), on_error=on_error, create_schema=create_schema
    )


class ArchiveMock(MockServer):
    """The reference archive on a free port, in a thread: ``with ArchiveMock() as archive: ...``."""

    path = PATH
    parts: ArchiveParts

    def _assemble(self, on_error: Callable[[BaseException], None]) -> ArchiveParts:
        return build_archive(self.config, on_error=on_error)

    @property
    def archive(self) -> Archive:
        return self.parts.archive
