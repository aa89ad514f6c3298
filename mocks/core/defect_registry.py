"""Named defects, one registry entry each: the mechanism every mock's defects are built with.

A mock is assembled from seams: its business rules, its policies (how it numbers, merges,
guards state...), filters around its handler, its endpoint, its authentication. The reference
mock is built from the reference seams; a defect puts a vendor's variant into one or more of
them. Each defect is one ``Entry``: its name, the ``Hook`` of each seam it replaces (the seam's
name, for people, and a function that returns the seams with the variant in place), and facts
about it (``"sqlite-only"``: it needs the SQLite store). ``Registry.apply`` checks the names it is
given and returns the seams with every chosen defect in place, so a mock asks the registry once,
when it is built, and its own code has no switch on a defect.

Entries are applied in the registry's order, whatever order they were named in: where two
defects replace the same seam (two rule variants, two filters around the handler) the later
entry's variant is the one that acts, or the outer one.

Adding a defect to a mock is one registry entry (beside the mock's variant, in its
``defects/`` package), one entry in its catalogue (``fixtures/standards/<standard>/defects.toml``:
summary, story, the requirements that must catch it) and one test that shows the mistake over
the wire; the project's tests prove that the registry and the catalogue name the same defects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

S = TypeVar("S")

SQLITE_ONLY = "sqlite-only"  # a fact: the defect's queries need SQLite (json_extract, instr)


@dataclass(frozen=True)
class Hook(Generic[S]):
    """One seam a defect replaces: ``seam`` names it for people (``"rule code"``, ``"policy
    numbering"``, ``"handler filter"``...), ``put`` returns the seams with the variant in it."""

    seam: str
    put: Callable[[S], S]


@dataclass(frozen=True)
class Entry(Generic[S]):
    """One defect: its name (as in the catalogue), the seams it replaces, facts about it."""

    name: str
    hooks: tuple[Hook[S], ...]
    facts: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not self.hooks:
            raise ValueError(f"defect {self.name!r} replaces no seam")


class Registry(Generic[S]):
    """A mock's defects, each one entry; ``apply`` builds the seams for a choice of them.

    ``listed`` gives the names in the order people see them (the catalogue's), for messages;
    without it the registry's own order is used.
    """

    def __init__(
        self,
        entries: Iterable[Entry[S]],
        *,
        listed: Callable[[], Sequence[str]] | None = None,
    ) -> None:
        self._entries = tuple(entries)
        self._by_name = {e.name: e for e in self._entries}
        if len(self._by_name) != len(self._entries):
            names = [e.name for e in self._entries]
            twice = sorted({n for n in names if names.count(n) > 1})
            raise ValueError(f"the registry names a defect more than once: {', '.join(twice)}")
        self._listed = listed

    @property
    def entries(self) -> tuple[Entry[S], ...]:
        """Every entry, in the order they are applied."""
        return self._entries

    def names(self) -> list[str]:
        """Every defect's name, in the order people see them."""
        return list(self._listed()) if self._listed is not None else list(self._by_name)

    def entry(self, name: str) -> Entry[S]:
        """The entry of ``name``; an unknown name is a ValueError naming every known one."""
        return self.chosen([name])[0]

    def chosen(self, names: Iterable[str]) -> list[Entry[S]]:
        """The entries of ``names``, in the registry's order, each once; unknown names are a
        ValueError that names them and every known defect."""
        wanted = list(names)
        unknown = [n for n in wanted if n not in self._by_name]
        if unknown:
            raise ValueError(
                f"unknown defect {', '.join(repr(n) for n in unknown)}; "
                f"the catalogue has: {', '.join(self.names())}"
            )
        return [e for e in self._entries if e.name in wanted]

    def apply(self, names: Iterable[str], seams: S) -> S:
        """``seams`` with every hook of every named defect in place (the registry's order)."""
        for entry in self.chosen(names):
            for hook in entry.hooks:
                seams = hook.put(seams)
        return seams

    def having(self, names: Iterable[str], fact: str) -> list[str]:
        """Those of ``names`` whose entry states ``fact``, in the order people see them."""
        chosen = {e.name for e in self.chosen(names) if fact in e.facts}
        return [n for n in self.names() if n in chosen]
