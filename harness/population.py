"""``tpn population``: the synthetic test population, for people and (``--json``,
``--output FILE``) for programs that fill in forms with it.

The population itself is :mod:`tpn.fixtures.population` (``fixtures/population/*.toml``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from typing import Any

from tpn.fixtures.files import printable
from tpn.harness.errors import fail


def add_parsers(sub: Any) -> None:
    parser = sub.add_parser(
        "population",
        help="show or export the synthetic test population",
        description=(
            "Show the synthetic test population (municipalities, personas, families, "
            "organisations), or export it as JSON. Every fødselsnummer, D-number and "
            "organisasjonsnummer in it is synthetic."
        ),
    )
    how = parser.add_mutually_exclusive_group()
    how.add_argument(
        "--json", action="store_true", help="print the population as JSON (one object)"
    )
    how.add_argument(
        "--output", metavar="FILE", default=None, help="write the population as JSON to FILE"
    )
    parser.set_defaults(func=population_command)


def population_command(args: argparse.Namespace) -> int:
    from tpn.fixtures import population

    if args.json:
        json.dump(population.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    if args.output is not None:
        try:
            population.export(args.output)
        except OSError as exc:
            return fail(
                "tpn population", f"cannot write {printable(args.output)}: {exc.strerror or exc}"
            )
        print(
            f"wrote {len(population.personas())} personas, "
            f"{len(population.organisations(inactive=True))} organisations and "
            f"{len(population.municipalities())} municipalities to {printable(args.output)}"
        )
        return 0
    print(summary())
    return 0


def summary() -> str:
    """A few lines for people: the counts, and who lives where."""
    from tpn.fixtures import population

    everyone = population.personas()
    families = population.families()
    people = Counter(p.address.kommunenummer for p in everyone)
    households = Counter(f.parents[0].address.kommunenummer for f in families)
    dnr = sum(p.dnr for p in everyone)
    lines = [
        "Synthetic test population (fødselsnummer month + 80: no real person's number)",
        f"  {len(population.municipalities())} municipalities, {len(everyone)} personas "
        f"({dnr} with D-number), {len(families)} families, "
        f"{len(population.organisations())} organisations "
        f"(and {len(population.organisations(inactive=True)) - len(population.organisations())} "
        "no longer active: bankrupt, being wound up, deleted)",
        "",
        f"  {'kommune':<22}{'personas':>9}{'families':>10}",
    ]
    for m in population.municipalities():
        name = f"{m.kommunenummer} {m.navn}"
        lines.append(f"  {name:<22}{people[m.kommunenummer]:>9}{households[m.kommunenummer]:>10}")
    lines += ["", "JSON: tpn population --json, or --output FILE"]
    return "\n".join(lines)
