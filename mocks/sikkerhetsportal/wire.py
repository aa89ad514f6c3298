"""What the portal takes from the HTTP request itself: a bounded body, and the Host it was sent to.

Every body is read here, within one limit: ``Content-Length`` is checked before a byte is read,
and no more than the limit and one byte is ever read from ``wsgi.input``, so an over-size or
endless body costs nothing. The caller turns a ``BodyError`` into its route's own error form
(a page, a JSON error, a SOAP fault).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tpn.mocks.sikkerhetsportal.errors import shown

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


@dataclass(frozen=True)
class BodyError(Exception):
    """A body the portal will not read: the HTTP status, the message, and the rule."""

    status: int  # 400, 411 or 413
    message: str
    rule: str  # http.length, limit.size

    def __str__(self) -> str:
        return self.message


def read_body(
    environ: dict[str, Any], limit: int = MAX_BODY, what: str = "the request body"
) -> bytes:
    """The request body, at most ``limit`` bytes, or :class:`BodyError`."""
    announced = (environ.get("CONTENT_LENGTH") or "").strip()
    if announced:
        # Digits only: int() would also take "+5", " 5", "5_000" and thousands of digits.
        if not announced.isascii() or not announced.isdigit():
            raise BodyError(
                400,
                f"Content-Length {shown(announced, 24)} is not a number of bytes",
                "http.length",
            )
        if len(announced) > 18 or int(announced) > limit:
            size = announced if len(announced) <= 18 else "more than 10**18"
            raise BodyError(
                413, f"{what} of {size} bytes is over the limit of {limit} bytes", "limit.size"
            )
        length = int(announced)
        data: bytes = environ["wsgi.input"].read(length) if length else b""
        if len(data) < length:
            # The client went away mid-body: half a request is never acted on.
            raise BodyError(
                400,
                f"{what} ended after {len(data)} of its {length} bytes (Content-Length)",
                "http.length",
            )
        return data
    if not environ.get("wsgi.input_terminated"):
        # PEP 3333: without a length (and a server that ends the stream) the body is empty;
        # reading on could wait for a client that never sends.
        return b""
    data = environ["wsgi.input"].read(limit + 1)
    if len(data) > limit:
        raise BodyError(413, f"{what} is over the limit of {limit} bytes", "limit.size")
    return data


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
