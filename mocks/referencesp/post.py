"""The HTTP-POST binding as the reference SP's ACS receives it (SAML Bindings §3.5): a form
with ``SAMLResponse`` (the Response, base64, not deflated) and ``RelayState``, read within
bounds; whatever else comes is refused with a reason, never a traceback.

What the form carries is then checked exactly as an artifact's Response is
(``tpn.mocks.saml.verify``): the binding only changes how the bytes arrive.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

# A Response the checks take has at most 500 elements (``verify``): well under 100 KB, and a
# third more in base64. The form is read only up to here.
MAX_FORM = 256 * 1024
MAX_RELAY_STATE = 80 * 4  # Bindings §3.5.3: 80 bytes at most; room for what vendors send
FORM = "application/x-www-form-urlencoded"


class FormRefused(ValueError):
    """A POST the ACS cannot read as the HTTP-POST binding: the message says why."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Posted:
    """What the browser posted: the Response's bytes and the RelayState, if any."""

    response: bytes
    relay_state: str | None


def read(environ: dict[str, Any]) -> Posted:
    """The HTTP-POST binding's form from a WSGI request, or :class:`FormRefused`."""
    if environ.get("REQUEST_METHOD") != "POST":
        raise FormRefused("the ACS for HTTP-POST takes a POST", 405)
    kind = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    if kind != FORM:
        raise FormRefused(f"the form must be {FORM}, not {kind or 'untyped'}", 415)
    try:
        length = int(environ.get("CONTENT_LENGTH") or "")
    except ValueError:
        raise FormRefused("the form has no Content-Length", 411) from None
    if not 0 < length <= MAX_FORM:
        raise FormRefused(f"the form is {length} bytes; at most {MAX_FORM} are read", 413)
    body = environ["wsgi.input"].read(length)
    try:
        text = body.decode("ascii")
    except UnicodeDecodeError:
        raise FormRefused("the form is not URL-encoded ASCII") from None
    # Two fields are the binding's; a handful more is a form a vendor's page might add.
    try:
        fields = parse_qs(text, max_num_fields=8)
    except ValueError:
        raise FormRefused("the form has more than 8 fields") from None
    values = fields.get("SAMLResponse", [])
    if len(values) != 1:
        raise FormRefused(f"the form must hold one SAMLResponse, not {len(values)}")
    try:
        # Some senders wrap base64 in lines; nothing else but the alphabet is taken.
        response = base64.b64decode("".join(values[0].split()), validate=True)
    except (binascii.Error, ValueError):
        raise FormRefused("SAMLResponse is not base64") from None
    relays = fields.get("RelayState", [])
    if len(relays) > 1 or any(len(r) > MAX_RELAY_STATE for r in relays):
        raise FormRefused(f"RelayState must occur once, at most {MAX_RELAY_STATE} characters")
    return Posted(response, relays[0] if relays else None)
