"""The ``form-xml`` profile: KS skjema-XML documents a form engine made, judged as a batch.

Its target is a folder of the engine's documents; without one the suite judges the reference
form engine's own generated documents. Its defects are single-rule mutations of those
(``tpn.conformance.ksxml.defects``), each caught by the one requirement it breaks.
"""

from __future__ import annotations

from dataclasses import dataclass

from tpn.conformance.profile import Defect, SuiteProfile


@dataclass(frozen=True)
class FormXmlProfile(SuiteProfile):
    def defects(self) -> tuple[Defect, ...]:
        from tpn.conformance.ksxml.defects import catalogue  # the form model: not at startup

        # A form defect breaks one rule; its summary is all the story there is.
        return tuple(Defect(d.name, d.summary, d.summary, (d.rule,)) for d in catalogue())


PROFILE = FormXmlProfile(
    name="form-xml",
    title="KS skjema-XML form documents (a form engine's output)",
    standard="ksxml",
    package="tpn.conformance.ksxml",
    target_kind="folder",
    target_help="a folder of the documents a form engine made",
    reference_name="the reference form engine (the project's generated documents)",
    defects_hint=(
        "Certify the reference form engine with one: "
        "tpn certify --profile form-xml --defect NAME (repeatable)."
    ),
)
