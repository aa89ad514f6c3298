"""The target of a run: the vendor's endpoint, or a profile's embedded reference started for the run
(the archive profile's: ``tpn.conformance.noark4ws.reference``)."""

from __future__ import annotations

from dataclasses import dataclass, field
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
