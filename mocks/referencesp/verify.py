"""The Response checks of the reference SP: moved to ``tpn.mocks.saml.verify`` so that MinSide's
citizen pages check with the same code; re-exported here for the code that imports them here."""

from __future__ import annotations

from tpn.mocks.saml.verify import SKEW, Expect, Identity, Refused, verify_response

__all__ = ["SKEW", "Expect", "Identity", "Refused", "verify_response"]
