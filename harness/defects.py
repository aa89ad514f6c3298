"""``tpn defects``: the defect catalogue, for people and (``--json``) for programs.

Each defect is a realistic vendor mistake the reference archive can be started with
(``tpn serve --defect NAME``); the listing says what it does wrong and which requirements of the
conformance suite must catch it. The catalogue itself is
``fixtures/standards/noark4ws/defects.toml``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def add_parsers(sub: Any) -> None:
    parser = sub.add_parser(
        "defects",
        help="list the defects the reference archive can be started with",
        description=(
            "List the defect catalogue: realistic vendor mistakes that `tpn serve --defect NAME` "
            "starts the reference archive with, and the requirements that must catch each."
        ),
    )
    parser.add_argument(
        "--json", action="store_true", help="print the catalogue as JSON (a list of objects)"
    )
    parser.set_defaults(func=defects_command)


def defects_command(args: argparse.Namespace) -> int:
    # Deferred: the archive's modules are heavy, and other commands need none of them.
    from tpn.mocks.noark4ws.defects import catalogue

    found = catalogue()
    if args.json:
        rows = [
            {
                "name": d.name,
                "summary": d.summary,
                "story": d.story,
                "requirements": list(d.requirements),
            }
            for d in found
        ]
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    blocks = [f"{d.name}\n  {d.summary}\n  caught by: {', '.join(d.requirements)}" for d in found]
    print("\n\n".join(blocks))
    print(
        f"\n{len(found)} defects. Start the reference archive with one: "
        "tpn serve --defect NAME (repeatable)."
    )
    return 0
