"""Property tests over all 15 forms: every generated document is valid, and every single-rule
mutation is refused by exactly the rule it was made to break. They use the public strategies,
as a vendor would."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tpn.conformance.ksxml import mutations, strategies
from tpn.conformance.ksxml.generate import Document
from tpn.conformance.ksxml.model import forms
from tpn.conformance.ksxml.mutations import Mutation
from tpn.conformance.ksxml.validator import Validator
from tpn.fixtures import identifiers, population

# Synthetic numbers only, so that KSX-ID-003 is judged too; nothing else changes.
VALIDATOR = Validator(synthetic_only=True)
FORMS = [f.id for f in forms()]
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _explain(data: bytes) -> list[str]:
    return [f.text("document") for f in VALIDATOR.check(data).findings]


@pytest.mark.parametrize("skjema_id", FORMS)
@SETTINGS
@given(data=st.data())
def test_every_generated_document_is_valid(skjema_id: str, data: st.DataObject) -> None:
    doc: Document = data.draw(strategies.documents(skjema_id))
    verdict = VALIDATOR.check(doc.to_bytes())
    assert verdict.valid, _explain(doc.to_bytes())
    assert verdict.form == skjema_id


RULES = [
    (skjema_id, rule)
    for skjema_id in FORMS
    for rule in mutations.MUTATORS
    if mutations.possible(next(f for f in forms() if f.id == skjema_id), rule)
]


@pytest.mark.parametrize(("skjema_id", "rule"), RULES)
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_each_mutation_breaks_exactly_its_rule(
    skjema_id: str, rule: str, data: st.DataObject
) -> None:
    mutation: Mutation = data.draw(strategies.mutations(skjema_id, rule))
    assert mutation.rule == rule
    assert VALIDATOR.check(mutation.data).rules == {rule}, (
        mutation.description,
        _explain(mutation.data),
    )


def test_every_rule_of_the_catalogue_has_a_mutation() -> None:
    from tpn.conformance import profiles

    ids = {r.id for r in profiles.get("form-xml").catalogue}
    assert ids == set(mutations.MUTATORS) | set(mutations.PAIR_RULES)


@SETTINGS
@given(strategies.document_pairs_sharing_referanse())
def test_a_resent_referanse_breaks_exactly_ksx_ref_001(pair: tuple[Document, Mutation]) -> None:
    first, second = pair
    verdicts = list(VALIDATOR.run([("first.xml", first.to_bytes()), ("second.xml", second.data)]))
    assert verdicts[0].valid
    assert verdicts[1].rules == {"KSX-REF-001"}
    assert "first.xml" in verdicts[1].findings[0].message


@SETTINGS
@given(strategies.mutations())
def test_any_mutation_of_any_form_is_refused_by_its_rule(mutation: Mutation) -> None:
    assert VALIDATOR.check(mutation.data).rules == {mutation.rule}


@SETTINGS
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash_the_validator(data: bytes) -> None:
    verdict = VALIDATOR.check(data)
    assert not verdict.valid
    assert verdict.rules <= {"KSX-XML-001", "KSX-XML-002", "KSX-ENV-001"}


@SETTINGS
@given(strategies.documents(), st.integers(0, 10_000), st.binary(min_size=1, max_size=8))
def test_a_document_spliced_with_junk_gets_findings_not_an_exception(
    doc: Document, at: int, junk: bytes
) -> None:
    data = doc.to_bytes()
    at %= len(data)
    verdict = VALIDATOR.check(data[:at] + junk + data[at:])
    assert all(f.rule.startswith("KSX-") and f.message for f in verdict.findings)


@SETTINGS
@given(strategies.fodselsnummer(), strategies.d_numbers(), strategies.organisasjonsnummer())
def test_the_identifier_strategies_make_valid_synthetic_numbers(
    fnr: str, dnr: str, orgnr: str
) -> None:
    assert identifiers.check(fnr, synthetic_only=True).kind == identifiers.Kind.FNR_SYNTHETIC
    assert identifiers.check(dnr, synthetic_only=True).kind == identifiers.Kind.DNR_SYNTHETIC
    assert identifiers.check(orgnr).valid and orgnr.startswith("3")


@SETTINGS
@given(strategies.fodselsnummer(synthetic=False))
def test_real_format_numbers_are_born_in_the_future(fnr: str) -> None:
    check = identifiers.check(fnr)
    assert check.valid and check.kind == identifiers.Kind.FNR
    assert identifiers.birth_date(fnr).year >= 2030


@SETTINGS
@given(strategies.personas(), strategies.organisations(kind="KOMM"), strategies.kommunenummer())
def test_population_strategies(
    persona: population.Persona, municipality: population.Organisation, number: str
) -> None:
    assert identifiers.check(persona.foedselsnummer, synthetic_only=True).valid
    assert municipality.organisasjonsform == "KOMM"
    assert population.municipality(number).kommunenummer == number


def test_strategy_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="rule='KSX-NOPE-001' has no single-document mutation"):
        strategies.mutations(rule="KSX-NOPE-001")
    with pytest.raises(ValueError, match="form_id='KS-SFO' has nothing that KSX-MATR-001"):
        strategies.mutations("KS-SFO", "KSX-MATR-001")
    with pytest.raises(KeyError, match="no form 'KS-NOPE'"):
        strategies.mutations("KS-NOPE")
    with pytest.raises(ValueError, match="kind='XYZ'"):
        strategies.organisations(kind="XYZ")
