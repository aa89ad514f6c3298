"""The reference SP's defect registry: every defect is one entry, naming the checks it skips.

Built on ``tpn.mocks.core.defect_registry``, over the SP's seams, its ``Checks``. What each defect
does wrong and which requirements must catch it is its entry in ``catalogue.py``. Adding a
defect is one entry here, one there, and one test (``tests/test_sp_profile.py`` certifies the
reference SP with each defect and expects exactly its requirements to fail).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from tpn.mocks.core.defect_registry import Entry, Hook, Registry
from tpn.mocks.referencesp.checks import EVERY_CHECK, Checks
from tpn.mocks.referencesp.defects.catalogue import names


def skips(*checks: str) -> Hook[Checks]:
    """The SP does not make ``checks`` (fields of ``Checks``)."""

    def put(seams: Checks) -> Checks:
        return dataclasses.replace(seams, **dict.fromkeys(checks, False))

    return Hook(f"checks {', '.join(checks)}", put)


REGISTRY: Registry[Checks] = Registry(
    [
        Entry("accepts-unsigned", (skips("signature", "signed_assertion"),)),
        Entry("wrapping-vulnerable", (skips("signed_assertion"),)),
        # Reads the first Assertion's uid with .text, so a comment cuts it short.
        Entry("comment-truncates", (skips("comments", "signed_assertion", "uid"),)),
        Entry("ignores-expiry", (skips("validity"),)),
        Entry("ignores-audience", (skips("audience"),)),
        Entry("ignores-recipient", (skips("recipient"),)),
        Entry("ignores-in-response-to", (skips("in_response_to"),)),
        Entry("no-replay-cache", (skips("replay"),)),
        Entry("ignores-level", (skips("level"),)),
        Entry("accepts-invalid-uid", (skips("uid"),)),
        Entry("open-redirect", (skips("local_redirect"),)),
        Entry("logout-keeps-session", (skips("logout"),)),
    ],
    listed=names,
)


def checks(chosen: Iterable[str]) -> Checks:
    """The checks an SP with the ``chosen`` defects makes; an unknown name is a ValueError
    naming every known defect."""
    return REGISTRY.apply(chosen, EVERY_CHECK)
