"""Exporting the Noark-4 WS WSDL and XSD from the Spyne model into ``fixtures/``."""

from __future__ import annotations

import sys
from pathlib import Path


def exported_files() -> dict[str, bytes]:
    """File name -> content, as the model produces them now."""
    from tpn.mocks.noark4ws import build_archive

    endpoint = build_archive().endpoint
    return {"noark4ws.wsdl": endpoint.wsdl, "noark4ws.xsd": endpoint.xsd}


def export_command(out: Path, *, check: bool) -> int:
    files = exported_files()
    if check:
        stale = [
            n
            for n, data in files.items()
            if not (out / n).is_file() or (out / n).read_bytes() != data
        ]
        for name in stale:
            print(
                f"{out / name}: differs from the model; run `tpn schema export --out {out}`",
                file=sys.stderr,
            )
        if not stale:
            print(f"{out}: WSDL and XSD match the model")
        return 1 if stale else 0
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (out / name).write_bytes(data)
        print(f"wrote {out / name} ({len(data)} bytes)")
    return 0
