"""The synthetic test population: every number synthetic and valid, the links between people
consistent, the addresses real places of the project's municipalities, and ``tpn population``
(called through its module, until cli.py wires it in)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tpn.fixtures import identifiers, population
from tpn.harness import population as population_cli

# The forms the population is for are tested in the school year 2026-2027.
SCHOOL_YEAR = dt.date(2026, 8, 15)


def age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def is_adult(p: population.Persona) -> bool:
    return age(p.born, dt.date.today()) >= 18


# ---------------------------------------------------------------------- identifiers


@pytest.mark.parametrize("p", population.personas(), ids=lambda p: p.foedselsnummer)
def test_every_person_number_is_valid_and_synthetic(p: population.Persona) -> None:
    verdict = identifiers.check_person(p.foedselsnummer, synthetic_only=True)
    assert verdict.valid, verdict.line()
    assert identifiers.is_synthetic(p.foedselsnummer)
    assert 81 <= int(p.foedselsnummer[2:4]) <= 92
    assert verdict.kind == (
        identifiers.Kind.DNR_SYNTHETIC if p.dnr else identifiers.Kind.FNR_SYNTHETIC
    )
    assert identifiers.birth_date(p.foedselsnummer) == p.born
    # As in real numbers, the individual number's last digit is odd for men, even for women.
    assert int(p.foedselsnummer[8]) % 2 == (1 if p.kjoenn == "M" else 0)


def test_every_organisation_number_is_valid_synthetic_and_unique() -> None:
    numbers = [o.organisasjonsnummer for o in population.organisations(inactive=True)]
    for number in numbers:
        verdict = identifiers.check_orgnr(number)
        assert verdict.valid, verdict.line()
        assert number.startswith("3"), f"{number} could be a real organisation's"
    assert len(set(numbers)) == len(numbers)
    for m in population.municipalities():
        assert identifiers.check_orgnr(m.organisasjonsnummer).valid
        assert m.organisasjonsnummer.startswith("3")


def test_numbers_are_unique() -> None:
    people = [p.foedselsnummer for p in population.personas()]
    assert len(set(people)) == len(people)
    kommuner = [m.kommunenummer for m in population.municipalities()]
    assert len(set(kommuner)) == len(kommuner)
    mails = [p.epost for p in population.personas() if p.epost]
    assert len(set(mails)) == len(mails)


def test_contact_details_are_obviously_invented() -> None:
    found = [(p.epost, p.telefon) for p in population.personas()]
    found += [(o.epost, o.telefon) for o in population.organisations(inactive=True)]
    for epost, telefon in found:
        if epost is not None:
            assert epost.endswith("@example.com") and epost.isascii(), epost
        if telefon is not None:
            assert len(telefon) == 8 and telefon.isdigit(), telefon
            assert telefon[:4] in ("4000", "9000"), telefon


# ---------------------------------------------------------------------- counts


def test_counts() -> None:
    everyone = population.personas()
    assert len(everyone) >= 60
    assert sum(p.dnr for p in everyone) >= 8
    assert len(population.organisations()) >= 25
    assert len({p.address.kommunenummer for p in everyone}) >= 8
    assert len(population.families()) >= 15


def test_the_forms_have_someone_to_fill_them_in() -> None:
    children = [p for p in population.personas() if p.parents]
    ages = [age(c.born, SCHOOL_YEAR) for c in children]
    assert any(a <= 5 for a in ages), "kindergarten (0-5)"
    assert sum(6 <= a <= 9 for a in ages) >= 3, "after-school care (6-9)"
    assert sum(6 <= a <= 15 for a in ages) >= 6, "school of arts (6-15)"
    elderly = [p for p in population.personas() if 1930 <= p.born.year <= 1955]
    assert len(elderly) >= 8, "home care and parking permits"
    singles = [p for p in population.personas() if is_adult(p) and not p.children]
    assert len(singles) >= 10
    forms = Counter(o.organisasjonsform for o in population.organisations())
    for form in ("AS", "ENK", "FLI", "BRL", "KOMM"):
        assert forms[form] >= 1, form
    assert any("Entreprenør" in o.navn for o in population.organisations())


def test_norwegian_letters_are_there() -> None:
    names = " ".join(p.navn for p in population.personas()).lower()
    streets = " ".join(a.adresse for a in [p.address for p in population.personas()]).lower()
    for letter in "æøå":
        assert letter in names, f"no {letter} in the names"
        assert letter in streets, f"no {letter} in the addresses"


# ---------------------------------------------------------------------- places


def test_addresses_are_in_the_project_municipalities() -> None:
    known = {m.kommunenummer for m in population.municipalities()}
    addresses = [p.address for p in population.personas()]
    addresses += [o.address for o in population.organisations(inactive=True)]
    places: dict[str, tuple[str, str]] = {}
    for a in addresses:
        assert identifiers.check_postnummer(a.postnummer) is None, a
        assert identifiers.check_kommunenummer(a.kommunenummer, known) is None, a
        # One postnummer is one poststed in one municipality, wherever it is used.
        place = places.setdefault(a.postnummer, (a.poststed, a.kommunenummer))
        assert place == (a.poststed, a.kommunenummer), a


def test_municipality_lookup() -> None:
    oslo = population.municipality("0301")
    assert (oslo.navn, oslo.fylke) == ("Oslo", "Oslo")
    assert population.municipality("1504").navn == "Ålesund"


# ---------------------------------------------------------------------- families


def test_parent_child_links_are_symmetric_and_plausible() -> None:
    for p in population.personas():
        for child in population.children_of(p):
            assert p.foedselsnummer in child.parents
            assert age(p.born, child.born) >= 16, f"{p.navn} and {child.navn}"
            assert child.address == p.address, f"{child.navn} lives apart from {p.navn}"
        for parent in population.parents_of(p):
            assert p.foedselsnummer in parent.children


def test_families() -> None:
    for family in population.families():
        assert family.parents and family.children
        for parent in family.parents:
            assert 1970 <= parent.born.year <= 1995, parent.navn
            assert set(parent.children) == {c.foedselsnummer for c in family.children}
        for child in family.children:
            assert 2014 <= child.born.year <= 2025, child.navn
    parents = [p.foedselsnummer for f in population.families() for p in f.parents]
    assert len(set(parents)) == len(parents), "a parent in two families"


def test_twins_have_different_numbers() -> None:
    twins = [
        [c.foedselsnummer for c in f.children if c.born == born]
        for f in population.families()
        for born, n in Counter(c.born for c in f.children).items()
        if n > 1
    ]
    assert twins, "the population has no twins"
    for pair in twins:
        assert len(set(pair)) == len(pair)


def test_lookups_by_number() -> None:
    first = population.personas()[0]
    assert population.persona(first.foedselsnummer) is first
    assert population.children_of(first.foedselsnummer) == population.children_of(first)
    org = population.organisations()[-1]
    assert population.organisation(org.organisasjonsnummer) is org


@pytest.mark.parametrize(
    ("lookup", "number"),
    [
        (population.persona, "00000000000"),
        (population.organisation, "300000000"),
        (population.municipality, "9999"),
    ],
)
def test_unknown_numbers_raise_key_error_naming_them(
    lookup: Callable[[str], object], number: str
) -> None:
    with pytest.raises(KeyError, match=number):
        lookup(number)


# ---------------------------------------------------------------------- organisations


def test_every_municipality_is_an_organisation_and_no_other() -> None:
    komm = {
        o.organisasjonsnummer: o
        for o in population.organisations()
        if o.organisasjonsform == "KOMM"
    }
    by_orgnr = {m.organisasjonsnummer: m for m in population.municipalities()}
    assert komm.keys() == by_orgnr.keys()
    for number, o in komm.items():
        m = by_orgnr[number]
        assert o.navn == f"{m.navn} kommune"
        assert o.address.kommunenummer == m.kommunenummer


def test_contact_persons_are_adult_personas() -> None:
    for o in population.organisations(inactive=True):
        who = population.persona(o.kontaktperson)
        assert is_adult(who), f"{o.navn}: {who.navn} is not an adult"


def test_roles_are_held_by_adult_personas() -> None:
    for o in population.organisations(inactive=True):
        assert o.roller, f"{o.navn} has no roles"
        for role in o.roller:
            who = population.persona(role.person)
            assert is_adult(who), f"{o.navn}: {role.rolle} {who.navn} is not an adult"


def test_the_register_has_its_special_cases_and_forms_never_see_them() -> None:
    everyone = population.organisations(inactive=True)
    inactive = [o for o in everyone if not o.active]
    assert sum(o.konkurs is not None for o in inactive) >= 1
    assert sum(o.under_avvikling is not None for o in inactive) >= 1
    assert sum(o.slettet is not None for o in inactive) >= 1
    assert not set(inactive) & set(population.organisations())
    # Looked up by number, an inactive one is found all the same.
    assert population.organisation(inactive[0].organisasjonsnummer) is inactive[0]


# ---------------------------------------------------------------------- export


def test_to_json_round_trips_and_counts_match() -> None:
    data = population.to_json()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert len(data["municipalities"]) == len(population.municipalities())
    assert len(data["personas"]) == len(population.personas())
    assert len(data["organisations"]) == len(population.organisations(inactive=True))
    first = population.personas()[0]
    assert data["personas"][0]["born"] == first.born.isoformat()
    assert data["personas"][0]["address"]["postnummer"] == first.address.postnummer


def test_export_writes_utf8_with_the_letters_as_they_are(tmp_path: Path) -> None:
    target = tmp_path / "population.json"
    population.export(target)
    text = target.read_text("utf-8")
    assert "Ødegård" in text and "\\u00" not in text
    assert json.loads(text) == population.to_json()


# ---------------------------------------------------------------------- tpn population


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tpn")
    population_cli.add_parsers(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["population", *argv])
    result = args.func(args)
    assert isinstance(result, int)
    return result


def test_cli_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert run([]) == 0
    out = capsys.readouterr().out
    assert f"{len(population.personas())} personas" in out
    assert f"{len(population.families())} families" in out
    assert "1504 Ålesund" in out


def test_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--json"]) == 0
    assert json.loads(capsys.readouterr().out) == population.to_json()


def test_cli_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "out.json"
    assert run(["--output", str(target)]) == 0
    assert str(target) in capsys.readouterr().out
    assert json.loads(target.read_text("utf-8")) == population.to_json()


def test_cli_output_unwritable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "no such folder" / "out.json"
    assert run(["--output", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"cannot write {target}" in err
    assert not target.exists()


def test_cli_json_and_output_are_exclusive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        run(["--json", "--output", "x.json"])
    assert exit_.value.code == 2
    assert "not allowed with" in capsys.readouterr().err


# ---------------------------------------------------------------------- loading


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    population._personas.cache_clear()
    population.families.cache_clear()
    yield
    population._personas.cache_clear()
    population.families.cache_clear()


def test_a_one_sided_link_is_refused(monkeypatch: pytest.MonkeyPatch, fresh_cache: None) -> None:
    rows = [dict(r) for r in population._table("personas.toml", "persona")]
    parent = next(r for r in rows if r.get("children"))
    child = parent["children"][0]
    next(r for r in rows if r["foedselsnummer"] == child)["parents"] = []
    monkeypatch.setattr(population, "_table", lambda name, key: rows)
    with pytest.raises(ValueError, match=f"{child} does not list it in parents"):
        population.personas()


def test_a_role_held_by_nobody_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [dict(r) for r in population._table("organisations.toml", "organisation")]
    rows[-1]["roller"] = [{"rolle": "DAGL", "person": "01010100000"}]
    table = population._table
    monkeypatch.setattr(
        population, "_table", lambda name, key: rows if key == "organisation" else table(name, key)
    )
    population._organisations.cache_clear()
    try:
        with pytest.raises(ValueError, match="gives role DAGL to unknown 01010100000"):
            population.organisations()
    finally:
        monkeypatch.undo()
        population._organisations.cache_clear()
