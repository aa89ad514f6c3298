"""``tpn forms``: the 15 KS skjema-XML forms for people and programs.

    tpn forms list [--json]
    tpn forms generate --out DIR [--form ID]... [--count N] [--seed N] [--break RULE]
    tpn forms export --out DIR

``generate`` writes valid documents made from the synthetic population (or, with ``--break``,
documents that each break exactly that rule), the same every time for one seed; ``export``
writes the schemas, the data-element catalogue and the examples, for a vendor's own tooling.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

from tpn.fixtures.files import printable
from tpn.harness.errors import fail


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= 100_000:
        raise argparse.ArgumentTypeError(f"--count is 1 to 100000, got {value}")
    return value


def add_parsers(sub: Any) -> None:
    parser = sub.add_parser(
        "forms",
        help="the 15 KS skjema-XML forms: list, generate documents, export the schemas",
        description="The 15 prioritised KS skjema-XML forms (shared/standards/ks-skjema-xml.md).",
    )
    forms_sub = parser.add_subparsers(dest="forms_command", required=True, metavar="COMMAND")
    listing = forms_sub.add_parser("list", help="the forms: skjemaId, level, applicant, title")
    listing.add_argument("--json", action="store_true", help="print them as JSON")
    listing.set_defaults(func=list_command)

    gen = forms_sub.add_parser(
        "generate",
        help="write generated documents (valid, or each breaking one rule) into a folder",
    )
    gen.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder to write")
    gen.add_argument(
        "--form",
        action="append",
        default=[],
        metavar="ID",
        help="a skjemaId (repeatable; default: all 15)",
    )
    gen.add_argument("--count", type=_count, default=1, help="documents per form (default 1)")
    gen.add_argument("--seed", type=int, default=2007, help="seed (default 2007)")
    gen.add_argument(
        "--break",
        dest="rule",
        metavar="RULE",
        help="make each document break exactly this KSX rule (the form-xml requirement ids, e.g. KSX-ID-001)",
    )
    gen.set_defaults(func=generate_command)

    export = forms_sub.add_parser(
        "export", help="write the XSDs, the data-element catalogue and the examples"
    )
    export.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder to write")
    export.set_defaults(func=export_command)


def list_command(args: argparse.Namespace) -> int:
    from tpn.conformance.ksxml.model import forms

    rows = [
        {
            "skjemaId": f.id,
            "version": f.version,
            "namespace": f.namespace,
            "title": f.title,
            "title_en": f.title_en,
            "applicant": f.applicant,
            "confidential": f.confidential,
            "level": f.level,
        }
        for f in forms()
    ]
    if args.json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    for r in rows:
        secret = "confidential" if r["confidential"] else "open"
        print(
            f"{r['skjemaId']:<22} {r['version']}  level {r['level']}  "
            f"{r['applicant']:<12} {secret:<12} {r['title']}"
        )
    return 0


def _fail(message: str) -> int:
    return fail("tpn forms", message)


def generate_command(args: argparse.Namespace) -> int:
    from tpn.conformance.ksxml import generate, mutations
    from tpn.conformance.ksxml.model import form, forms

    try:
        chosen = [form(i) for i in args.form] if args.form else list(forms())
    except KeyError as exc:
        return _fail(str(exc.args[0]))
    rule = args.rule
    if rule is not None and rule not in mutations.MUTATORS:
        return _fail(
            f"--break {rule!r}: choose one of {', '.join(mutations.MUTATORS)} "
            "(KSX-REF-001 needs two documents)"
        )
    if rule is not None:
        chosen = [f for f in chosen if mutations.possible(f, rule)]
        if not chosen:
            return _fail(f"none of the chosen forms can break {rule}")
    chooser = generate.RandomChooser(args.seed)
    written = 0
    try:
        for f in chosen:
            folder = args.out / f.id
            folder.mkdir(parents=True, exist_ok=True)
            for n in range(1, args.count + 1):
                doc = generate.document(f, chooser)
                data = doc.to_bytes()
                if rule is not None:
                    # An optional group may be missing (an Eiendom): draw until one has it.
                    for _ in range(100):
                        mutated = mutations.mutate(doc, rule, chooser)
                        if mutated is not None:
                            data = mutated.annotated()
                            break
                        doc = generate.document(f, chooser)
                (folder / f"{n:05d}.xml").write_bytes(data)
                written += 1
    except OSError as exc:
        return _fail(f"cannot write into {printable(str(args.out))}: {exc.strerror or exc}")
    kind = f"breaking {rule}" if rule else "valid"
    print(
        f"wrote {written} {kind} documents of {len(chosen)} forms into {printable(str(args.out))}"
    )
    return 0


def export_command(args: argparse.Namespace) -> int:
    from importlib import resources

    source = resources.files("tpn.fixtures").joinpath("standards", "ksxml")
    try:
        with resources.as_file(source) as folder:
            shutil.copytree(folder, args.out, dirs_exist_ok=True)
    except OSError as exc:
        return _fail(f"cannot write into {printable(str(args.out))}: {exc.strerror or exc}")
    count = sum(1 for p in args.out.rglob("*") if p.is_file())
    print(f"wrote {count} files (XSDs, catalogues, examples) into {printable(str(args.out))}")
    return 0
