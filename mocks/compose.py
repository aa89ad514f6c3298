"""The composition root: every mock of the harness, in one process, as ``tpn serve`` runs them.

``PARTS`` lists the mocks; ``compose`` assembles them (``tpn.mocks.core.parts``) over one store,
one test clock and one journal, behind one admin side (``/__admin``: its journal, reset and state
cover every part) and one HTTP Basic gate; ``ComposedMock`` runs the same in a thread for tests
that need more than one mock. Today that is the Noark-4 WS archive at ``/noark4ws``, the
security portal at ``/sikkerhetsportal``, MinSide under ``/minside`` (its tjenestekatalog,
meldingsboks and minesaker services, and the citizen's pages) and Enhetsregisteret at
``/enhetsregisteret`` (its REST shape under ``/enhetsregisteret/api``).

No mock builds another: each builds only its own part, and this module is the one place that
puts them together. A new mock is a package with a plan of its own
(``tpn.mocks.core.parts.Plan``) and one more entry in ``PARTS``.
"""

from __future__ import annotations

from collections.abc import Callable

from tpn.mocks.core.config import MockConfig
from tpn.mocks.core.parts import Assembly, Plan
from tpn.mocks.core.server import MockServer
from tpn.mocks.enhetsregisteret.mock import enhetsregisteret_part
from tpn.mocks.minside.mock import minside_part
from tpn.mocks.noark4ws.mock import archive_part
from tpn.mocks.sikkerhetsportal.mock import portal_part

__all__ = ["PARTS", "ComposedMock", "compose"]

# In this order their configs are read, their parts built, reset and counted.
PARTS: tuple[Plan, ...] = (
    archive_part,
    portal_part,
    minside_part,
    enhetsregisteret_part,
)


def compose(
    config: MockConfig | None = None,
    *,
    on_error: Callable[[BaseException], None] | None = None,
    create_schema: bool = True,
) -> Assembly:
    """Every mock in ``PARTS``, assembled as one app (what each ``tpn serve`` worker serves)."""
    return Assembly.of(
        config or MockConfig(), PARTS, on_error=on_error, create_schema=create_schema
    )


class ComposedMock(MockServer):
    """Every mock on one free port, in a thread, as ``tpn serve`` serves them:
    ``with ComposedMock() as mocks: mocks.parts.part(PortalPart).portal ...``. ``url`` is the
    server's root; each mock is under its own path."""

    path = ""

    def _assemble(self, on_error: Callable[[BaseException], None]) -> Assembly:
        return compose(self.config, on_error=on_error)
