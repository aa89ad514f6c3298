"""An SP built on a library nobody here wrote, certified as a vendor would certify it: OneLogin's
python3-saml (``python3saml_support``), configured well, its ACS on HTTP-POST only, set up once
with ``tpn sp portal-metadata`` and then ``tpn certify --profile sp --target ... --sp-metadata
...``. The suite judges it over the one binding it declares."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from library_sp_support import ALL, certify, certify_args, results, set_up_portal
from python3saml_support import Python3SamlSp


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def onelogin_sp(
    tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[Python3SamlSp, list[str]]]:
    """The SP served, trusting the suite's portal as `tpn sp portal-metadata` describes it, and
    the arguments of `tpn certify` for it (``indirect`` parameters: the SP's misconfiguration)."""
    wrong: dict[str, bool] = getattr(request, "param", {})
    portal = set_up_portal(tmp_path)
    holder: list[Python3SamlSp] = []
    server = make_server(
        "127.0.0.1", 0, lambda e, s: holder[0](e, s), server_class=_Server, handler_class=_Quiet
    )
    sp = Python3SamlSp(f"http://127.0.0.1:{server.server_port}", portal.metadata, **wrong)
    holder.append(sp)
    (tmp_path / "sp.xml").write_bytes(sp.metadata())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    args = certify_args(sp.base_url, portal)
    try:
        yield sp, args
    finally:
        server.shutdown()
        server.server_close()


def test_a_well_configured_python3_saml_sp_is_certified_over_http_post(
    tmp_path: Path, onelogin_sp: tuple[Python3SamlSp, list[str]]
) -> None:
    _, args = onelogin_sp
    status, data, output = certify(tmp_path, *args)
    by_id = {r["id"]: r for r in data["requirements"]}
    outcome = {rid: r["result"] for rid, r in by_id.items()}
    assert outcome == dict.fromkeys(ALL, "passed"), output
    assert status == 0, output
    # Over the one binding it declares: every message names it, none the other.
    reasons = " ".join(r["reason"] for r in by_id.values())
    assert "HTTP-Artifact" not in reasons


def test_narrowing_it_to_the_artifact_binding_is_refused(
    tmp_path: Path, onelogin_sp: tuple[Python3SamlSp, list[str]]
) -> None:
    _, args = onelogin_sp
    status, data, output = certify(tmp_path, *args, "--binding", "artifact")
    assert status == 2 and data == {}
    assert "declares no AssertionConsumerService over HTTP-Artifact" in output


@pytest.mark.parametrize(
    ("onelogin_sp", "caught"),
    [
        # Strict off, the library still verifies signatures, but checks no condition.
        (
            {"strict": False},
            {"SP-TIME-001", "SP-TIME-002", "SP-AUD-001", "SP-RCP-001", "SP-IRT-001"},
        ),
        # No request ID handed to the library and no cache of its own: any InResponseTo goes,
        # and the same assertion comes in twice.
        ({"replay_cache": False}, {"SP-IRT-001", "SP-RPL-001"}),
        ({"level_check": False}, {"SP-LVL-001"}),
    ],
    ids=["strict-off", "no-replay-cache", "no-level-check"],
    indirect=["onelogin_sp"],
)
def test_a_python3_saml_sp_configured_as_vendors_get_it_wrong_fails_what_catches_that(
    tmp_path: Path, onelogin_sp: tuple[Python3SamlSp, list[str]], caught: set[str]
) -> None:
    _, args = onelogin_sp
    status, data, output = certify(tmp_path, *args)
    assert results(data, "failed") == caught, output
    assert status == 1
