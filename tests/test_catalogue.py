"""The requirement catalogue and the suite agree: every requirement has a test, every test
names requirements that exist, and the catalogue keeps its own rules."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

import pytest

import tpn.conformance.noark4ws as suite
from tpn.conformance import profiles
from tpn.conformance.catalogue import LEVELS, CatalogueError, load, parse

CATALOGUE = load("noark4ws")


def suite_tests() -> dict[str, tuple[str, ...]]:
    """Every test function of the Noark-4 WS suite, with the requirement ids it names."""
    out: dict[str, tuple[str, ...]] = {}
    for info in pkgutil.iter_modules(suite.__path__):
        if not info.name.startswith("test_"):
            continue
        module = importlib.import_module(f"{suite.__name__}.{info.name}")
        for name, obj in vars(module).items():
            if name.startswith("test_") and callable(obj):
                out[f"{info.name}::{name}"] = _requirements(obj)
    return out


def _requirements(fn: Callable[..., Any]) -> tuple[str, ...]:
    marks = getattr(fn, "pytestmark", [])
    return tuple(i for m in marks if m.name == "requirement" for i in m.args)


def test_the_catalogue_has_at_least_50_requirements_at_every_level() -> None:
    assert len(CATALOGUE) >= 50
    assert {r.level for r in CATALOGUE} == set(LEVELS)
    assert CATALOGUE.profile == "noark4ws-archive"
    assert CATALOGUE.standard_version


def test_each_requirement_is_one_line_with_a_clause() -> None:
    for r in CATALOGUE:
        assert r.statement.strip() and "\n" not in r.statement, r.id
        assert r.clause.startswith(("N4WS §", "SOAP 1.1", "WS-I")), (r.id, r.clause)
        assert r.id.startswith("N4WS-"), r.id


def test_every_requirement_has_a_test() -> None:
    named = {rid for ids in suite_tests().values() for rid in ids}
    untested = [r.id for r in CATALOGUE if r.id not in named]
    assert not untested, f"requirements without a test: {untested}"


def test_every_test_names_known_requirements_of_one_level() -> None:
    tests = suite_tests()
    assert len(tests) >= len(CATALOGUE) / 2
    for name, ids in tests.items():
        assert ids, f"{name} names no requirement"
        unknown = [i for i in ids if i not in CATALOGUE]
        assert not unknown, f"{name} names unknown requirements {unknown}"
        levels = {CATALOGUE.get(i).level for i in ids}
        assert len(levels) == 1, f"{name} mixes levels {levels}: it would run at the lowest"


def test_a_level_includes_the_levels_below_it() -> None:
    core, full, extended = (len(CATALOGUE.at(level)) for level in LEVELS)
    assert 0 < core < full < extended == len(CATALOGUE)


def test_the_profile_finds_its_catalogue_and_suite() -> None:
    profile = profiles.get("noark4ws-archive")
    assert profile.catalogue is CATALOGUE
    assert (profile.suite_dir / "test_transport.py").is_file()
    assert profiles.owning(profile.suite_dir / "test_transport.py") is profile
    with pytest.raises(ValueError, match="unknown profile 'nope': choose one of noark4ws-archive"):
        profiles.get("nope")


ONE = """
[catalogue]
profile = "p"
[[requirement]]
id = "{id}"
level = "{level}"
clause = "c"
statement = "s"
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (ONE.format(id="N4WS-X-001", level="gold"), "has level 'gold'"),
        (ONE.format(id="nope", level="core"), "is not an id like N4WS-NUM-001"),
        (ONE.format(id="N4WS-X-001", level="core") * 2, "appears twice"),
        ('[[requirement]]\nid = "N4WS-X-001"\nlevel = "core"\n', "lacks ['clause', 'statement']"),
    ],
)
def test_a_broken_catalogue_is_refused_with_the_reason(text: str, message: str) -> None:
    # Two [catalogue] tables would be a TOML error before our rules: keep only the first.
    text = text.replace('[catalogue]\nprofile = "p"\n', "", text.count("[catalogue]") - 1)
    with pytest.raises(CatalogueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse(text, "test.toml")
