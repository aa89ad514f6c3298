"""The requirement catalogue and the suite agree: every requirement has a test, every test
names requirements that exist, and the catalogue keeps its own rules."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

import pytest

from tpn.conformance import profiles
from tpn.conformance.catalogue import LEVELS, Catalogue, CatalogueError, parse

PROFILES = sorted(profiles.PROFILES)
# Where each profile's requirements come from: the clauses they may cite.
CLAUSES = {
    "noark4ws-archive": ("N4WS §", "SOAP 1.1", "WS-I"),
    "form-xml": ("KSX §", "identifiers §", "tpn profile"),
    "sp": ("SIKK §",),
    "form-delivery": ("KSX §", "FD §", "N4WS", "SEED"),
    "minside-client": ("MS §", "MSC §"),
}
PREFIX = {
    "noark4ws-archive": "N4WS-",
    "form-xml": "KSX-",
    "sp": "SP-",
    "form-delivery": "FD-",
    "minside-client": "MS-",
}


def suite_tests(profile: profiles.Profile) -> dict[str, tuple[str, ...]]:
    """Every test function of a profile's suite, with the requirement ids it names."""
    suite = importlib.import_module(profile.package)
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


def _catalogue(name: str) -> Catalogue:
    return profiles.get(name).catalogue


def test_the_archive_catalogue_has_at_least_50_requirements_at_every_level() -> None:
    catalogue = _catalogue("noark4ws-archive")
    assert len(catalogue) >= 50
    assert {r.level for r in catalogue} == set(LEVELS)
    assert catalogue.standard_version


@pytest.mark.parametrize("name", PROFILES)
def test_each_requirement_is_one_line_with_a_clause(name: str) -> None:
    catalogue = _catalogue(name)
    assert catalogue.profile == name
    for r in catalogue:
        assert r.statement.strip() and "\n" not in r.statement, r.id
        assert r.clause.startswith(CLAUSES[name]), (r.id, r.clause)
        assert r.id.startswith(PREFIX[name]), r.id


@pytest.mark.parametrize("name", PROFILES)
def test_every_requirement_has_a_test(name: str) -> None:
    named = {rid for ids in suite_tests(profiles.get(name)).values() for rid in ids}
    untested = [r.id for r in _catalogue(name) if r.id not in named]
    assert not untested, f"requirements without a test: {untested}"


@pytest.mark.parametrize("name", PROFILES)
def test_every_test_names_known_requirements_of_one_level(name: str) -> None:
    catalogue = _catalogue(name)
    tests = suite_tests(profiles.get(name))
    assert len(tests) >= len(catalogue) / 2
    for test, ids in tests.items():
        assert ids, f"{test} names no requirement"
        unknown = [i for i in ids if i not in catalogue]
        assert not unknown, f"{test} names unknown requirements {unknown}"
        levels = {catalogue.get(i).level for i in ids}
        assert len(levels) == 1, f"{test} mixes levels {levels}: it would run at the lowest"


@pytest.mark.parametrize("name", PROFILES)
def test_a_level_includes_the_levels_below_it(name: str) -> None:
    catalogue = _catalogue(name)
    core, full, extended = (len(catalogue.at(level)) for level in LEVELS)
    assert 0 < core < full <= extended == len(catalogue)


def test_the_profiles_find_their_catalogues_and_suites() -> None:
    archive = profiles.get("noark4ws-archive")
    assert (archive.suite_dir / "test_transport.py").is_file()
    assert profiles.owning(archive.suite_dir / "test_transport.py") is archive
    forms = profiles.get("form-xml")
    assert forms.target_kind == "folder"
    assert profiles.owning(forms.suite_dir / "test_numbers.py") is forms
    with pytest.raises(
        ValueError,
        match=(
            "unknown profile 'nope': choose one of form-delivery, form-xml, minside-client, "
            "noark4ws-archive, sp"
        ),
    ):
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
