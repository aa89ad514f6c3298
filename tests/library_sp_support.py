"""What the tests that certify SPs built on others' libraries (python3-saml, node-saml,
Shibboleth) share: the set-up once, as the README orders it (`tpn sp portal-metadata` makes the
portal's key and writes its metadata, then the SP is configured from that file), the arguments
of `tpn certify` for an SP with the test SPs' pages, and a certify run read back from its report.

Every test SP has the same pages: ``/side`` (protected), ``/probe`` ("Innlogget: FNR"),
``/logout``; its metadata is in ``sp.xml`` in the run's folder."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from served import run_tpn

from tpn.conformance import profiles
from tpn.mocks.core.serving import free_port

ALL = [r.id for r in profiles.get("sp").catalogue]
KEY, METADATA = "portal.pem", "portal.xml"


@dataclass(frozen=True)
class Portal:
    """The suite's portal as an SP is configured to trust it, before any run."""

    port: int
    metadata: bytes


def set_up_portal(folder: Path) -> Portal:
    """Step 1 of the README's set-up: the portal's key and metadata, on a port chosen now."""
    port = free_port()
    made = run_tpn(
        folder,
        "sp",
        "portal-metadata",
        "--idp-port",
        str(port),
        "--idp-key",
        KEY,
        "--output",
        METADATA,
    )
    assert made.returncode == 0, made.stderr
    return Portal(port, (folder / METADATA).read_bytes())


def certify_args(base_url: str, portal: Portal) -> list[str]:
    """`tpn certify`'s arguments for a test SP at ``base_url`` (metadata in sp.xml)."""
    return [
        "--target",
        f"{base_url}/side",
        "--sp-metadata",
        "sp.xml",
        "--probe-url",
        f"{base_url}/probe",
        "--probe-expect",
        "Innlogget: {uid}",
        "--sp-logout-url",
        f"{base_url}/logout",
        "--idp-port",
        str(portal.port),
        "--idp-key",
        KEY,
    ]


def certify(
    cwd: Path, *args: str, logs: Callable[[], str] | None = None
) -> tuple[int, dict[str, Any], str]:
    """`tpn certify --profile sp --level full`: its exit status, report.json, and its output
    (with the SP's own logs after the run, from ``logs``) for a failing test's message."""
    done = run_tpn(
        cwd, "certify", "--profile", "sp", "--level", "full", "--report-dir", "report", *args
    )
    path = cwd / "report" / "report.json"
    data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    output = done.stdout[-6000:] + done.stderr[-2000:]
    if logs is not None:
        output += f"\n--- the SP's logs\n{logs()}"
    return done.returncode, data, output


def results(data: dict[str, Any], result: str) -> set[str]:
    """The requirements of a report with ``result`` ("passed", "failed", "not_run" ...)."""
    return {r["id"] for r in data["requirements"] if r["result"] == result}
