"""The bindings the sp suite answers an SP over, read from the SP's metadata.

An SP declares its assertion consumer services (ACS), each with a binding; the suite runs the
correct login, every forgery, the replay and the RelayState check over each binding it
declares that the suite speaks: HTTP-Artifact (the profile's) and HTTP-POST (what most SP
libraries take). Per binding it uses one ACS, the one a portal would choose: the default
(``isDefault``), else the lowest index, else the first listed (SAML Metadata §2.2.3).

``--binding artifact|post`` narrows a run to one; narrowing to one the SP does not declare is
refused before the run starts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tpn.mocks.saml import ns
from tpn.mocks.saml.metadata import Endpoint

# The option's names, in the order a run goes through them.
NAMES = {"artifact": ns.ARTIFACT, "post": ns.POST}
LABELS = {ns.ARTIFACT: "HTTP-Artifact", ns.POST: "HTTP-POST"}


class NotDeclared(ValueError):
    """The SP declares no ACS the run can use: the message is the one line the user sees."""


@dataclass(frozen=True)
class Acs:
    """One ACS the suite delivers to: its binding's URI and its Location."""

    binding: str
    location: str

    @property
    def label(self) -> str:
        return LABELS[self.binding]


def _first(endpoints: Sequence[Endpoint]) -> Endpoint:
    defaults = [e for e in endpoints if e.default]
    if defaults:
        return defaults[0]
    indexed = [e for e in endpoints if e.index is not None]
    return min(indexed, key=lambda e: e.index or 0) if indexed else endpoints[0]


def declared(acs: Sequence[Endpoint]) -> tuple[Acs, ...]:
    """The SP's ACSs the suite can answer at, one per binding, artifact first."""
    found = []
    for binding in NAMES.values():
        over = [e for e in acs if e.binding == binding]
        if over:
            found.append(Acs(binding, _first(over).location))
    return tuple(found)


def chosen(acs: Sequence[Endpoint], narrow: str | None, *, option: str) -> tuple[Acs, ...]:
    """The ACSs a run uses: every declared one, or (``narrow``) the one of that binding; or
    :class:`NotDeclared` saying what the SP declares."""
    usable = declared(acs)
    offered = ", ".join(sorted({e.binding for e in acs})) or "none"
    if not usable:
        raise NotDeclared(
            "the SP's metadata declares no AssertionConsumerService over HTTP-Artifact or "
            f"HTTP-POST (it declares: {offered})"
        )
    if narrow is None:
        return usable
    wanted = [a for a in usable if a.binding == NAMES[narrow]]
    if not wanted:
        raise NotDeclared(
            f"{option} {narrow}: the SP's metadata declares no AssertionConsumerService over "
            f"{LABELS[NAMES[narrow]]} (it declares: {', '.join(a.label for a in usable)})"
        )
    return tuple(wanted)


@dataclass
class PerBinding:
    """What one check found over each binding: failures and reasons it could not judge, each
    naming its binding, and notes for the report."""

    failed: list[str]
    unjudged: list[str]
    notes: list[str]


def each(acs: Sequence[Acs], check: Callable[[Acs], str | None]) -> PerBinding:
    """Run ``check`` over every binding; an AssertionError is that binding's failure, a skip
    (``pytest.skip``'s exception) that binding's reason it could not judge, a returned text a
    note. Each is prefixed with its binding ("over HTTP-POST: "), so a message says where it
    happened."""
    import pytest

    found = PerBinding([], [], [])
    for one in acs:
        where = f"over {one.label}: "
        try:
            note = check(one)
        except AssertionError as exc:
            # The assertion's own message; pytest's expansion of the expression stays out of a
            # message that joins several bindings.
            own = str(exc).split("\nassert ")[0].strip() or type(exc).__name__
            found.failed.append(f"{where}{own}")
        except pytest.skip.Exception as exc:
            found.unjudged.append(f"{where}{exc.msg}")
        else:
            if note:
                found.notes.append(f"{where}{note}")
    return found
