"""The form-xml profile's defect catalogue: the reference form engine with one mistake.

``tpn certify --profile form-xml --defect NAME`` certifies the project's own generated documents
with one of them broken by a single-rule mutation, the way a form engine with that bug would
break it; the project's tests prove each is caught by exactly the requirement it breaks.
"""

from __future__ import annotations

from dataclasses import dataclass

from tpn.conformance.ksxml import mutations


@dataclass(frozen=True)
class Defect:
    name: str
    rule: str
    summary: str


def _name(rule: str) -> str:
    return mutations.MUTATORS[rule].__name__.replace("_", "-")


def catalogue() -> list[Defect]:
    found = [
        Defect(_name(rule), rule, " ".join((mutator.__doc__ or f"breaks {rule}").split()))
        for rule, mutator in mutations.MUTATORS.items()
    ]
    found.append(
        Defect(
            "reused-reference",
            "KSX-REF-001",
            "Sends a second form with the referanse of one it already sent.",
        )
    )
    return found


def names() -> list[str]:
    return [d.name for d in catalogue()]


def by_name(name: str) -> Defect:
    for d in catalogue():
        if d.name == name:
            return d
    raise KeyError(f"no form-xml defect {name!r}; there are: {', '.join(names())}")
