"""``tpn serve``: the reference archive, the security portal and the admin side, for load.

Everything that can be wrong with the arguments is found before the banner is printed and the
workers start: the store's URL, the portal key, whether the address can be listened on. A
server that cannot start would otherwise fail inside granian or gunicorn, with a Rust backtrace
or a minute of retries.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import socket
from pathlib import Path
from typing import Any

from tpn.fixtures.files import FileRefused, printable, regular_size
from tpn.harness import auth, db, limits
from tpn.harness.errors import CliError, fail, one_line
from tpn.mocks.core.front import BODY_SECONDS  # a light module: --help stays quick

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8086


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

    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018  (raises for a port that is no number, or out of range)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a URL ({exc}): {text!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise argparse.ArgumentTypeError(f"an http(s) URL without a query, got {text!r}")
    return text.rstrip("/")


def _key_file(text: str) -> str:
    """A key file that is there must be a regular one within the limit; one that is not is
    made on start (``serve_command``), as ``tpn certify --idp-key`` makes it."""
    path = Path(text)
    if path.exists() or path.is_symlink():
        try:
            regular_size(text, limits.KEY_FILE, what="portal key")
        except FileRefused as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def add_parsers(sub: Any) -> None:
    from tpn.mocks.core.paths import default_db_path

    serve = sub.add_parser(
        "serve",
        help="serve the reference archive (Noark-4 WS) with its admin side",
        description="Serve the reference archive (Noark-4 WS), the security portal (SAML 2.0 "
        "IdP) and the admin side. HTTP Basic credentials come from --auth-file FILE, "
        f"${auth.ENV_VAR}=USER:PASSWORD or --auth USER:PASSWORD (the first two keep the "
        "password out of the process list).",
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
    credentials = serve.add_mutually_exclusive_group()
    credentials.add_argument(
        "--auth",
        type=auth.argument,
        default=None,
        metavar="USER:PASSWORD",
        help="require HTTP Basic authentication; the password is then visible to every user of "
        f"this machine in the process list: prefer --auth-file or ${auth.ENV_VAR}",
    )
    credentials.add_argument(
        "--auth-file",
        type=Path,
        default=None,
        metavar="FILE",
        help="require HTTP Basic authentication with the USER:PASSWORD on the first line of FILE "
        f"(a regular file of at most {limits.AUTH_FILE // limits.KIB} KiB); without --auth and "
        f"--auth-file, ${auth.ENV_VAR}=USER:PASSWORD in the environment does the same",
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
        "--body-timeout",
        type=_seconds,
        default=BODY_SECONDS,
        metavar="SECONDS",
        help="seconds a client has to send a whole request body once its headers arrived; a "
        f"slower one gets 408 and is disconnected (default {BODY_SECONDS:g})",
    )
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
        type=_key_file,
        help="the security portal's signing key and certificate, one PEM file of at most "
        f"{limits.KEY_FILE // limits.KIB} KiB, made there on first start if there is none "
        "(default: made on first start and kept in the store)",
    )
    serve.set_defaults(func=serve_command)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{printable(text)!r} is not a number of seconds"
        ) from None
    if not 1 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"must be from 1 to 3600 seconds, got {value:g}")
    return value


def check_address(host: str, port: int, server: str) -> None:
    """Refuse, before anything starts, an address the server could not listen on."""
    if server == "granian":
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise CliError(
                f"--host {printable(host)!r}: granian listens on an IP address "
                "(127.0.0.1, 0.0.0.0, ::1), not a host name; or use --server gunicorn"
            ) from None
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        raise CliError(
            f"--host {printable(host)!r}: {getattr(exc, 'strerror', None) or exc}"
        ) from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        # As the servers bind: a port left in TIME_WAIT by the last run is free to use.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise CliError(
                f"cannot listen on {printable(host)} port {port}: {exc.strerror or exc}"
            ) from None


def _portal_key(path: Path) -> None:
    """Make the portal's key on first start, before the workers read it (they all load the one
    file); a file that holds no key is said now, in one line."""
    from tpn.mocks.saml import keys

    try:
        keys.load_or_make(path, keys.PORTAL_COMMON_NAME)
    except (FileRefused, ValueError, OSError) as exc:
        raise CliError(f"--portal-key: {one_line(str(exc))}") from None


def serve_command(args: argparse.Namespace) -> int:
    from tpn.mocks.core.config import MockConfig
    from tpn.mocks.core.serving import serve

    credentials = auth.resolve(args.auth, args.auth_file, os.environ)
    url = db.checked(args.db)
    if db.is_memory(url):
        # Found here too (serving.prepare refuses it) so that it is said before the address
        # is tried: the port given with it may be one this user cannot bind.
        raise CliError(
            "a memory database cannot be shared by worker processes; give --db a file or URL"
        )
    check_address(args.host, args.port, args.server)
    if args.portal_key:
        _portal_key(Path(args.portal_key))
    workers = args.workers or os.cpu_count() or 1
    config = MockConfig(
        body_seconds=args.body_timeout,
        db=url,
        auth=credentials.pair() if credentials else None,
        engine=args.engine,
        journal=not args.no_journal,
        defects=tuple(args.defect),
        public_url=args.public_url,
        portal_key=args.portal_key,
    )
    host = f"[{args.host}]" if ":" in args.host else args.host
    base = printable(f"http://{host}:{args.port}")
    portal = printable(args.public_url) if args.public_url else base
    lines = [
        "tpn-harness: Noark-4 WS reference archive",
        f"  archive   {base}/noark4ws",
        f"  WSDL      {base}/noark4ws?wsdl",
        f"  portal    {portal}/sikkerhetsportal/metadata (SAML 2.0 identity provider)",
        f"  minside   {base}/minside/{{tjenestekatalog,meldingsboks,minesaker}}?wsdl (MinSide, SOAP)",
        f"  citizen   {portal}/minside/ (MinSide's pages: log in as a synthetic persona)",
        f"  register  {base}/enhetsregisteret?wsdl (Enhetsregisteret, SOAP; REST under "
        f"{base}/enhetsregisteret/api/enheter/ORGNR)",
        f"  journal   {base}/__admin/view/journal (a page for people; JSON at "
        f"{base}/__admin/journal)",
        f"  health    {base}/isalive",
        f"  database  {db.shown(config.db)}",
        f"  workers   {workers} ({args.server}, engine {args.engine})",
        *(
            [f"  auth      HTTP Basic, user {printable(credentials.user)} ({credentials.source})"]
            if credentials
            else []
        ),
        *(
            [f"  DEFECTS   {printable(', '.join(config.defects))} (not the reference behaviour)"]
            if config.defects
            else []
        ),
        "Press Ctrl+C to stop.",
    ]
    print("\n".join(lines), flush=True)
    try:
        serve(config, host=args.host, port=args.port, workers=workers, server=args.server)
    except (ValueError, OSError) as exc:
        return fail("tpn serve", str(exc))
    except KeyboardInterrupt:
        pass
    return 0
