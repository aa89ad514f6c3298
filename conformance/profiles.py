"""Conformance profiles: which suite checks which role against which catalogue.

A profile is what ``--tpn-profile`` and ``tpn certify --profile`` name. Each has its
requirement catalogue and the package its tests live in (collected from the installed package).
"""

from __future__ import annotations

import importlib
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from tpn.conformance.catalogue import Catalogue, load
from tpn.fixtures import standard_file


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    standard: str  # folder under fixtures/standards/
    package: str  # the package holding the suite's test modules
    # What --tpn-target names: a server's URL, or a folder of documents a product made.
    target_kind: Literal["url", "folder"] = "url"
    reference_name: str = "the embedded reference archive"

    def creates(self, level: str, run_id: str, examples: int) -> str:
        """One line on what a run will create in the target (the suite's ``budget`` module)."""
        budget = importlib.import_module(f"{self.package}.budget")
        text: str = budget.describe(level, run_id, examples)
        return text

    def defect_names(self) -> list[str]:
        """The defects the profile's reference can be started with (``--tpn-defect``)."""
        catalogue = standard_file(self.standard, "defects.toml")
        if catalogue.is_file():
            text = catalogue.read_text(encoding="utf-8")
            return [d["name"] for d in tomllib.loads(text).get("defect", [])]
        defects = importlib.import_module(f"{self.package}.defects")
        names: list[str] = defects.names()
        return names

    @property
    def catalogue(self) -> Catalogue:
        return load(self.standard)

    @property
    def suite_dir(self) -> Path:
        return Path(str(resources.files(self.package)))


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile(
            name="noark4ws-archive",
            title="Noark-4 WS archive (sak/arkiv server)",
            standard="noark4ws",
            package="tpn.conformance.noark4ws",
        ),
        Profile(
            name="form-xml",
            title="KS skjema-XML form documents (a form engine's output)",
            standard="ksxml",
            package="tpn.conformance.ksxml",
            target_kind="folder",
            reference_name="the reference form engine (the project's generated documents)",
        ),
        Profile(
            name="sp",
            title="SAML 2.0 service provider (an e-service's login with the security portal)",
            standard="sp",
            package="tpn.conformance.sp",
            reference_name="the reference SP",
        ),
    )
}
DEFAULT_PROFILE = "noark4ws-archive"


def get(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise ValueError(f"unknown profile {name!r}: choose one of {known}") from None


def owning(path: Path) -> Profile | None:
    """The profile whose suite folder holds ``path``, if any."""
    for profile in PROFILES.values():
        if path.is_relative_to(profile.suite_dir):
            return profile
    return None
