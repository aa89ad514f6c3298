"""Setting up once before certifying an SP (issue 13): `tpn sp portal-metadata` makes the
portal's key and writes the metadata of the portal a `tpn certify --profile sp` run will serve
on that port with that key, so a vendor configures its SP before the first run; `tpn serve
--portal-key` and `--idp-key` treat a missing key file alike (made on first use) and refuse a
file that is no key in one line."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
import requests
from served import Served, free_port, run_tpn

from tpn.mocks.core.config import MockConfig
from tpn.mocks.saml import keys
from tpn.mocks.saml import metadata as md
from tpn.mocks.sikkerhetsportal.mock import PortalMock


def _portal_metadata(folder: Path, port: int, key: str, *more: str) -> str:
    done = run_tpn(
        folder, "sp", "portal-metadata", "--idp-port", str(port), "--idp-key", key, *more
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_key_is_made_once_and_the_metadata_is_the_runs(tmp_path: Path) -> None:
    port = free_port()
    first = _portal_metadata(tmp_path, port, "keys/portal.pem")
    key_file = tmp_path / "keys" / "portal.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600  # the private key is the owner's
    assert _portal_metadata(tmp_path, port, "keys/portal.pem") == first  # kept, not remade
    written = _portal_metadata(tmp_path, port, "keys/portal.pem", "--output", "portal.xml")
    assert written.startswith("wrote portal.xml: entityID http://127.0.0.1:")
    assert (tmp_path / "portal.xml").read_text(encoding="utf-8") == first.removesuffix("\n")

    # What the sp suite's portal serves on that port with that key (conformance/sp/fixtures).
    idp = PortalMock(MockConfig(), port=port)
    idp.start()
    try:
        idp.parts.portal.key = keys.load_or_make(key_file, keys.PORTAL_COMMON_NAME)
        served = requests.get(f"{idp.base_url}/sikkerhetsportal/metadata", timeout=10).content
    finally:
        idp.stop()
    said, runs = md.parse_idp(first.encode()), md.parse_idp(served)
    assert said == runs


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: (d / "k.pem").write_text("no key here"), "needs a PEM private key"),
        (lambda d: (d / "k.pem").mkdir(), "is a directory"),
        (lambda d: os.mkfifo(d / "k.pem"), "only regular files are read"),
        (lambda d: (d / "k.pem").write_bytes(b"x" * (keys.MAX_KEY_FILE + 1)), "over the limit"),
    ],
)
def test_a_key_file_that_is_no_key_is_refused_in_one_line(
    tmp_path: Path, setup: object, message: str
) -> None:
    setup(tmp_path)  # type: ignore[operator]
    done = run_tpn(tmp_path, "sp", "portal-metadata", "--idp-port", "8087", "--idp-key", "k.pem")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("tpn sp: error: --idp-key: ") and message in done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


@pytest.mark.parametrize("port", ["0", "65536", "x"])
def test_a_port_that_is_none_is_refused(tmp_path: Path, port: str) -> None:
    done = run_tpn(tmp_path, "sp", "portal-metadata", "--idp-port", port, "--idp-key", "k.pem")
    assert done.returncode == 2 and "--idp-port" in done.stderr
    assert not (tmp_path / "k.pem").exists()


def test_the_run_takes_the_key_the_setup_made(tmp_path: Path) -> None:
    from tpn.conformance.sp.fixtures import _idp_key

    _portal_metadata(tmp_path, 8087, str(tmp_path / "portal.pem"))
    made = keys.SigningKey.load(tmp_path / "portal.pem")
    assert _idp_key(str(tmp_path / "portal.pem")).fingerprint == made.fingerprint
    fresh = _idp_key(str(tmp_path / "new.pem"))  # and makes one as the setup does
    assert keys.SigningKey.load(tmp_path / "new.pem").fingerprint == fresh.fingerprint


@pytest.mark.slow
def test_tpn_serve_makes_a_missing_portal_key_and_signs_with_it(tmp_path: Path) -> None:
    key_file = tmp_path / "portal.pem"
    server = Served(tmp_path / "tpn.db", workers=2, extra=("--portal-key", str(key_file)))
    server.start()
    try:
        served = requests.get(f"{server.base_url}/sikkerhetsportal/metadata", timeout=10)
    finally:
        server.stop()
    made = keys.SigningKey.load(key_file)
    assert md.parse_idp(served.content).cert_pem.strip() == made.cert_pem.decode().strip()


def test_tpn_serve_refuses_a_portal_key_that_is_no_key(tmp_path: Path) -> None:
    (tmp_path / "k.pem").write_text("no key here")
    done = run_tpn(
        tmp_path,
        "serve",
        "--port",
        str(free_port()),
        "--db",
        f"sqlite:///{tmp_path}/x.db",
        "--portal-key",
        "k.pem",
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "--portal-key: " in done.stderr and "needs a PEM private key" in done.stderr
    assert "Traceback" not in done.stderr
