"""Exporting a SOAP standard's WSDL and XSD from its Spyne model into ``fixtures/``: the
Noark-4 WS archive's (``noark4ws``), Enhetsregisteret's period service (``enhetsregisteret``)
and MinSide's three services (``minside``: one WSDL and one XSD each)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from tpn.fixtures.files import FileRefused, printable, read_regular
from tpn.harness import limits
from tpn.harness.errors import CliError

STANDARDS = ("noark4ws", "enhetsregisteret", "minside")
ER_ADDRESS = "http://127.0.0.1:8086/enhetsregisteret"
SERVE_ADDRESS = "http://127.0.0.1:8086"


def exported_files(standard: str = "noark4ws") -> dict[str, bytes]:
    """File name -> content, as the model of ``standard`` produces them now."""
    if standard == "enhetsregisteret":
        from tpn.mocks.enhetsregisteret import build_enhetsregisteret

        endpoint = build_enhetsregisteret().endpoint
        # Its soap:address names its own path on tpn serve's defaults.
        return {"erfr.wsdl": endpoint.wsdl_for(ER_ADDRESS), "erfr.xsd": endpoint.xsd}
    if standard == "minside":
        from tpn.mocks.minside.mock import SERVICES, build_minside

        parts = build_minside()
        files: dict[str, bytes] = {}
        for path in SERVICES:
            endpoint = parts.endpoint(path)
            name = path.rpartition("/")[2]
            # Each names its own path on tpn serve's defaults.
            files[f"{name}.wsdl"] = endpoint.wsdl_for(SERVE_ADDRESS + path)
            files[f"{name}.xsd"] = endpoint.xsd
        return files
    if standard != "noark4ws":
        raise ValueError(f"standard must be one of {', '.join(STANDARDS)}, got {standard!r}")
    from tpn.mocks.noark4ws import build_archive

    archive = build_archive().endpoint
    return {"noark4ws.wsdl": archive.wsdl, "noark4ws.xsd": archive.xsd}


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


def export_command(out: Path | None, *, check: bool, standard: str = "noark4ws") -> int:
    files = exported_files(standard)
    out = out if out is not None else Path("fixtures/standards") / standard
    shown = printable(str(out))
    if check:
        stale = {n: why for n, data in files.items() if (why := _differs(out / n, data))}
        for name, why in stale.items():
            print(
                f"{printable(str(out / name))}: {why}; "
                f"run `tpn schema export{_flag(standard)} --out {shown}`",
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


def _flag(standard: str) -> str:
    return "" if standard == "noark4ws" else f" --standard {standard}"


def add_parsers(sub: Any) -> None:
    """``tpn schema export``."""
    sch = sub.add_parser("schema", help="the machine-readable standards in fixtures/")
    sch_sub = sch.add_subparsers(dest="schema_command", required=True, metavar="ACTION")
    export = sch_sub.add_parser(
        "export", help="write a SOAP standard's WSDL and XSD from its Spyne model"
    )
    export.add_argument(
        "--standard",
        choices=STANDARDS,
        default="noark4ws",
        help="whose WSDL and XSD: the archive's (default), Enhetsregisteret's or MinSide's",
    )
    export.add_argument(
        "--out",
        type=Path,
        default=None,
        help="folder to write into (default fixtures/standards/STANDARD)",
    )
    export.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if the files there differ from the model",
    )
    export.set_defaults(
        func=lambda args: export_command(args.out, check=args.check, standard=args.standard)
    )
