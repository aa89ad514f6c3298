"""Hypothesis strategies for KS skjema-XML, public for vendors' own property tests.

    from hypothesis import given
    from tpn.conformance.ksxml.strategies import documents, mutations

    @given(documents())
    def test_our_archive_accepts_every_form(document): ...

    @given(mutations())
    def test_our_intake_refuses_broken_forms(mutation): ...  # mutation.rule says why

Every document is valid (the project's validator accepts it); every mutation breaks exactly the
rule it names. Persons and organisations come from the synthetic population, so nothing drawn
here can be a real person's number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TypeVar

from hypothesis import reject
from hypothesis import strategies as st

from tpn.conformance.ksxml import generate
from tpn.conformance.ksxml import mutations as _mutations
from tpn.conformance.ksxml.generate import Document
from tpn.conformance.ksxml.model import Form, form
from tpn.conformance.ksxml.model import forms as _forms
from tpn.conformance.ksxml.mutations import Mutation
from tpn.fixtures import identifiers, population

__all__ = [
    "Document",
    "HypothesisChooser",
    "Mutation",
    "d_numbers",
    "document_pairs_sharing_referanse",
    "documents",
    "fodselsnummer",
    "forms",
    "kommunenummer",
    "mutations",
    "organisasjonsnummer",
    "organisations",
    "personas",
]

T = TypeVar("T")

# Text a form field may hold: any XML 1.0 character but controls, surrogates and the two
# non-characters, with æ, ø and å made likely.
_TEXT = st.text(
    alphabet=st.characters(
        codec="utf-8",
        exclude_categories=("Cs", "Cc"),
        exclude_characters="\ufffe\uffff",
    )
    | st.sampled_from("æøåÆØÅ "),
    min_size=1,
    max_size=60,
)


class HypothesisChooser:
    """The generator's choices drawn by hypothesis, so failing documents shrink."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw

    def choice(self, options: Sequence[T]) -> T:
        return self.draw(st.sampled_from(options))

    def integer(self, lo: int, hi: int) -> int:
        return self.draw(st.integers(lo, hi))

    def text(self, pool: Sequence[str], max_length: int) -> str:
        drawn = self.draw(st.sampled_from(pool) | _TEXT)
        return drawn[:max_length]

    def present(self) -> bool:
        return self.draw(st.booleans())


def forms() -> st.SearchStrategy[Form]:
    """One of the 15 forms."""
    return st.sampled_from(_forms())


def personas(*, adults_only: bool = False) -> st.SearchStrategy[population.Persona]:
    """A persona of the synthetic population (``adults_only``: 18 or older today)."""
    people = population.personas()
    if adults_only:
        people = tuple(generate.adults(dt.date.today()))
    return st.sampled_from(people)


def organisations(*, kind: str | None = None) -> st.SearchStrategy[population.Organisation]:
    """An organisation of the synthetic population (``kind``: an organisasjonsform, e.g. KOMM)."""
    found = [o for o in population.organisations() if kind is None or o.organisasjonsform == kind]
    if not found:
        raise ValueError(f"kind={kind!r}: the population has no such organisations")
    return st.sampled_from(found)


@st.composite
def fodselsnummer(
    draw: st.DrawFn, *, synthetic: bool = True, dnr: bool = False, scheme: int = 80
) -> str:
    """A valid fødselsnummer (``dnr``: a D-number). Real-format numbers (``synthetic=False``)
    are born 2030-2039, so that no living person can have one."""
    lo, hi = (
        (dt.date(1854, 1, 1), dt.date(2039, 12, 31))
        if synthetic
        else (dt.date(2030, 1, 1), dt.date(2039, 12, 31))
    )
    born = draw(st.dates(lo, hi))
    start = draw(st.integers(0, 200))
    return identifiers.first_fnr(born, start, synthetic=synthetic, dnr=dnr, scheme=scheme)


def d_numbers(*, synthetic: bool = True) -> st.SearchStrategy[str]:
    """A valid D-number."""
    return fodselsnummer(synthetic=synthetic, dnr=True)


def organisasjonsnummer() -> st.SearchStrategy[str]:
    """A valid synthetic organisasjonsnummer (starting with 3, as the project's are)."""
    bases = st.integers(30_000_000, 39_999_999).map(str)
    return bases.map(identifiers.orgnr).filter(lambda n: n is not None).map(str)


def kommunenummer() -> st.SearchStrategy[str]:
    """A kommunenummer the project knows (its municipalities)."""
    return st.sampled_from([m.kommunenummer for m in population.municipalities()])


@st.composite
def documents(draw: st.DrawFn, form_id: str | None = None) -> Document:
    """A valid document of one of the 15 forms (or of ``form_id``)."""
    chosen = form(form_id) if form_id is not None else draw(forms())
    return generate.document(chosen, HypothesisChooser(draw))


def mutations(form_id: str | None = None, rule: str | None = None) -> st.SearchStrategy[Mutation]:
    """A valid document with one single-rule mutation; ``rule`` picks the rule (the form, if
    given, must be able to break it), else any rule the document can break.

    KSX-ID-003 (real-format numbers) is broken only for a validator told to accept synthetic
    numbers only; KSX-REF-001 needs two documents: :func:`document_pairs_sharing_referanse`.
    """
    if rule is not None and rule not in _mutations.MUTATORS:
        known = ", ".join(_mutations.MUTATORS)
        raise ValueError(f"rule={rule!r} has no single-document mutation; choose one of {known}")
    if form_id is not None:
        chosen = form(form_id)  # a KeyError naming the forms, now rather than at draw time
        if rule is not None and not _mutations.possible(chosen, rule):
            raise ValueError(f"form_id={form_id!r} has nothing that {rule} could break")
    return _mutated(form_id, rule)


@st.composite
def _mutated(draw: st.DrawFn, form_id: str | None, rule: str | None) -> Mutation:
    if form_id is None and rule is not None:
        chosen = draw(st.sampled_from([f for f in _forms() if _mutations.possible(f, rule)]))
    else:
        chosen = form(form_id) if form_id is not None else draw(forms())
    doc = generate.document(chosen, HypothesisChooser(draw))
    chooser = HypothesisChooser(draw)
    if rule is not None:
        rules = [rule]
    else:
        rules = [r for r in _mutations.MUTATORS if _mutations.possible(chosen, r)]
        first = draw(st.integers(0, len(rules) - 1))
        rules = rules[first:] + rules[:first]  # then the others, if the drawn one finds nothing
    for candidate in rules:
        mutated = _mutations.mutate(doc, candidate, chooser)
        if mutated is not None:
            return mutated
    reject()  # only an optional group (an Eiendom) was missing: draw another document


@st.composite
def document_pairs_sharing_referanse(draw: st.DrawFn) -> tuple[Document, Mutation]:
    """A valid document, and a second one sent with its referanse (KSX-REF-001)."""
    first = draw(documents())
    second = draw(documents())
    return first, _mutations.reused_reference(first, second)
