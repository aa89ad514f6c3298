"""The checks an SP makes on a login and a logout: the reference SP's seams for its defects.

The reference SP and MinSide make every one (``EVERY_CHECK``); a defect of the reference SP's
registry (``tpn.mocks.referencesp.defects``) turns some off, as a vendor's SP that skips them
would.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Checks:
    """Which checks the SP makes; each is True in the reference."""

    comments: bool = True  # a Response with a comment or processing instruction is refused
    signature: bool = True  # the assertion's signature is verified
    # The assertion read is the one the signature covers, the only one in the Response; without
    # this the SP reads the first Assertion it finds (signature wrapping works on it).
    signed_assertion: bool = True
    validity: bool = True  # NotBefore and NotOnOrAfter
    audience: bool = True
    recipient: bool = True  # Recipient and the Response's Destination
    in_response_to: bool = True  # an answer to a request this SP sent, from this browser
    replay: bool = True  # each request answered once, each assertion used once
    level: bool = True  # the SecurityLevel the service needs
    uid: bool = True  # a valid fødselsnummer or D-number
    local_redirect: bool = True  # after login, a RelayState is followed only on this site
    logout: bool = True  # a logout ends the SP's own session


EVERY_CHECK = Checks()
