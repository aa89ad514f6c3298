"""``tpn sp``: service providers of the security portal, registered from their metadata.

    tpn sp register FILE [--db URL]
    tpn sp list [--db URL]

Registration goes into the store ``tpn serve`` uses (the same default database), so an SP can
be registered before the server starts or while it runs; a running server can also be given
one over its admin API (``POST /__admin/sikkerhetsportal/sp``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


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


def _portal(db: str | None) -> Any:
    from tpn.mocks.paths import default_db_path
    from tpn.mocks.sikkerhetsportal.portal import Portal
    from tpn.mocks.store import Store

    if db is None:
        path = default_db_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        db = f"sqlite:///{path}"
    return Portal(Store(db))


def register_command(args: argparse.Namespace) -> int:
    from tpn.mocks.sikkerhetsportal.metadata import MetadataError

    try:
        xml = args.file.read_bytes()
    except OSError as exc:
        print(f"tpn sp: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    try:
        provider = _portal(args.db).register(xml)
    except MetadataError as exc:
        print(f"tpn sp: {args.file}: {exc}", file=sys.stderr)
        return 1
    acs = ", ".join(f"{e.location} ({e.binding.rsplit(':', 1)[-1]})" for e in provider.acs)
    print(f"registered {provider.entity_id}: ACS {acs}")
    return 0


def list_command(args: argparse.Namespace) -> int:
    for entity_id in _portal(args.db).providers():
        print(entity_id)
    return 0
