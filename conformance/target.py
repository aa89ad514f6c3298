"""The target of a run: the vendor's endpoint, or the embedded reference started for the run."""

from __future__ import annotations

import secrets
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests


class Unreachable(Exception):
    """The target did not answer at all (refused, reset, timed out, unknown host)."""


@dataclass(frozen=True)
class Target:
    url: str
    auth: tuple[str, str] | None = field(repr=False)  # never in a traceback or a log
    reference: bool  # the embedded reference archive, started for this run
    exclusive: bool  # nobody else writes to it during the run (always true for the reference)
    defects: tuple[str, ...] = ()
    # A vendor's staging system behind its own certificate authority: the CA bundle to trust.
    ca_bundle: str | None = None
    # What the reference is, in reports (a form-output profile's is a generator, not a server).
    reference_name: str = "the embedded reference archive"

    @property
    def admin_url(self) -> str:
        """Where a mock built on tpn's machinery has its admin side (test clock, journal)."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}/__admin"

    def describe(self) -> str:
        if self.reference:
            extra = f" with defects {', '.join(self.defects)}" if self.defects else ""
            return f"{self.reference_name} at {self.url}{extra}"
        return self.url


def session(target: Target) -> requests.Session:
    s = requests.Session()
    # No proxy or CA settings from the environment: what the suite talks to is what its options
    # say, so a run is the same on a developer's machine and in CI.
    s.trust_env = False
    if target.auth:
        s.auth = target.auth
    if target.ca_bundle:
        s.verify = target.ca_bundle
    return s


def probe(url: str, timeout: float = 10.0, ca_bundle: str | None = None) -> None:
    """Raise ``Unreachable`` unless something answers HTTP at ``url`` (any status will do)."""
    s = session(Target(url, None, reference=False, exclusive=False, ca_bundle=ca_bundle))
    try:
        # Any answer will do; a redirect (an SP's login) is not followed to where it points.
        s.get(url + ("&" if "?" in url else "?") + "wsdl", timeout=timeout, allow_redirects=False)
    except requests.RequestException as exc:
        hint = (
            " (a certificate the suite does not trust: give its CA with --tpn-ca-bundle FILE)"
            if isinstance(exc, requests.exceptions.SSLError)
            else ""
        )
        raise Unreachable(f"{url} does not answer: {type(exc).__name__}: {exc}{hint}") from exc


@contextmanager
def embedded_reference(defects: tuple[str, ...] = ()) -> Iterator[Target]:
    """Start the reference archive (memory store, fresh credentials) for one run."""
    with warnings.catch_warnings():
        # Spyne 2.14 imports cgi, deprecated since 3.11: our dependency's noise, not the run's.
        warnings.simplefilter("ignore", DeprecationWarning)
        from tpn.mocks.config import MockConfig
        from tpn.mocks.noark4ws import ArchiveMock

    auth = ("tpn", secrets.token_urlsafe(12))
    # A defective archive may fail inside on purpose; only the reference must never do so.
    server: Any = ArchiveMock(MockConfig(auth=auth, defects=defects), raise_errors=not defects)
    with server:
        yield Target(url=server.url, auth=auth, reference=True, exclusive=True, defects=defects)
