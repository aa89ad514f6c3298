"""``tpn defects``: the defect catalogue, for people and (``--json``) for programs.

Each defect is a realistic vendor mistake a profile's reference can be given; the listing says
what it does wrong and which requirements of the conformance suite must catch it. Each profile
holds its own catalogue (``Profile.defects``): for ``noark4ws-archive`` (the default) the
reference archive is started with one (``tpn serve --defect NAME``; the catalogue is
``fixtures/standards/noark4ws/defects.toml``); for ``form-xml`` the reference form engine
breaks one of its documents with it (``tpn.conformance.ksxml.defects``, one single-rule
mutation per requirement); for ``sp`` the reference SP skips one check
(``tpn.mocks.referencesp.defects``). ``tpn certify --profile P --defect NAME`` certifies the
profile's reference with it.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from tpn.conformance import profiles


def add_parsers(sub: Any) -> None:
    parser = sub.add_parser(
        "defects",
        help="list the defects a profile's reference can be given (default: the archive's)",
        description=(
            "List the defect catalogue: realistic vendor mistakes that a profile's reference "
            "can be given (`tpn serve --defect NAME` for the archive, "
            "`tpn certify --profile form-xml --defect NAME` for the form engine), and the "
            "requirements that must catch each."
        ),
    )
    parser.add_argument(
        "--profile",
        choices=sorted(profiles.PROFILES),
        default=profiles.DEFAULT_PROFILE,
        help=f"whose defects (default {profiles.DEFAULT_PROFILE})",
    )
    parser.add_argument(
        "--json", action="store_true", help="print the catalogue as JSON (a list of objects)"
    )
    parser.set_defaults(func=defects_command)


def _rows(name: str) -> tuple[list[dict[str, Any]], str]:
    """The catalogue's entries (the ``--json`` objects) and the listing's closing hint."""
    profile = profiles.get(name)
    rows = [
        {
            "name": d.name,
            "summary": d.summary,
            "story": d.story,
            "requirements": list(d.requirements),
        }
        for d in profile.defects()
    ]
    return rows, profile.defects_hint


def defects_command(args: argparse.Namespace) -> int:
    rows, hint = _rows(args.profile)
    if args.json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    blocks = [
        f"{r['name']}\n  {r['summary']}\n  caught by: {', '.join(r['requirements'])}" for r in rows
    ]
    print("\n\n".join(blocks))
    print(f"\n{len(rows)} defects. {hint}")
    return 0
