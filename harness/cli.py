"""``tpn``: the command line of tpn-harness.

tpn serve [--host H] [--port P] [--db URL] [--workers N] [--auth USER:PASSWORD] [--public-url URL]
          [--portal-key FILE]
tpn schema export [--out DIR] [--check]
tpn certify [--profile P] [--target URL] [--level core|full|extended] ...  (see --help)
tpn keygen [--private-key PATH] [--public-key PATH]
tpn report verify DIR --public-key FILE
tpn defects [--json]
tpn id check NUMBER... [--synthetic-only]     (NUMBER '-': numbers from stdin, one a line)
tpn validate PATH... [--json] [--synthetic-only] [--quiet]
tpn population [--json | --output FILE]
tpn forms list [--json] | generate --out DIR [--form ID] [--count N] [--seed N] [--break RULE]
tpn forms export --out DIR
tpn sp register FILE [--db URL] | tpn sp list [--db URL]
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from tpn.harness import (
    certificate,
    certify,
    defects,
    forms,
    ids,
    population,
    schema,
    sp,
    validate,
)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8086


def _auth(text: str) -> tuple[str, str]:
    user, sep, password = text.partition(":")
    if not sep or not user:
        raise argparse.ArgumentTypeError("--auth takes USER:PASSWORD")
    return user, password


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 < value < 65536:
        raise argparse.ArgumentTypeError(f"a port is 1 to 65535, got {value}")
    return value


def _public_url(text: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        raise argparse.ArgumentTypeError(f"an http(s) URL without a query, got {text!r}")
    return text.rstrip("/")


def _readable(text: str) -> str:
    if not Path(text).is_file():
        raise argparse.ArgumentTypeError(f"no such file {text!r}")
    return text


def build_parser() -> argparse.ArgumentParser:
    from tpn.mocks.paths import default_db_path

    parser = argparse.ArgumentParser(
        prog="tpn", description="Mocks and conformance suites for 'Kommunale tjenester på nett'."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser(
        "serve", help="serve the reference archive (Noark-4 WS) with its admin side"
    )
    serve.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})"
    )
    serve.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
    )
    serve.add_argument(
        "--db",
        default=None,
        help=f"SQLAlchemy URL of the store (default: sqlite:///{default_db_path()})",
    )
    serve.add_argument(
        "--workers",
        type=_positive,
        default=None,
        help=f"worker processes (default: one per CPU, here {os.cpu_count() or 1})",
    )
    serve.add_argument(
        "--auth",
        type=_auth,
        default=None,
        metavar="USER:PASSWORD",
        help="require HTTP Basic authentication",
    )
    serve.add_argument(
        "--server",
        choices=("granian", "gunicorn"),
        default="granian",
        help="HTTP server for the workers (default granian)",
    )
    serve.add_argument(
        "--engine",
        choices=("fast", "spyne"),
        default="fast",
        help="message engine: the model-driven codec (default) or Spyne's own pipeline",
    )
    serve.add_argument("--no-journal", action="store_true", help="do not record exchanges")
    serve.add_argument(
        "--defect",
        action="append",
        default=[],
        metavar="NAME",
        help="start with a named defect from the catalogue (repeatable; `tpn defects` lists them)",
    )
    serve.add_argument(
        "--public-url",
        metavar="URL",
        type=_public_url,
        help="the URL the server is reached at from outside (a container, a CI service name), "
        "which the security portal writes into its metadata and assertions "
        "(default: the URL each request came to)",
    )
    serve.add_argument(
        "--portal-key",
        metavar="FILE",
        type=_readable,
        help="the security portal's signing key and certificate, one PEM file "
        "(default: made on first start and kept in the store)",
    )
    serve.set_defaults(func=_serve)

    sch = sub.add_parser("schema", help="the machine-readable standards in fixtures/")
    sch_sub = sch.add_subparsers(dest="schema_command", required=True, metavar="ACTION")
    export = sch_sub.add_parser(
        "export", help="write the Noark-4 WS WSDL and XSD from the Spyne model"
    )
    export.add_argument(
        "--out",
        type=Path,
        default=Path("fixtures/standards/noark4ws"),
        help="folder to write into (default fixtures/standards/noark4ws)",
    )
    export.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if the files there differ from the model",
    )
    export.set_defaults(func=lambda args: schema.export_command(args.out, check=args.check))

    # Each further command lives in its own module, which adds its parsers with a `func`.
    certify.add_parsers(sub)
    certificate.add_parsers(sub)
    defects.add_parsers(sub)
    ids.add_parsers(sub)
    validate.add_parsers(sub)
    population.add_parsers(sub)
    forms.add_parsers(sub)
    sp.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


def _serve(args: argparse.Namespace) -> int:
    from tpn.mocks.config import MockConfig, default_db_path
    from tpn.mocks.serving import serve

    db = args.db
    if db is None:
        path = default_db_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        db = f"sqlite:///{path}"
    workers = args.workers or os.cpu_count() or 1
    config = MockConfig(
        db=db,
        auth=args.auth,
        engine=args.engine,
        journal=not args.no_journal,
        defects=tuple(args.defect),
        public_url=args.public_url,
        portal_key=args.portal_key,
    )
    base = f"http://{args.host}:{args.port}"
    portal = args.public_url or base
    lines = [
        "tpn-harness: Noark-4 WS reference archive",
        f"  archive   {base}/noark4ws",
        f"  WSDL      {base}/noark4ws?wsdl",
        f"  portal    {portal}/sikkerhetsportal/metadata (SAML 2.0 identity provider)",
        f"  journal   {base}/__admin/journal",
        f"  health    {base}/isalive",
        f"  database  {config.db}",
        f"  workers   {workers} ({args.server}, engine {args.engine})",
        *(
            [f"  DEFECTS   {', '.join(config.defects)} (not the reference behaviour)"]
            if config.defects
            else []
        ),
        "Press Ctrl+C to stop.",
    ]
    print("\n".join(lines), flush=True)
    try:
        serve(config, host=args.host, port=args.port, workers=workers, server=args.server)
    except (ValueError, OSError) as exc:
        print(f"tpn serve: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
