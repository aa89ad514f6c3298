"""Parts: what one mock brings to a process, and how parts become one ``MockApp``.

A mock (the archive, the portal) is built as a ``Part``: its SOAP endpoints by path, its sites
for browsers by path prefix, its admin routes and their body limits, its reset, its state
counts, its panels on the journal page, and the credentials its endpoints ask for. It is built
in two steps, so that a mistake in the configuration is found before anything exists: a
``Plan`` reads the ``MockConfig`` (an unknown defect fails there), and the ``Build`` it returns
makes the part over what the process shares (``Shared``: the store, the test clock, the
journal).

``Assembly.of(config, plans)`` runs every plan, makes the shared store, clock and journal, builds
every part over them and mounts the parts in one ``MockApp`` with one admin side, whose pages
(the journal page at ``/__admin/view/journal``) show every part's exchanges and panels. Which
parts a process holds is the caller's choice: the composition root (``tpn.mocks.compose``) lists every
mock for ``tpn serve``; ``ArchiveMock`` and ``PortalMock`` assemble one part each.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Self, TypeVar

from tpn.mocks.core.admin import Admin
from tpn.mocks.core.app import MockApp, WsgiApp
from tpn.mocks.core.clock import Clock
from tpn.mocks.core.config import MockConfig
from tpn.mocks.core.faults import Faults, FaultTarget
from tpn.mocks.core.journal import Journal
from tpn.mocks.core.journal_page import PREFIX as PAGES
from tpn.mocks.core.journal_page import JournalPage
from tpn.mocks.core.panels import Panel
from tpn.mocks.core.store import Store

__all__ = ["AdminRoutes", "Assembly", "Build", "Part", "Plan", "Shared"]

AdminRoutes = Mapping[tuple[str, str], Callable[[dict[str, Any]], Any]]
"""(method, path under ``/__admin``) → handler of the request's WSGI environ."""


@dataclass(frozen=True)
class Shared:
    """What every part of one process is built over: one store, one clock, one journal."""

    config: MockConfig
    store: Store
    clock: Clock
    journal: Journal
    # Where a failure inside the server goes (MockServer: raised again in the test's thread).
    on_error: Callable[[BaseException], None] | None = None


def _nothing() -> None:
    pass


def _no_counts() -> Mapping[str, int]:
    return {}


def _no_panels() -> Sequence[Panel]:
    return ()


@dataclass(frozen=True, kw_only=True)
class Part:
    """One mock, built, as the assembly mounts it. A mock's own part subclasses this to carry
    its insides (the archive, the portal) for tests and tools; the assembly never looks at them.
    """

    name: str  # the mock's, in messages
    # The credentials its endpoints ask for (HTTP Basic), None: none. Required, so that no part
    # opens the gate by leaving it out (see Assembly.of).
    auth: tuple[str, str] | None
    endpoints: Mapping[str, WsgiApp] = field(default_factory=dict)  # by exact path
    sites: Mapping[str, WsgiApp] = field(default_factory=dict)  # by prefix, for browsers
    admin_routes: AdminRoutes = field(default_factory=dict)
    admin_limits: Mapping[str, int] = field(default_factory=dict)  # bodies over admin.MAX_BODY
    reset: Callable[[], None] = _nothing  # forget the part's state (not the journal, the clock)
    counts: Callable[[], Mapping[str, int]] = _no_counts  # what it holds (GET /__admin/state)
    # What a person should know of its state, as it is now: the journal page shows these.
    panels: Callable[[], Sequence[Panel]] = _no_panels


Build = Callable[[Shared], Part]
"""Makes a part over the shared store, clock and journal."""
Plan = Callable[[MockConfig], Build]
"""Reads one mock's configuration before anything is built (and fails there, naming what is
wrong); returns how to build the part."""

P = TypeVar("P", bound=Part)


@dataclass(frozen=True)
class Assembly:
    """The parts of one process, mounted in one app over one store, clock and journal."""

    app: MockApp
    store: Store
    clock: Clock
    journal: Journal
    parts: tuple[Part, ...]
    faults: Faults

    @classmethod
    def of(
        cls,
        config: MockConfig,
        plans: Iterable[Plan],
        *,
        on_error: Callable[[BaseException], None] | None = None,
        create_schema: bool = True,
    ) -> Self:
        # Every plan reads the config first: an unknown defect fails before a store exists.
        builds = [plan(config) for plan in plans]
        store = Store(config.db, create=create_schema)
        clock = Clock(store)
        journal = Journal(store)
        shared = Shared(config, store, clock, journal, on_error)
        parts = tuple(build(shared) for build in builds)
        endpoints = _joined(parts, "endpoints")
        # Every endpoint that can act out faults takes them from the store, by its path.
        faults = Faults(store, {p: e for p, e in endpoints.items() if isinstance(e, FaultTarget)})
        assembly: Self
        page = JournalPage(
            journal=journal,
            clock=clock,
            faults=faults,
            panels=lambda: [panel for part in parts for panel in part.panels()],
            on_error=on_error,
        )
        admin = Admin(
            journal=journal,
            clock=clock,
            reset=lambda: assembly.reset(),
            state=lambda: assembly.counts(),
            routes=_joined(parts, "admin_routes"),
            body_limits=_joined(parts, "admin_limits"),
            on_error=on_error,
            faults=faults,
            pages={PAGES: page},
        )
        # MockApp has one Basic gate, before the admin side and every endpoint (sites and
        # /isalive are outside it). A part whose endpoints ask for no credentials leaves it open:
        # so the credentials-unchecked archive has always been, its admin side included.
        auth = None if any(part.auth is None for part in parts) else config.auth
        app = MockApp(
            endpoints,
            admin,
            auth=auth,
            on_error=on_error,
            sites=_joined(parts, "sites"),
            max_body=config.limits.max_body_bytes,
        )
        assembly = cls(app, store, clock, journal, parts, faults)
        return assembly

    def reset(self) -> None:
        """Every part's state, then the faults, the journal and the clock (POST /__admin/reset)."""
        for part in self.parts:
            part.reset()
        self.faults.clear()
        self.journal.clear()
        self.clock.reset()

    def counts(self) -> dict[str, int]:
        """What the parts hold, their counts side by side (GET /__admin/state)."""
        found: dict[str, int] = {}
        for part in self.parts:
            found.update(part.counts())
        return found

    def part(self, kind: type[P]) -> P:
        """The part of type ``kind`` (``ArchivePart``, ``PortalPart``)."""
        for part in self.parts:
            if isinstance(part, kind):
                return part
        held = ", ".join(type(p).__name__ for p in self.parts) or "none"
        raise LookupError(f"no {kind.__name__} in this assembly; its parts: {held}")


def _joined(parts: tuple[Part, ...], attribute: str) -> dict[Any, Any]:
    """One mapping of every part's ``attribute``; two parts claiming one key is a mistake in the
    root, said at once rather than one part silently hiding the other's route."""
    joined: dict[Any, Any] = {}
    owner: dict[Any, str] = {}
    for part in parts:
        for key, value in getattr(part, attribute).items():
            if key in joined:
                raise ValueError(f"{part.name} and {owner[key]} both claim {attribute} {key!r}")
            joined[key], owner[key] = value, part.name
    return joined
