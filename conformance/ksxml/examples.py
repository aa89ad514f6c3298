"""The fixtures' example documents: per form a valid one and an invalid one per rule it can break.

Layout under ``fixtures/standards/ksxml/examples/<skjemaId>/``:

- ``valid.xml``: every optional part filled in;
- ``invalid/NN-<rule>.xml``: the valid example with one single-rule mutation, its rule named in
  a leading ``<!-- breaks: KSX-… (what) -->``; each has its own referanse, so that a folder of
  them breaks KSX-REF-001 only where it is meant to;
- ``invalid/NN-KSX-REF-001/``: a pair, ``1-first.xml`` (valid) and ``2-resent.xml`` (breaks
  KSX-REF-001: it reuses the first one's referanse).

The KSX-ID-003 example breaks its rule only where synthetic numbers alone are accepted
(``tpn validate --synthetic-only``). ``python -m tpn.conformance.ksxml.examples --write DIR``
regenerates them into a source checkout (the project's tests check they are up to date).
"""

from __future__ import annotations

import argparse
import sys
import uuid
from collections.abc import Mapping
from pathlib import Path

from tpn.conformance.ksxml import generate, mutations
from tpn.conformance.ksxml.generate import Document, RandomChooser
from tpn.conformance.ksxml.model import Form, forms

EXAMPLE_SEED = 2007
# Which variant of a rule's mutation the examples show (by the chooser's seed): the clearest.
_SEEDS: Mapping[str, int] = {"KSX-XML-002": 3}


def _fresh_referanse(doc: Document, salt: str) -> Document:
    copy = doc.copy()
    el = copy.find("Metadata/referanse")
    assert el is not None
    el.text = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{doc.form.namespace}#{salt}"))
    return copy


def _heading(f: Form, what: str) -> bytes:
    return f"<!-- {f.id} {f.version} ({f.title}): {what}; synthetic persons only -->\n".encode()


def _with_heading(data: bytes, heading: bytes) -> bytes:
    decl, nl, rest = data.partition(b"\n")
    return decl + nl + heading + rest


def for_form(f: Form) -> dict[str, bytes]:
    """The example files of one form, by path relative to its folder."""
    valid = generate.example(f, EXAMPLE_SEED)
    files = {"valid.xml": _with_heading(valid.to_bytes(), _heading(f, "a valid example"))}
    number = 0
    for rule in mutations.MUTATORS:
        base = _fresh_referanse(valid, rule)
        mutated = mutations.mutate(base, rule, RandomChooser(_SEEDS.get(rule, EXAMPLE_SEED)))
        if mutated is None:
            continue
        number += 1
        files[f"invalid/{number:02d}-{rule}.xml"] = mutated.annotated()
    number += 1
    first = _fresh_referanse(valid, "first")
    second = _fresh_referanse(
        generate.document(f, RandomChooser(EXAMPLE_SEED + 1, complete=True)), "second"
    )
    folder = f"invalid/{number:02d}-KSX-REF-001"
    files[f"{folder}/1-first.xml"] = _with_heading(
        first.to_bytes(), _heading(f, "valid on its own; 2-resent.xml reuses its referanse")
    )
    files[f"{folder}/2-resent.xml"] = mutations.reused_reference(first, second).annotated()
    return files


def generated() -> dict[str, bytes]:
    """Every example file, by path relative to the examples folder."""
    return {f"{f.id}/{name}": data for f in forms() for name, data in for_form(f).items()}


def breaks(data: bytes) -> str | None:
    """The rule an example's leading comment says it breaks, if any."""
    head = data[:400].decode("utf-8", errors="replace")
    marker = "<!-- breaks: "
    at = head.find(marker)
    if at < 0:
        return None
    return head[at + len(marker) :].split()[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tpn.conformance.ksxml.examples")
    parser.add_argument(
        "--write",
        type=Path,
        required=True,
        metavar="DIR",
        help="the examples folder (fixtures/standards/ksxml/examples)",
    )
    args = parser.parse_args(argv)
    files = generated()
    for name, data in files.items():
        target = args.write / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    stale = [p for p in args.write.rglob("*.xml") if str(p.relative_to(args.write)) not in files]
    for path in stale:
        path.unlink()
    print(
        f"wrote {len(files)} examples into {args.write} (removed {len(stale)} stale)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
