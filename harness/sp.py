"""``tpn sp``: service providers of the security portal, registered from their metadata.

    tpn sp register FILE [--db URL]
    tpn sp list [--db URL]
    tpn sp portal-metadata --idp-port N --idp-key FILE [--output FILE]

Registration goes into the store ``tpn serve`` uses (the same default database), so an SP can
be registered before the server starts or while it runs; a running server can also be given
one over its admin API (``POST /__admin/sikkerhetsportal/sp``).

``portal-metadata`` is the set-up a vendor does once before ``tpn certify --profile sp``: the
metadata of the portal the suite will run on ``--idp-port`` signing with ``--idp-key`` (made
there on first use, as the run makes it), so the SP can be told to trust it before any run.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from tpn.fixtures.files import printable, read_regular
from tpn.harness import db
from tpn.harness.errors import fail, one_line


def add_parsers(sub: Any) -> None:
    parser = sub.add_parser(
        "sp", help="register service providers with the security portal (SAML 2.0 IdP)"
    )
    sp_sub = parser.add_subparsers(dest="sp_command", required=True, metavar="COMMAND")
    register = sp_sub.add_parser("register", help="register an SP from its metadata file")
    register.add_argument("file", type=Path, metavar="FILE", help="the SP's SAML metadata")
    register.add_argument("--db", default=None, help="the store (default: tpn serve's)")
    register.set_defaults(func=register_command)
    listing = sp_sub.add_parser("list", help="the registered SPs' entityIDs")
    listing.add_argument("--db", default=None, help="the store (default: tpn serve's)")
    listing.set_defaults(func=list_command)
    meta = sp_sub.add_parser(
        "portal-metadata",
        help="the metadata of the portal `tpn certify --profile sp` runs on --idp-port with "
        "--idp-key (the key made on first use), for configuring your SP before the first run",
    )
    meta.add_argument(
        "--idp-port", type=_port, required=True, metavar="N", help="the port the run will use"
    )
    meta.add_argument(
        "--idp-key",
        type=Path,
        required=True,
        metavar="FILE",
        help="the portal's key and certificate (PEM), made there if there is none",
    )
    meta.add_argument(
        "--output", "-o", type=Path, metavar="FILE", help="write it there (default: print it)"
    )
    meta.set_defaults(func=portal_metadata_command)


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port: {text[:20]!r}") from None
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError(f"a port is 1-65535, not {port}")
    return port


def _portal(url: str | None) -> Any:
    from tpn.mocks.core.store import Store
    from tpn.mocks.sikkerhetsportal.portal import Portal

    return Portal(Store(db.checked(url)))


def register_command(args: argparse.Namespace) -> int:
    from tpn.mocks.saml.metadata import MAX_BYTES, MetadataError

    try:
        args.file.stat()  # a missing file keeps its long-standing message
    except OSError as exc:
        name = printable(str(args.file))
        return fail("tpn sp", f"cannot read {name}: {exc.strerror or exc}")
    # Only a regular file within the portal's own limit for metadata; a FIFO or /dev/zero is
    # refused (FileRefused, one line from tpn.harness.errors.run) before a byte is read.
    xml = read_regular(args.file, MAX_BYTES, what="SP metadata")
    try:
        provider = _portal(args.db).register(xml)
    except MetadataError as exc:
        return fail("tpn sp", f"{printable(str(args.file))}: {one_line(str(exc))}")
    # The entityID and locations are the vendor's text: escaped, so they cannot forge lines.
    acs = ", ".join(
        f"{printable(e.location)} ({printable(e.binding.rsplit(':', 1)[-1])})" for e in provider.acs
    )
    print(f"registered {printable(provider.entity_id)}: ACS {acs}")
    return 0


def list_command(args: argparse.Namespace) -> int:
    for entity_id in _portal(args.db).providers():
        print(printable(entity_id))
    return 0


def portal_metadata_command(args: argparse.Namespace) -> int:
    from tpn.fixtures.files import FileRefused
    from tpn.mocks.core.store import Store
    from tpn.mocks.saml import keys
    from tpn.mocks.sikkerhetsportal.portal import Portal

    try:
        key = keys.load_or_make(args.idp_key, keys.PORTAL_COMMON_NAME)
    except (FileRefused, ValueError, OSError) as exc:
        return fail("tpn sp", one_line(f"--idp-key: {exc}"))
    # The portal of `tpn certify --profile sp --idp-port N` listens on loopback at that port.
    portal = Portal(Store("sqlite://"), f"http://127.0.0.1:{args.idp_port}", key=key)
    xml = portal.descriptor()
    if args.output is None:
        print(xml.decode("utf-8"))
        return 0
    try:
        args.output.write_bytes(xml)
    except OSError as exc:
        return fail("tpn sp", one_line(f"cannot write {printable(str(args.output))}: {exc}"))
    print(
        f"wrote {printable(str(args.output))}: entityID {portal.entity_id}, certificate "
        f"SHA-256 {key.fingerprint}"
    )
    return 0
