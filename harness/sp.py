"""``tpn sp``: service providers of the security portal, registered from their metadata.

    tpn sp register FILE [--db URL]
    tpn sp list [--db URL]

Registration goes into the store ``tpn serve`` uses (the same default database), so an SP can
be registered before the server starts or while it runs; a running server can also be given
one over its admin API (``POST /__admin/sikkerhetsportal/sp``).
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
