"""How the portal refuses a request it will not act on, and how it quotes what it was sent.

A refused request gets a page saying why and is never sent on to an SP (the request was not
trusted, so neither is the ACS it names). What a message quotes from the request is cut short and
its control characters escaped: a hostile value may be megabytes long, or hold a newline that
would forge a second line in a log or a terminal (``tpn sp register``).
"""

from __future__ import annotations

QUOTE_CHARS = 80  # of a value quoted back in a message; the rest is "…"


class LoginError(Exception):
    """A request the portal refuses: shown on an error page, never sent to an unchecked ACS."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def shown(value: str, limit: int = QUOTE_CHARS) -> str:
    """``value`` quoted for a message: cut at ``limit`` characters, control characters escaped
    (``repr``'s quoting, which keeps Norwegian letters as they are)."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


def clip(value: str, limit: int = QUOTE_CHARS) -> str:
    """``value`` cut at ``limit`` characters and its control characters escaped, unquoted (for
    values the portal checked already, such as an ID it looked up)."""
    return shown(value, limit)[1:-1]
