"""Conformance profiles: which suite checks which role against which catalogue.

A profile is what ``--tpn-profile`` and ``tpn certify --profile`` name. Each has its
requirement catalogue and the package its tests live in (collected from the installed package).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from tpn.conformance.catalogue import Catalogue, load


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    standard: str  # folder under fixtures/standards/
    package: str  # the package holding the suite's test modules

    def creates(self, level: str, run_id: str, examples: int) -> str:
        """One line on what a run will create in the target (the suite's ``budget`` module)."""
        budget = importlib.import_module(f"{self.package}.budget")
        text: str = budget.describe(level, run_id, examples)
        return text

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
