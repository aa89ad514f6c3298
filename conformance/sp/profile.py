"""The ``sp`` profile: a SAML 2.0 service provider's login, judged by the suite's browser and
portal.

Its target is the SP's protected page; a run against one needs the SP's metadata and a probe
page (``target_needs``), because the suite registers the SP with its own portal and asks the
probe who is logged in. Without one the suite certifies the reference SP, whose defects
(``tpn.conformance.sp.defects``) are its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tpn.conformance.profile import Defect, OptionError, SuiteProfile, flag, readable

MAX_SP_METADATA = 4 * 1024 * 1024  # SAML metadata with a few certificates: tens of KB


@dataclass(frozen=True)
class SpProfile(SuiteProfile):
    def defects(self) -> tuple[Defect, ...]:
        from tpn.conformance.sp.defects import CATALOGUE

        return tuple(Defect(d.name, d.summary, d.summary, d.requirements) for d in CATALOGUE)

    def check_options(self, values: Mapping[str, Any]) -> None:
        readable(values["sp-metadata"], MAX_SP_METADATA, flag("sp-metadata"))
        if "{uid}" not in values["probe-expect"]:
            raise OptionError(f"{flag('probe-expect')} must hold {{uid}} (the persona's number)")
        # Refused before the run, in one line: metadata the portal cannot register, or no ACS
        # over a binding the suite speaks (or over the one --binding names).
        from tpn.conformance.sp import bindings
        from tpn.fixtures.files import FileRefused, read_regular
        from tpn.mocks.saml import metadata

        try:
            xml = read_regular(values["sp-metadata"], MAX_SP_METADATA, what=flag("sp-metadata"))
            provider = metadata.parse_sp(xml)
            bindings.chosen(provider.acs, values.get("binding"), option=flag("binding"))
        except (FileRefused, bindings.NotDeclared) as exc:
            raise OptionError(str(exc)) from None
        except metadata.MetadataError as exc:
            raise OptionError(f"{flag('sp-metadata')}: {exc}") from None


PROFILE = SpProfile(
    name="sp",
    title="SAML 2.0 service provider (an e-service's login with the security portal)",
    standard="sp",
    package="tpn.conformance.sp",
    target_help="the SP's protected page",
    reference_name="the reference SP",
    target_needs=("sp-metadata", "probe-url", "probe-expect"),
    defects_hint="Certify the reference SP with one: tpn certify --profile sp --defect NAME.",
)
