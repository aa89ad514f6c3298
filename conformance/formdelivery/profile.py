"""The ``form-delivery`` profile: a form engine delivering forms into the Noark-4 WS archive,
judged from what arrives in the suite's reference archive.

The engine is the client: there is no ``--target``. The run names how the engine is asked, one
way per run: ``--engine-cmd`` (a command per job), ``--engine-webhook`` (a URL the job is
POSTed to) or ``--manual`` (a person delivers each form). With none of them the suite
certifies the reference form engine (``tpn engine deliver``), whose defects are its own
(``fixtures/standards/formdelivery/defects.toml``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tpn.conformance.profile import Defect, OptionError, SuiteProfile, flag
from tpn.fixtures import standard_file

WAYS = ("engine-cmd", "engine-webhook", "manual")


@dataclass(frozen=True)
class FormDeliveryProfile(SuiteProfile):
    def defects(self) -> tuple[Defect, ...]:
        path = standard_file(self.standard, "defects.toml")
        if not path.is_file():
            return ()
        return tuple(
            Defect(d["name"], d["summary"], d["story"], tuple(d["requirements"]))
            for d in tomllib.loads(path.read_text(encoding="utf-8")).get("defect", [])
        )

    def certified(self, values: Mapping[str, Any]) -> str:
        if values.get("engine-cmd"):
            return f"the engine run as {values['engine-cmd']}"
        if values.get("engine-webhook"):
            return f"the engine at {values['engine-webhook']}"
        if values.get("manual"):
            return "an engine operated by hand"
        return self.reference_name

    def validate(self, values: Mapping[str, Any]) -> None:
        if values.get("target"):
            raise OptionError(
                f"{self.name} takes no {flag('target')}: the engine is the client; name how it "
                f"is asked with {', '.join(flag(w) for w in WAYS)}"
            )
        given = [flag(w) for w in WAYS if values.get(w)]
        if len(given) > 1:
            raise OptionError(f"choose one way of asking the engine, not {' and '.join(given)}")
        if given and values.get("defect"):
            raise OptionError(
                f"{flag('defect')} gives the reference engine a defect: drop {given[0]}"
            )
        from tpn.conformance.formdelivery.options import check_options

        check_options(values)


PROFILE = FormDeliveryProfile(
    name="form-delivery",
    title="form engine delivering into the Noark-4 WS archive (client)",
    standard="formdelivery",
    package="tpn.conformance.formdelivery",
    target_help="none: name the engine with --engine-cmd, --engine-webhook or --manual",
    reference_name="the reference form engine",
    defects_hint=(
        "Certify the reference form engine with one: "
        "tpn certify --profile form-delivery --defect NAME (repeatable)."
    ),
)
