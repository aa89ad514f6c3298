"""What the portal takes from the HTTP request itself: a bounded body, and the Host it was sent to.

Every body is read within one limit, as every mock reads them (``tpn.mocks.core.bodies``); the
caller turns a ``BodyError`` into its route's own error form (a page, a JSON error, a SOAP
fault).
"""

from __future__ import annotations

import re
from typing import Any

from tpn.mocks.core import bodies
from tpn.mocks.core.bodies import BodyError
from tpn.mocks.saml.quote import shown

__all__ = ["MAX_BODY", "BodyError", "read_body", "request_base"]

# The largest body any portal route takes but SP registration: a login form is a few hundred
# bytes, an ArtifactResolve a few KB (signed, its certificate inline); 64 KiB leaves room for
# long RSA keys and certificate chains and still bounds what one request can make us hold.
MAX_BODY = 64 * 1024

# A Host header as browsers and HTTP clients send it: a DNS name or IPv4 address (underscores
# too: container service names have them), or an IPv6 literal, and an optional port. The portal
# writes it into its entityID, its metadata and its login page when no public URL is set.
_HOST = re.compile(
    r"(?:[A-Za-z0-9._-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?",
    re.ASCII,
)


def read_body(
    environ: dict[str, Any], limit: int = MAX_BODY, what: str = "the request body"
) -> bytes:
    """The request body, at most ``limit`` bytes, or :class:`BodyError`
    (``tpn.mocks.core.bodies``)."""
    return bodies.read_body(environ, limit, what)


def request_base(environ: dict[str, Any]) -> str:
    """scheme://host[:port] as the request named it (PEP 3333's URL reconstruction), or
    ``ValueError`` for a Host header that is not a host name."""
    scheme = environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST")
    if host is not None:
        if not _HOST.fullmatch(host):
            raise ValueError(
                f"the Host header {shown(host, 64)} is not a host name with an optional port"
            )
        return f"{scheme}://{host}"
    host = environ.get("SERVER_NAME", "localhost")
    port = environ.get("SERVER_PORT", "")
    if port and port != ("443" if scheme == "https" else "80"):
        host += f":{port}"
    return f"{scheme}://{host}"
