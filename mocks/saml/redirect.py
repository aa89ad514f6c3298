"""The HTTP-Redirect binding (SAML 2.0 Bindings §3.4): a message in a URL's query string.

The message is DEFLATE-compressed (raw, no zlib header), base64-encoded and URL-encoded. When
signed, the signature covers the octets ``SAMLRequest=…&RelayState=…&SigAlg=…`` with the values
*as they stand in the URL* (§3.4.4.1): a verifier must use the received encoding, never its own
re-encoding, or a valid signature fails and a forged one may pass. Inflating is bounded, so a
compression bomb costs no more than the limit.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from dataclasses import dataclass
from urllib.parse import quote_plus, unquote_plus

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509 import Certificate

from tpn.mocks.saml.keys import SigningKey
from tpn.mocks.saml.ns import RSA_SHA256
from tpn.mocks.saml.quote import clip, shown

MAX_INFLATED = 64 * 1024  # an AuthnRequest or LogoutRequest is a few KB


class BindingError(ValueError):
    """A message that is not a well-formed HTTP-Redirect message: says which part and why."""


@dataclass(frozen=True)
class RedirectMessage:
    """A message received over HTTP-Redirect, with what its signature must cover."""

    parameter: str  # SAMLRequest or SAMLResponse
    xml: bytes
    relay_state: str | None
    sig_alg: str | None
    signature: bytes | None
    signed_octets: bytes  # the query's own encoding of the signed parameters

    @property
    def signed(self) -> bool:
        return self.signature is not None


def deflate(xml: bytes) -> str:
    """DEFLATE (raw) and base64: the value of SAMLRequest/SAMLResponse before URL-encoding."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return base64.b64encode(compressor.compress(xml) + compressor.flush()).decode("ascii")


def inflate(value: str, limit: int = MAX_INFLATED) -> bytes:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise BindingError("the message is not base64") from None
    inflater = zlib.decompressobj(-15)
    try:
        xml = inflater.decompress(raw, limit + 1)
    except zlib.error as exc:
        raise BindingError(f"the message is not DEFLATE-compressed: {exc}") from None
    if len(xml) > limit or inflater.unconsumed_tail:
        raise BindingError(f"the message inflates to more than {limit} bytes")
    return xml


def _sign(octets: bytes, key: SigningKey) -> bytes:
    return key.key.sign(octets, padding.PKCS1v15(), hashes.SHA256())


def encode(
    xml: bytes,
    *,
    parameter: str = "SAMLRequest",
    relay_state: str | None = None,
    key: SigningKey | None = None,
) -> str:
    """The query string carrying ``xml``: signed with ``key`` (RSA-SHA256) when given."""
    parts = [f"{parameter}={quote_plus(deflate(xml))}"]
    if relay_state is not None:
        parts.append(f"RelayState={quote_plus(relay_state)}")
    if key is None:
        return "&".join(parts)
    parts.append(f"SigAlg={quote_plus(RSA_SHA256)}")
    signature = _sign("&".join(parts).encode("ascii"), key)
    parts.append(f"Signature={quote_plus(base64.b64encode(signature).decode('ascii'))}")
    return "&".join(parts)


def decode(query: str) -> RedirectMessage:
    """The message in a raw query string (``environ['QUERY_STRING']``), keeping its encoding."""
    raw: dict[str, str] = {}
    for item in query.split("&"):
        if not item:
            continue
        name, _, value = item.partition("=")
        if name in raw:
            raise BindingError(f"the query names {clip(name, 40)} twice")
        raw[name] = value
    parameter = next((p for p in ("SAMLRequest", "SAMLResponse") if p in raw), None)
    if parameter is None:
        raise BindingError("the query has no SAMLRequest or SAMLResponse")
    order = [parameter, "RelayState", "SigAlg"]
    signed = "&".join(f"{n}={raw[n]}" for n in order if n in raw).encode("ascii", "replace")
    signature = None
    if "Signature" in raw:
        try:
            signature = base64.b64decode(unquote_plus(raw["Signature"]), validate=True)
        except (binascii.Error, ValueError):
            raise BindingError("Signature is not base64") from None
        if "SigAlg" not in raw:
            raise BindingError("a Signature needs its SigAlg")
    return RedirectMessage(
        parameter=parameter,
        xml=inflate(unquote_plus(raw[parameter])),
        relay_state=unquote_plus(raw["RelayState"]) if "RelayState" in raw else None,
        sig_alg=unquote_plus(raw["SigAlg"]) if "SigAlg" in raw else None,
        signature=signature,
        signed_octets=signed,
    )


def verify(message: RedirectMessage, certificate: Certificate) -> str | None:
    """``None`` if ``message`` carries a valid RSA-SHA256 signature by ``certificate``'s key,
    else why not."""
    if message.signature is None:
        return "the message is not signed (no Signature parameter)"
    if message.sig_alg != RSA_SHA256:
        return f"SigAlg {shown(message.sig_alg or '')} is not {RSA_SHA256}"
    public = certificate.public_key()
    if not isinstance(public, rsa.RSAPublicKey):
        return "the registered certificate has no RSA key"
    try:
        public.verify(message.signature, message.signed_octets, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return "the signature does not verify with the registered certificate"
    return None
