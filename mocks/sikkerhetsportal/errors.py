"""How the portal refuses a request it will not act on.

A refused request gets a page saying why and is never sent on to an SP (the request was not
trusted, so neither is the ACS it names). What the page quotes from the request is quoted as
every SAML message quotes it (``tpn.mocks.saml.quote``).
"""

from __future__ import annotations


class LoginError(Exception):
    """A request the portal refuses: shown on an error page, never sent to an unchecked ACS."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status
