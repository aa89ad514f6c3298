"""The reference SP's defect catalogue: realistic vendor mistakes, what each does wrong, and the
SP conformance requirements that must catch it. Which checks each skips is its entry in the
registry (``registry.py``); the tests prove that the two name the same defects."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Defect:
    name: str
    summary: str
    requirements: tuple[str, ...]


CATALOGUE = (
    # An SP that checks no signature fails every signature requirement, and reads the first
    # assertion it finds, so wrapping works on it too.
    Defect(
        "accepts-unsigned",
        "Trusts the assertion without checking a signature.",
        ("SP-SIG-001", "SP-SIG-002", "SP-SIG-003", "SP-XSW-001", "SP-XSW-002"),
    ),
    Defect(
        "wrapping-vulnerable",
        "Checks a signature somewhere, then reads the first Assertion in the document.",
        ("SP-XSW-001", "SP-XSW-002"),
    ),
    Defect(
        "comment-truncates",
        "Reads the first Assertion's uid with .text, so a comment cuts it short; no checksum "
        "check either.",
        ("SP-XSW-001", "SP-XSW-002", "SP-UID-001", "SP-CMT-001"),
    ),
    Defect(
        "ignores-expiry",
        "Does not look at NotBefore and NotOnOrAfter.",
        ("SP-TIME-001", "SP-TIME-002"),
    ),
    Defect("ignores-audience", "Does not check the Audience.", ("SP-AUD-001",)),
    Defect("ignores-recipient", "Does not check Recipient and Destination.", ("SP-RCP-001",)),
    Defect(
        "ignores-in-response-to",
        "Accepts an answer to any request, or to none.",
        ("SP-IRT-001",),
    ),
    Defect(
        "no-replay-cache",
        "Remembers neither the requests answered nor the assertions used.",
        ("SP-RPL-001",),
    ),
    Defect("ignores-level", "Logs people in at any SecurityLevel.", ("SP-LVL-001",)),
    Defect("accepts-invalid-uid", "Takes any uid, valid fødselsnummer or not.", ("SP-UID-001",)),
    Defect("open-redirect", "Follows any RelayState after login, to any site.", ("SP-RED-001",)),
    Defect(
        "logout-keeps-session",
        "Sends the LogoutRequest but keeps its own session.",
        ("SP-SLO-001",),
    ),
)


def names() -> list[str]:
    """Every defect's name, in the catalogue's order."""
    return [d.name for d in CATALOGUE]
