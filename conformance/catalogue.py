"""Requirement catalogues: what a target must do, by id, level and clause.

A catalogue is a TOML file under ``fixtures/standards/<standard>/`` (one truth per standard): the
suite's tests name its ids, the plugin filters by its levels, and reports list every one of its
requirements with a result.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from tpn.fixtures import standard_file

LEVELS = ("core", "full", "extended")
_ID = re.compile(r"^[A-Z0-9]+(-[A-Z0-9]+)+-\d{3}$")


class CatalogueError(ValueError):
    """A catalogue file that breaks the catalogue's own rules (duplicate id, unknown level …)."""


def level_rank(level: str) -> int:
    """0 for core, 1 for full, 2 for extended: a level includes every level of a lower rank."""
    try:
        return LEVELS.index(level)
    except ValueError:
        raise ValueError(f"unknown level {level!r}: choose one of {', '.join(LEVELS)}") from None


@dataclass(frozen=True)
class Requirement:
    id: str
    level: str
    clause: str
    statement: str

    def within(self, level: str) -> bool:
        """Whether a run at ``level`` includes this requirement."""
        return level_rank(self.level) <= level_rank(level)


@dataclass(frozen=True)
class Catalogue:
    standard: str
    standard_version: str
    profile: str
    requirements: tuple[Requirement, ...]

    def __iter__(self) -> Iterator[Requirement]:
        return iter(self.requirements)

    def __len__(self) -> int:
        return len(self.requirements)

    def __contains__(self, rid: object) -> bool:
        return any(r.id == rid for r in self.requirements)

    def get(self, rid: str) -> Requirement:
        for r in self.requirements:
            if r.id == rid:
                return r
        raise KeyError(f"{rid} is not a requirement of {self.profile}")

    def at(self, level: str) -> tuple[Requirement, ...]:
        """The requirements a run at ``level`` checks, in catalogue order."""
        return tuple(r for r in self.requirements if r.within(level))


def parse(text: str, source: str) -> Catalogue:
    data = tomllib.loads(text)
    head = data.get("catalogue", {})
    seen: set[str] = set()
    reqs: list[Requirement] = []
    for raw in data.get("requirement", []):
        missing = [k for k in ("id", "level", "clause", "statement") if not raw.get(k)]
        if missing:
            raise CatalogueError(f"{source}: requirement {raw.get('id', '?')} lacks {missing}")
        rid = raw["id"]
        if not _ID.match(rid):
            raise CatalogueError(f"{source}: {rid!r} is not an id like N4WS-NUM-001")
        if rid in seen:
            raise CatalogueError(f"{source}: {rid} appears twice")
        if raw["level"] not in LEVELS:
            raise CatalogueError(f"{source}: {rid} has level {raw['level']!r}, not one of {LEVELS}")
        seen.add(rid)
        reqs.append(Requirement(rid, raw["level"], raw["clause"], raw["statement"]))
    return Catalogue(
        standard=head.get("standard", ""),
        standard_version=head.get("standard_version", ""),
        profile=head.get("profile", ""),
        requirements=tuple(reqs),
    )


@cache
def load(standard: str) -> Catalogue:
    """The catalogue of ``standard`` (a folder name under fixtures/standards/)."""
    file = standard_file(standard, "requirements.toml")
    return parse(
        file.read_text(encoding="utf-8"), f"fixtures/standards/{standard}/requirements.toml"
    )
