"""Exporting the Noark-4 WS WSDL and XSD from the Spyne model into ``fixtures/``."""

from __future__ import annotations

import sys
from pathlib import Path

from tpn.fixtures.files import FileRefused, printable, read_regular
from tpn.harness import limits
from tpn.harness.errors import CliError


def exported_files() -> dict[str, bytes]:
    """File name -> content, as the model produces them now."""
    from tpn.mocks.noark4ws import build_archive

    endpoint = build_archive().endpoint
    return {"noark4ws.wsdl": endpoint.wsdl, "noark4ws.xsd": endpoint.xsd}


def _differs(path: Path, data: bytes) -> str | None:
    """Why ``path`` does not hold ``data``, or None if it does. Only a regular file within the
    limit is read: a FIFO or device there is a difference, not a hang."""
    if not path.exists():
        return "is missing"
    try:
        held = read_regular(path, limits.SCHEMA_FILE, what="file")
    except FileRefused as exc:
        return f"cannot be compared ({exc})"
    return None if held == data else "differs from the model"


def export_command(out: Path, *, check: bool) -> int:
    files = exported_files()
    shown = printable(str(out))
    if check:
        stale = {n: why for n, data in files.items() if (why := _differs(out / n, data))}
        for name, why in stale.items():
            print(
                f"{printable(str(out / name))}: {why}; run `tpn schema export --out {shown}`",
                file=sys.stderr,
            )
        if not stale:
            print(f"{shown}: WSDL and XSD match the model")
        return 1 if stale else 0
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (out / name).write_bytes(data)
            print(f"wrote {printable(str(out / name))} ({len(data)} bytes)")
    except OSError as exc:
        raise CliError(f"cannot write into {shown}: {exc.strerror or exc}") from None
    return 0
