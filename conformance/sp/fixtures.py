"""The sp suite's fixture: the portal the suite runs, the SP under test, and browsers.

Without ``--tpn-target`` the suite starts the reference SP (with ``--tpn-defect`` names, a
defective one) and certifies that. With it, the vendor's SP is at that URL, registered with the
suite's portal from ``--tpn-sp-metadata``; the SP must trust the portal's key and URLs, which
``--tpn-idp-port`` and ``--tpn-idp-key`` keep the same from run to run.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from tpn.conformance.outcomes import SuiteError

if TYPE_CHECKING:
    from tpn.conformance.evidence import Recorder
    from tpn.conformance.results import Run
    from tpn.conformance.sp.bindings import Acs
    from tpn.conformance.sp.browser import Browser
    from tpn.conformance.transport import Guard
    from tpn.mocks.saml.metadata import ServiceProvider
    from tpn.mocks.sikkerhetsportal.portal import Portal


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Site:
    """What a test works with: the portal, the SP's pages, two personas, and the ACSs (one per
    binding) the run answers at."""

    portal: Portal
    target: str
    probe: str
    expect: str
    logout_url: str | None
    uid: str
    other_uid: str
    acs: tuple[Acs, ...]  # at least one (``bindings.chosen``)
    recorder: Recorder | None = None
    guard: Guard | None = None

    def browser(self, acs: Acs | None = None) -> Browser:
        """A new browser answering at ``acs`` (None: the ACS the SP's request names)."""
        from tpn.conformance.sp.browser import Browser

        return Browser(
            self.portal,
            self.target,
            self.probe,
            self.expect,
            self.recorder,
            guard=self.guard,
            acs=acs,
        )


def _idp_key(path: str | None) -> Any:
    """The portal's key from ``--tpn-idp-key``, made there on first use (as ``tpn sp
    portal-metadata`` does, so either may come first)."""
    from tpn.fixtures.files import FileRefused
    from tpn.mocks.saml import keys

    if path is None:
        return None
    try:
        return keys.load_or_make(Path(path), keys.PORTAL_COMMON_NAME)
    except (FileRefused, ValueError, OSError) as exc:
        raise SuiteError(f"--tpn-idp-key: {exc}") from None


def _bindings(provider: ServiceProvider, narrow: str | None) -> tuple[Acs, ...]:
    """The ACSs the run answers at (``bindings.chosen``); the option's check refused a
    binding the metadata does not declare before the run, this is the fixture's own guard."""
    from tpn.conformance.sp import bindings

    try:
        return bindings.chosen(provider.acs, narrow, option="--tpn-binding")
    except bindings.NotDeclared as exc:
        raise SuiteError(str(exc)) from None


@pytest.fixture(scope="session")
def sp_site(request: pytest.FixtureRequest, tpn_run: Run) -> Iterator[Site]:
    """The SP under test beside the suite's portal, for the whole run."""
    from tpn.conformance.target import Target
    from tpn.fixtures import population

    with warnings.catch_warnings():
        # Spyne 2.14 imports cgi, deprecated since 3.11: our dependency's noise, not the run's.
        warnings.simplefilter("ignore", DeprecationWarning)
        from tpn.mocks.core.config import MockConfig
        from tpn.mocks.sikkerhetsportal.mock import PortalMock
    from tpn.mocks.referencesp.app import Idp, ReferenceSp
    from tpn.mocks.sikkerhetsportal.portal import PREFIX

    opt = request.config.option
    adults = [p.foedselsnummer for p in population.personas() if p.born.year < 1990]
    servers: list[WSGIServer] = []
    try:
        idp = PortalMock(MockConfig(), port=opt.tpn_idp_port or 0)
        idp.start()
    except Exception as exc:
        raise SuiteError(f"the suite's portal could not start: {exc!r}") from exc
    try:
        key = _idp_key(opt.tpn_idp_key)
        if key is not None:
            idp.parts.portal.key = key
        portal = idp.parts.portal.at(idp.base_url)
        if opt.tpn_target:
            from tpn.conformance.plugin import MAX_SP_METADATA
            from tpn.fixtures.files import FileRefused, read_regular

            try:
                metadata = read_regular(
                    opt.tpn_sp_metadata, MAX_SP_METADATA, what="--tpn-sp-metadata"
                )
            except FileRefused as exc:
                raise SuiteError(str(exc)) from None
            provider = portal.register(metadata)
            site = Site(
                portal,
                opt.tpn_target,
                opt.tpn_probe_url,
                opt.tpn_probe_expect,
                opt.tpn_sp_logout_url,
                adults[0],
                adults[1],
                _bindings(provider, opt.tpn_binding),
                tpn_run.recorder,
                tpn_run.guard,
            )
            tpn_run.target = Target(opt.tpn_target, None, reference=False, exclusive=True)
        else:
            base = f"{idp.base_url}{PREFIX}"
            trusted = Idp(
                entity_id=portal.entity_id,
                sso_url=f"{base}/sso",
                slo_url=f"{base}/slo",
                artifact_url=f"{base}/artifact",
                cert_pem=portal.key.cert_pem.decode(),
            )
            holder: list[ReferenceSp] = []
            server = make_server(
                "127.0.0.1",
                0,
                lambda environ, start: holder[0](environ, start),
                server_class=_Server,
                handler_class=_Quiet,
            )
            servers.append(server)
            sp = ReferenceSp(
                f"http://127.0.0.1:{server.server_port}",
                trusted,
                lax=frozenset(opt.tpn_defect),
            )
            holder.append(sp)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            provider = portal.register(sp.metadata())
            site = Site(
                portal,
                f"{sp.base_url}/side",
                f"{sp.base_url}/probe",
                "Logget inn som {uid}",
                f"{sp.base_url}/logout",
                adults[0],
                adults[1],
                _bindings(provider, opt.tpn_binding),
                tpn_run.recorder,
                tpn_run.guard,
            )
            tpn_run.target = Target(
                site.target,
                None,
                reference=True,
                exclusive=True,
                defects=tuple(opt.tpn_defect),
                reference_name=tpn_run.profile.reference_name,
            )
        yield site
    finally:
        for running in servers:
            running.shutdown()
            running.server_close()
        idp.stop()
