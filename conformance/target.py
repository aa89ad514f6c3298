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

from tpn.conformance.transport import Guard, GuardedSession


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
    # The run's limits and deadlines, shared by every session made for this target.
    guard: Guard | None = field(default=None, repr=False, compare=False)

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


def session(target: Target) -> GuardedSession:
    """A session for ``target`` under the run's guard (deadlines, size cap, no redirects)."""
    guard = target.guard or Guard()
    return guard.session(auth=target.auth, ca_bundle=target.ca_bundle)


PROBE_TIMEOUT = 10.0  # seconds: a target that answers at all answers a GET by then


def probe(
    url: str,
    timeout: float = PROBE_TIMEOUT,
    ca_bundle: str | None = None,
    guard: Guard | None = None,
) -> None:
    """Raise ``Unreachable`` unless something answers HTTP at ``url`` (any status will do).

    A target that answers, but breaks HTTP doing so (``TargetMisbehaved``), trips ``guard``.
    """
    s = (guard or Guard()).session(ca_bundle=ca_bundle, redirects="return")
    try:
        # Any answer will do; a redirect (an SP's login) is not followed to where it points.
        s.get(url + ("&" if "?" in url else "?") + "wsdl", timeout=timeout)
    except requests.RequestException as exc:
        hint = (
            " (a certificate the suite does not trust: give its CA with --tpn-ca-bundle FILE)"
            if isinstance(exc, requests.exceptions.SSLError)
            else ""
        )
        raise Unreachable(f"{url} does not answer: {type(exc).__name__}: {exc}{hint}") from exc
    finally:
        s.close()


@contextmanager
def embedded_reference(
    defects: tuple[str, ...] = (), guard: Guard | None = None
) -> Iterator[Target]:
    """Start the reference archive (memory store, fresh credentials) for one run."""
    with warnings.catch_warnings():
        # Spyne 2.14 imports cgi, deprecated since 3.11: our dependency's noise, not the run's.
        warnings.simplefilter("ignore", DeprecationWarning)
        from tpn.mocks.core.config import MockConfig
        from tpn.mocks.noark4ws import ArchiveMock

    auth = ("tpn", secrets.token_urlsafe(12))
    # A defective archive may fail inside on purpose; only the reference must never do so.
    server: Any = ArchiveMock(MockConfig(auth=auth, defects=defects), raise_errors=not defects)
    with server:
        yield Target(
            url=server.url,
            auth=auth,
            reference=True,
            exclusive=True,
            defects=defects,
            guard=guard,
        )
