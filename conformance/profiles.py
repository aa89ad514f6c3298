"""The registry of conformance profiles: the one place a profile is made known.

``--tpn-profile`` and ``tpn certify --profile`` choose among ``PROFILES``; the plugin registers
each profile's fixtures and collects its suite; ``tpn defects`` lists its defects. What a
profile is, and what each must say of itself, is the ``Profile`` protocol
(``tpn.conformance.profile``).

Adding a profile (form-delivery, minside-client …) is one new module beside its suite, the
suite package's ``profile.py`` holding its ``PROFILE`` (usually a ``SuiteProfile`` that
overrides what is its own), registered here: its import and its entry in ``_REGISTERED``.
Options of its own are rows of the option table (``tpn.conformance.options``) that name it.
Nothing else asks which profile it is.
"""

from __future__ import annotations

from pathlib import Path

from tpn.conformance.formdelivery import profile as formdelivery
from tpn.conformance.ksxml import profile as ksxml
from tpn.conformance.minsideclient import profile as minsideclient
from tpn.conformance.noark4ws import profile as noark4ws
from tpn.conformance.profile import Defect, OptionError, Profile, SuiteProfile
from tpn.conformance.sp import profile as sp

__all__ = [
    "DEFAULT_PROFILE",
    "PROFILES",
    "Defect",
    "OptionError",
    "Profile",
    "SuiteProfile",
    "get",
    "owning",
]

# One line per profile; the order is the order of the listings.
_REGISTERED: tuple[Profile, ...] = (
    noark4ws.PROFILE,
    ksxml.PROFILE,
    sp.PROFILE,
    formdelivery.PROFILE,
    minsideclient.PROFILE,
)

PROFILES: dict[str, Profile] = {p.name: p for p in _REGISTERED}
DEFAULT_PROFILE = "noark4ws-archive"


def get(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise ValueError(f"unknown profile {name!r}: choose one of {known}") from None


def owning(path: Path) -> Profile | None:
    """The profile whose suite holds the test module at ``path``, if any."""
    for profile in PROFILES.values():
        if profile.owns(path):
            return profile
    return None
