"""How a SAML message quotes what it was sent: cut short, its control characters escaped.

A value quoted back in an error (a refused AuthnRequest's ID, an SP's entityID, a binding's
parameter) may be megabytes long, or hold a newline that would forge a second line in a log or
a terminal (``tpn sp register``). The SAML building blocks and the portal quote through these.
"""

from __future__ import annotations

QUOTE_CHARS = 80  # of a value quoted back in a message; the rest is "…"


def shown(value: str, limit: int = QUOTE_CHARS) -> str:
    """``value`` quoted for a message: cut at ``limit`` characters, control characters escaped
    (``repr``'s quoting, which keeps Norwegian letters as they are)."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


def clip(value: str, limit: int = QUOTE_CHARS) -> str:
    """``value`` cut at ``limit`` characters and its control characters escaped, unquoted (for
    values the portal checked already, such as an ID it looked up)."""
    return shown(value, limit)[1:-1]
