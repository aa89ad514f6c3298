"""Signing keys and certificates: made, given as a file, or kept as PEM.

The portal signs with one, and SPs trust it by its certificate, so its key must outlive a
restart: the identity provider keeps the PEM in its store (a file database keeps it across
restarts) or reads it from a file. The reference SP and the sp suite's forgeries sign with keys
of their own. RSA 2048 and a self-signed certificate, as SAML metadata carries it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

_PEM = re.compile(rb"-----BEGIN ([A-Z ]+)-----.+?-----END \1-----", re.S)


@dataclass(frozen=True)
class SigningKey:
    """A private key and its certificate, both PEM."""

    key_pem: bytes
    cert_pem: bytes

    def __repr__(self) -> str:  # never the private key in a traceback or a log
        return f"SigningKey(certificate {self.fingerprint[:16]}…)"

    @cached_property
    def key(self) -> rsa.RSAPrivateKey:
        loaded = serialization.load_pem_private_key(self.key_pem, password=None)
        if not isinstance(loaded, rsa.RSAPrivateKey):
            raise ValueError("the signing key must be an RSA key (RSA-SHA256 signatures)")
        return loaded

    @cached_property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.cert_pem)

    @property
    def cert_base64(self) -> str:
        """The certificate's DER in base64, as ds:X509Certificate carries it."""
        lines = self.cert_pem.decode("ascii").strip().splitlines()
        return "".join(line for line in lines if not line.startswith("-----"))

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the certificate's DER, in hex."""
        der = self.certificate.public_bytes(serialization.Encoding.DER)
        return hashlib.sha256(der).hexdigest()

    @classmethod
    def load(cls, path: Path) -> SigningKey:
        """A PEM file holding the private key and the certificate (in either order)."""
        return cls.from_pem(path.read_bytes(), str(path))

    @classmethod
    def from_pem(cls, data: bytes, name: str = "the key file") -> SigningKey:
        """PEM bytes holding the private key and the certificate (in either order)."""
        blocks = {m[1]: m[0] for m in _PEM.finditer(data)}
        key = blocks.get(b"PRIVATE KEY") or blocks.get(b"RSA PRIVATE KEY")
        cert = blocks.get(b"CERTIFICATE")
        if key is None or cert is None:
            raise ValueError(f"{name}: needs a PEM private key and a PEM certificate")
        found = cls(key + b"\n", cert + b"\n")
        try:
            found.key  # noqa: B018  (fail now, naming the file, not at the first signature)
            found.certificate  # noqa: B018
        except (ValueError, TypeError) as exc:  # TypeError: an encrypted key, no password
            raise ValueError(f"{name}: {exc}") from None
        return found

    def to_pem(self) -> bytes:
        return self.key_pem + self.cert_pem


def generate(common_name: str, *, days: int = 3650) -> SigningKey:
    """A new RSA 2048 key with a self-signed certificate for ``common_name``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    return SigningKey(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        cert.public_bytes(serialization.Encoding.PEM),
    )


MAX_KEY_FILE = 64 * 1024  # a PEM key and its certificate are a few KiB
PORTAL_COMMON_NAME = "tpn-harness sikkerhetsportal"  # the subject of a portal key made here


def load_or_make(path: Path, common_name: str) -> SigningKey:
    """The key in ``path``; where there is no file yet, a new one for ``common_name``, written
    there (owner-only) and kept from then on, so an SP configured once keeps trusting it.

    A file that is there is read only if it is a regular file of at most ``MAX_KEY_FILE`` bytes
    (``FileRefused``); one that holds no key and certificate is a ``ValueError``."""
    import os

    from tpn.fixtures.files import read_regular

    if path.exists() or path.is_symlink():
        return SigningKey.from_pem(read_regular(path, MAX_KEY_FILE, what="key file"), str(path))
    made = generate(common_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: two runs starting at once do not both write; the second reads the first's key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return SigningKey.from_pem(read_regular(path, MAX_KEY_FILE, what="key file"), str(path))
    with os.fdopen(fd, "wb") as out:
        out.write(made.to_pem())
    return made
