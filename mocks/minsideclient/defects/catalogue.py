"""The MinSide client's defect catalogue as people read it:
``fixtures/standards/minsideclient/defects.toml``.

Each entry names a realistic vendor mistake, says what the client then does wrong (``summary``)
and why a vendor's e-service might (``story``), and lists the requirements that must catch it.
What each defect does to the client is its entry in the registry (``registry.py``); the tests
prove that the two name the same defects.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass

from tpn.fixtures import standard_file


@dataclass(frozen=True)
class Defect:
    name: str
    summary: str
    story: str
    requirements: tuple[str, ...]


@functools.cache
def catalogue() -> tuple[Defect, ...]:
    """Every defect, in the catalogue's order."""
    raw = tomllib.loads(standard_file("minsideclient", "defects.toml").read_text("utf-8"))
    found = tuple(
        Defect(d["name"], d["summary"], d["story"], tuple(d["requirements"])) for d in raw["defect"]
    )
    names = [d.name for d in found]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"defects.toml names a defect more than once: {', '.join(twice)}")
    return found


def names() -> list[str]:
    return [d.name for d in catalogue()]
