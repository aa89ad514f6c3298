"""The portal as a part (``portal_part``): its pages under ``/sikkerhetsportal`` and its admin
routes; and the portal alone, assembled (``build_portal``) and in a thread (``PortalMock``).

The portal shares the store and the test clock of whatever it is assembled with: alone for the
sp suite, beside the archive in ``tpn serve`` (``tpn.mocks.compose``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tpn.mocks.core.config import MockConfig
from tpn.mocks.core.parts import Assembly, Part, Shared
from tpn.mocks.core.server import MockServer
from tpn.mocks.saml.keys import SigningKey
from tpn.mocks.sikkerhetsportal import personas
from tpn.mocks.sikkerhetsportal.admin import MAX_METADATA
from tpn.mocks.sikkerhetsportal.admin import routes as admin_routes
from tpn.mocks.sikkerhetsportal.portal import PREFIX, Portal
from tpn.mocks.sikkerhetsportal.web import PortalApp


@dataclass(frozen=True, kw_only=True)
class PortalPart(Part):
    """The portal's part, with the identity provider for tests and tools."""

    portal: Portal


def portal_part(config: MockConfig) -> Callable[[Shared], PortalPart]:
    """The portal's plan (``tpn.mocks.core.parts.Plan``): nothing to read first, then the build."""

    def build(shared: Shared) -> PortalPart:
        portal = portal_over(config, shared)
        return PortalPart(
            name="sikkerhetsportal",
            # Its pages are for browsers, outside the Basic gate; its admin routes are not.
            auth=config.auth,
            sites={PREFIX: PortalApp(portal, shared.journal if config.journal else None)},
            admin_routes=admin_routes(portal),
            admin_limits={"/sikkerhetsportal/sp": MAX_METADATA},
            reset=portal.reset,
            counts=portal.counts,
            panels=lambda: (personas.panel(shared.clock.now().date()),),
            portal=portal,
        )

    return build


def portal_over(config: MockConfig, shared: Shared) -> Portal:
    """The portal over the process's shared store and clock, its key from ``config`` or the
    store: the part's own, and the one MinSide's citizen pages register with and resolve their
    artifacts at in process (``tpn.mocks.minside.citizen``)."""
    key = SigningKey.load(Path(config.portal_key)) if config.portal_key else None
    clock = shared.clock
    return Portal(shared.store, config.public_url, key=key, now=lambda: _aware(clock.now()))


def _aware(moment: dt.datetime) -> dt.datetime:
    # The test clock keeps local time without a zone; SAML wants UTC.
    return moment.astimezone(dt.UTC)


class PortalParts(Assembly):
    """The portal alone, assembled: its app over its own store, clock and journal."""

    @property
    def portal(self) -> Portal:
        return self.part(PortalPart).portal


def build_portal(
    config: MockConfig | None = None,
    *,
    on_error: Callable[[BaseException], None] | None = None,
    create_schema: bool = True,
) -> PortalParts:
    """The portal alone (no archive), assembled over a store of its own."""
    return PortalParts.of(
        config or MockConfig(), (portal_part,), on_error=on_error, create_schema=create_schema
    )


class PortalMock(MockServer):
    """The security portal alone on a free port, in a thread: ``with PortalMock() as idp: ...``
    (the sp suite's identity provider). ``url`` is the portal's prefix."""

    path = PREFIX
    parts: PortalParts

    def _assemble(self, on_error: Callable[[BaseException], None]) -> PortalParts:
        return build_portal(self.config, on_error=on_error)
