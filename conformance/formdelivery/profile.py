"""The ``form-delivery`` profile: a form engine delivering forms into the Noark-4 WS archive,
judged from what arrives in the suite's reference archive.

The engine is the client: there is no ``--target``. The run names how the engine is asked, one
way per run: ``--engine-cmd`` (a command per job), ``--engine-webhook`` (a URL the job is
POSTed to) or ``--manual`` (a person delivers each form). With none of them the suite
certifies the reference form engine (``tpn engine deliver``), whose defects are its own
(``fixtures/standards/formdelivery/defects.toml``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tpn.conformance.client.profile import WAYS, ClientProfile

__all__ = ["PROFILE", "WAYS", "FormDeliveryProfile"]


@dataclass(frozen=True)
class FormDeliveryProfile(ClientProfile):
    def check_options(self, values: Mapping[str, Any]) -> None:
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
