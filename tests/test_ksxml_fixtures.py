"""The KS skjema-XML fixtures agree with their descriptions: the schemas and the examples are
what the generators make of forms.toml and dataelementer.toml, and every example means what its
annotation says."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tpn.conformance.ksxml import examples, schemas
from tpn.conformance.ksxml.model import catalogue, forms
from tpn.conformance.ksxml.validator import Validator
from tpn.fixtures import standard_file

SOURCE = Path(__file__).resolve().parents[1] / "fixtures" / "standards" / "ksxml"
EXAMPLES = SOURCE / "examples"


def test_the_table_of_the_standard_is_the_forms() -> None:
    table = {f.id: (f.applicant, f.confidential, f.level) for f in forms()}
    assert len(table) == 15
    assert table["KS-BARNEHAGE"] == ("person", False, 3)
    assert table["KS-STARTLAAN"] == ("person", True, 4)
    assert table["KS-VANNMAALER"] == ("person", False, 1)
    assert table["KS-SKJENKEBEVILLING"] == ("organisation", False, 3)
    assert sum(confidential for _, confidential, _ in table.values()) == 6
    for f in forms():
        assert f.namespace == f"http://skjema.ks.no/{f.id}/{f.version}"
        assert all(
            name.isascii() for g in f.groups for name in (g.name, *(x.name for x in g.fields))
        )


def test_every_data_element_and_group_has_an_id_a_definition_and_a_source() -> None:
    cat = catalogue()
    ids = [e.id for e in cat.elements.values()] + [g.id for g in cat.groups.values()]
    assert len(ids) == len(set(ids))
    for e in cat.elements.values():
        assert e.definition.endswith("."), e.name
        assert e.source == "project-local"
        assert (e.type == "kode") == (e.codelist is not None), e.name
    used = {fl.name for f in forms() for g in f.groups for fl in g.fields}
    assert used == set(cat.elements), "every data element is used by a form, and only those"


def test_the_shipped_schemas_are_generated_from_the_descriptions() -> None:
    stale = schemas.differences(SOURCE)
    assert not stale, (
        f"{stale} differ: run python -m tpn.conformance.ksxml.schemas --write {SOURCE}"
    )


def test_every_form_schema_compiles_from_the_installed_package() -> None:
    for f in forms():
        assert standard_file("ksxml", f"forms/{f.id}.xsd").is_file()
        schemas.schema(f.id)  # chameleon includes of envelope.xsd and dataelementer.xsd resolve


def test_the_examples_are_generated_from_the_descriptions() -> None:
    wanted = examples.generated()
    found = {str(p.relative_to(EXAMPLES)): p.read_bytes() for p in EXAMPLES.rglob("*.xml")}
    assert sorted(found) == sorted(wanted), (
        f"run python -m tpn.conformance.ksxml.examples --write {EXAMPLES}"
    )
    stale = [name for name in wanted if found[name] != wanted[name]]
    assert not stale, f"{stale[:5]} differ: regenerate the examples"


@pytest.mark.parametrize("skjema_id", [f.id for f in forms()])
def test_each_example_breaks_exactly_the_rule_it_names(skjema_id: str) -> None:
    folder = EXAMPLES / skjema_id
    paths = sorted(folder.rglob("*.xml"))
    # Synthetic numbers only, so that the KSX-ID-003 example breaks its rule too.
    validator = Validator(synthetic_only=True)
    verdicts = list(validator.run((str(p), p.read_bytes()) for p in paths))
    per_rule: Counter[str] = Counter()
    for path, verdict in zip(paths, verdicts, strict=True):
        rule = examples.breaks(path.read_bytes())
        found = sorted(verdict.rules)
        assert found == ([rule] if rule else []), (
            path.name,
            [f.text(path.name) for f in verdict.findings],
        )
        if rule:
            per_rule[rule] += 1
    assert (folder / "valid.xml").is_file()
    assert sum(per_rule.values()) >= 5
    assert per_rule["KSX-REF-001"] == 1


def test_the_examples_cover_every_rule() -> None:
    rules = {examples.breaks(p.read_bytes()) for p in EXAMPLES.rglob("*.xml")} - {None}
    from tpn.conformance import profiles

    assert rules == {r.id for r in profiles.get("form-xml").catalogue}
