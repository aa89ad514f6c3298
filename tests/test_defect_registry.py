"""The defect registry's mechanism (``tpn.mocks.core.defect_registry``): names checked with a message
that lists every known defect, entries applied in the registry's order, facts asked by name."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pytest

from tpn.mocks.core.defect_registry import SQLITE_ONLY, Entry, Hook, Registry


@dataclass(frozen=True)
class Seams:
    rule: str = "reference"
    filters: tuple[str, ...] = ()


def _rule(value: str) -> Hook[Seams]:
    return Hook("rule", lambda s: dataclasses.replace(s, rule=value))


def _filter(name: str) -> Hook[Seams]:
    return Hook("filter", lambda s: dataclasses.replace(s, filters=(*s.filters, name)))


REGISTRY: Registry[Seams] = Registry(
    [
        Entry("lenient", (_rule("lenient"),)),
        Entry("broken", (_rule("broken"), _filter("broken")), frozenset({SQLITE_ONLY})),
        Entry("outer", (_filter("outer"),)),
    ],
    listed=lambda: ["outer", "lenient", "broken"],
)


def test_without_defects_the_seams_are_untouched() -> None:
    reference = Seams()
    assert REGISTRY.apply([], reference) is reference


def test_entries_apply_in_the_registrys_order_whatever_order_they_are_named_in() -> None:
    assert REGISTRY.apply(["outer", "broken", "lenient"], Seams()) == Seams(
        rule="broken", filters=("broken", "outer")
    )
    assert REGISTRY.apply(["broken", "broken"], Seams()) == Seams("broken", ("broken",))


def test_an_unknown_name_is_refused_with_every_known_one_in_the_catalogues_order() -> None:
    with pytest.raises(ValueError) as err:
        REGISTRY.apply(["lenient", "nope", "nada"], Seams())
    assert str(err.value) == (
        "unknown defect 'nope', 'nada'; the catalogue has: outer, lenient, broken"
    )
    with pytest.raises(ValueError, match="unknown defect 'x'"):
        REGISTRY.entry("x")


def test_facts_are_asked_by_name() -> None:
    assert REGISTRY.having(["outer", "broken"], SQLITE_ONLY) == ["broken"]
    assert REGISTRY.having(["outer"], SQLITE_ONLY) == []
    assert REGISTRY.entry("broken").facts == {SQLITE_ONLY}


def test_a_registry_names_each_defect_once_and_each_defect_replaces_a_seam() -> None:
    with pytest.raises(ValueError, match="more than once: twice"):
        Registry([Entry("twice", (_rule("a"),)), Entry("twice", (_rule("b"),))])
    with pytest.raises(ValueError, match="'idle' replaces no seam"):
        Entry("idle", ())
    assert Registry([Entry("b", (_rule("b"),)), Entry("a", (_rule("a"),))]).names() == ["b", "a"]


def test_the_reference_sps_registry_is_its_catalogue() -> None:
    from tpn.mocks.referencesp.checks import EVERY_CHECK
    from tpn.mocks.referencesp.defects import CATALOGUE, REGISTRY, checks

    assert sorted(e.name for e in REGISTRY.entries) == sorted(d.name for d in CATALOGUE)
    assert REGISTRY.names() == [d.name for d in CATALOGUE]
    assert checks([]) == EVERY_CHECK
    for d in CATALOGUE:
        assert checks([d.name]) != EVERY_CHECK, d.name
    with pytest.raises(
        ValueError, match="unknown defect 'nope'; the catalogue has: accepts-unsigned"
    ):
        checks(["nope"])
