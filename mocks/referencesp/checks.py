"""The reference SP's checks (its defects' seams): moved to ``tpn.mocks.saml.checks`` beside
the Response checks that read them; re-exported here for the code that imports them here."""

from __future__ import annotations

from tpn.mocks.saml.checks import EVERY_CHECK, Checks

__all__ = ["EVERY_CHECK", "Checks"]
