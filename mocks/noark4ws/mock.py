"""Assembling the archive: store, journal, clock, archive logic, SOAP endpoint, admin side, and
the security portal beside it (``/sikkerhetsportal``).

The config's named defects are checked first, before anything is built: the defect registry
(``defects/``) gives the archive's seams (its policies, the handler's filters, the endpoint's
faults, the authentication); without defects these are the reference ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from tpn.mocks.admin import Admin
from tpn.mocks.app import MockApp
from tpn.mocks.clock import Clock
from tpn.mocks.config import MockConfig
from tpn.mocks.journal import Journal
from tpn.mocks.noark4ws import defects
from tpn.mocks.noark4ws.archive import Archive
from tpn.mocks.noark4ws.model import NS, OPERATIONS
from tpn.mocks.server import MockServer
from tpn.mocks.sikkerhetsportal.admin import MAX_METADATA as PORTAL_MAX_METADATA
from tpn.mocks.sikkerhetsportal.admin import routes as portal_admin_routes
from tpn.mocks.sikkerhetsportal.keys import SigningKey
from tpn.mocks.sikkerhetsportal.portal import PREFIX as PORTAL_PREFIX
from tpn.mocks.sikkerhetsportal.portal import Portal
from tpn.mocks.sikkerhetsportal.web import PortalApp
from tpn.mocks.soap.endpoint import SoapEndpoint
from tpn.mocks.store import Store

PATH = "/noark4ws"


@dataclass
class ArchiveParts:
    app: MockApp
    store: Store
    archive: Archive
    endpoint: SoapEndpoint
    journal: Journal
    clock: Clock
    portal: Portal

    def reset(self) -> None:
        self.archive.reset()
        self.portal.reset()
        self.journal.clear()
        self.clock.reset()


def build_archive(
    config: MockConfig | None = None,
    *,
    on_error: Callable[[BaseException], None] | None = None,
    create_schema: bool = True,
) -> ArchiveParts:
    config = config or MockConfig()
    # Before anything is built: an unknown defect, or one the store cannot run, fails here.
    seams = defects.seams(config.defects, make_url(config.db).get_backend_name())
    store = Store(config.db, create=create_schema)
    clock = Clock(store)
    journal = Journal(store)
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
    )
    # The security portal shares the process, the store and the test clock.
    key = SigningKey.load(Path(config.portal_key)) if config.portal_key else None
    portal = Portal(store, config.public_url, key=key, now=lambda: _aware(clock.now()))
    parts: ArchiveParts
    admin = Admin(
        journal=journal,
        clock=clock,
        reset=lambda: parts.reset(),
        state=archive.counts,
        routes=portal_admin_routes(portal),
        body_limits={"/sikkerhetsportal/sp": PORTAL_MAX_METADATA},
        on_error=on_error,
    )
    auth = config.auth if seams.credentials_checked else None
    app = MockApp(
        {PATH: endpoint},
        admin,
        auth=auth,
        on_error=on_error,
        sites={PORTAL_PREFIX: PortalApp(portal, journal if config.journal else None)},
        max_body=config.limits.max_body_bytes,
    )
    parts = ArchiveParts(app, store, archive, endpoint, journal, clock, portal)
    return parts


def _aware(moment: dt.datetime) -> dt.datetime:
    # The test clock keeps local time without a zone; SAML wants UTC.
    return moment.astimezone(dt.UTC)


class ArchiveMock(MockServer):
    """The reference archive on a free port, in a thread: ``with ArchiveMock() as archive: ...``."""

    path = PATH

    def _build(self, on_error: Callable[[BaseException], None]) -> Any:
        self.parts = build_archive(self.config, on_error=on_error)
        return self.parts.app

    @property
    def archive(self) -> Archive:
        return self.parts.archive

    def reset(self) -> None:
        self.parts.reset()
