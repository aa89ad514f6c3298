"""The archive's defect catalogue as people read it: ``fixtures/standards/noark4ws/defects.toml``.

Each entry names a realistic vendor mistake, says what the archive then does wrong (``summary``)
and why a vendor's archive might (``story``), and lists the requirements that must catch it.
What each defect does to the archive is its entry in the registry (``registry.py``); the tests
prove that the two name the same defects.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass

from tpn.fixtures import standard_file
from tpn.mocks.core.panels import Panel


@dataclass(frozen=True)
class Defect:
    """One entry of ``defects.toml``."""

    name: str
    summary: str  # what the archive does wrong
    story: str  # why a vendor's archive might
    requirements: tuple[str, ...]  # the requirement ids that must catch it


@functools.cache
def catalogue() -> tuple[Defect, ...]:
    """Every defect, in the catalogue's order."""
    raw = tomllib.loads(standard_file("noark4ws", "defects.toml").read_text("utf-8"))
    found = tuple(
        Defect(
            name=d["name"],
            summary=d["summary"],
            story=d["story"],
            requirements=tuple(d["requirements"]),
        )
        for d in raw["defect"]
    )
    names = [d.name for d in found]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"defects.toml names a defect more than once: {', '.join(twice)}")
    return found


def names() -> list[str]:
    """Every defect's name, in the catalogue's order."""
    return [d.name for d in catalogue()]


def panel(chosen: tuple[str, ...]) -> Panel:
    """The defects the archive was started with, as the journal page shows them."""
    known = {d.name: d for d in catalogue()}
    return Panel(
        title="The archive's defects in force",
        columns=("Defect", "What the archive does wrong", "Requirements that catch it"),
        rows=tuple(
            (name, known[name].summary, ", ".join(known[name].requirements)) for name in chosen
        ),
        empty="None: the archive behaves as the reference.",
    )
