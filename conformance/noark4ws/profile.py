"""The ``noark4ws-archive`` profile: a Noark-4 WS archive (sak/arkiv server), driven by the suite.

Its target is the archive's endpoint URL (the WSDL at ``URL?wsdl``); without one the suite
starts the reference archive (``tpn.conformance.noark4ws.reference``). Its defects are
the reference archive's, read from their one catalogue, ``fixtures/standards/noark4ws/defects.toml``
(the archive reads the same file for their behaviour).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass

from tpn.conformance.profile import Defect, SuiteProfile
from tpn.fixtures import standard_file


@dataclass(frozen=True)
class ArchiveProfile(SuiteProfile):
    def defects(self) -> tuple[Defect, ...]:
        text = standard_file(self.standard, "defects.toml").read_text(encoding="utf-8")
        return tuple(
            Defect(d["name"], d["summary"], d["story"], tuple(d["requirements"]))
            for d in tomllib.loads(text).get("defect", [])
        )


PROFILE = ArchiveProfile(
    name="noark4ws-archive",
    title="Noark-4 WS archive (sak/arkiv server)",
    standard="noark4ws",
    package="tpn.conformance.noark4ws",
    target_help="the archive's endpoint URL, its WSDL at URL?wsdl",
    defects_hint="Start the reference archive with one: tpn serve --defect NAME (repeatable).",
)
