"""The citizen's pages of MinSide (``/minside/``): the login through the security portal, as a
real SP of it (``sp``, over the ``backchannel``), the sessions in the store (``sessions``), and
the pages (``site``, ``web``, ``templates/``).

``citizen_site`` builds the site over what the process shares; the MinSide part mounts it at
``/minside`` (``tpn.mocks.minside.mock``). It talks to the portal of the same process: the
portal's registry is in the shared store, and the back channel goes to the portal's own app in
process (see ``backchannel`` for why not over HTTP).
"""

from __future__ import annotations

import datetime as dt

from tpn.mocks.core.config import MockConfig
from tpn.mocks.core.parts import Shared
from tpn.mocks.minside.citizen import tables as tables
from tpn.mocks.minside.citizen.backchannel import Backchannel, InProcess, OverHttp
from tpn.mocks.minside.citizen.sessions import Sessions
from tpn.mocks.minside.citizen.site import CitizenSite
from tpn.mocks.minside.citizen.sp import CitizenSp
from tpn.mocks.minside.minside import MinSide
from tpn.mocks.sikkerhetsportal.mock import portal_over
from tpn.mocks.sikkerhetsportal.web import PortalApp

__all__ = ["Backchannel", "CitizenSite", "CitizenSp", "InProcess", "OverHttp", "citizen_site"]


def citizen_site(config: MockConfig, shared: Shared, minside: MinSide) -> CitizenSite:
    """The citizen's pages over the shared store, clock and journal; their back channel to
    the portal is the portal's own app, in process."""
    clock = shared.clock
    portal = portal_over(config, shared)
    journal = shared.journal if config.journal else None

    def now() -> dt.datetime:
        return clock.now().astimezone(dt.UTC)

    sp = CitizenSp(shared.store, portal, InProcess(PortalApp(portal, journal)), now)
    return CitizenSite(
        minside, sp, Sessions(shared.store, now), public_url=config.public_url, journal=journal
    )
