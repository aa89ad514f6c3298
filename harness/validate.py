"""``tpn validate``: KS skjema-XML documents against their form's XSD and the business rules.

Files are validated as one batch, in a fixed order (each folder's ``*.xml`` sorted by path), so
that KSX-REF-001 (a referanse used twice) always blames the same document: the first keeps it.
Files are read one at a time, and only regular files within ``limits.VALIDATE_FILE``: a FIFO,
a device or a symlink to one, named or found in a folder, is refused with one line of its own
(exit 2), and so is a larger file, unread. Output is written a batch of lines at a time: the
command keeps pace with the validator on tens of thousands of documents. In text output every
file name and finding is escaped (``printable``): a crafted file name or document cannot forge
a result line or reach the terminal raw.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from fnmatch import fnmatch
from typing import TYPE_CHECKING, Any

from tpn.fixtures.files import FileRefused, printable, read_regular, regular_size
from tpn.harness import limits
from tpn.harness.errors import fail

if TYPE_CHECKING:
    from tpn.conformance.ksxml.findings import Verdict

PROG = "tpn validate"
# Beyond this many documents a terminal gets a progress bar (on stderr, never on stdout).
PROGRESS_FROM = 200
_BATCH = 256  # documents per write to stdout (and per step of the progress bar)


class UsageError(Exception):
    """A path that names no document: exit 2, before anything is validated."""


def add_parsers(sub: Any) -> None:
    parser = sub.add_parser(
        "validate",
        help="validate KS skjema-XML form documents (files or folders)",
        description=(
            "Validate KS skjema-XML form documents against their form's XSD and the business "
            "rules of the standard, as one batch: a referanse used by an earlier document "
            "fails KSX-REF-001. Folders are searched recursively for *.xml, in path order. "
            "Exit 0 if every document is valid, 1 if any is invalid, 2 on a usage error or a "
            "file that cannot be read. Only regular files of at most "
            f"{limits.VALIDATE_FILE // limits.MIB} MiB are read."
        ),
    )
    parser.add_argument(
        "paths", nargs="+", metavar="PATH", help="a form document, or a folder of them"
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object: the verdict on each document, and a summary",
    )
    parser.add_argument(
        "--synthetic-only",
        action="store_true",
        help="refuse real-format person numbers (KSX-ID-003), as anything that stores data "
        "in a shared sandbox should",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="leave valid documents out of the listing (the summary still counts them)",
    )
    parser.set_defaults(func=validate_command)


# -- which files


def collect(paths: Sequence[str]) -> list[str]:
    """The files to validate, in order: each PATH as given, a folder's *.xml sorted by path.

    A file named twice (or also found in a named folder) is validated once, where it first
    appears; otherwise KSX-REF-001 would pass it, since a document may repeat itself. A named
    path that is neither a folder nor a regular file within the limit is refused
    (``FileRefused``) before anything is read.
    """
    files: list[str] = []
    seen: set[str] = set()
    for path in paths:
        if os.path.isdir(path):
            found = _xml_files(path)
            if not found:
                raise UsageError(f"no .xml files in folder {printable(path)}")
        elif os.path.exists(path):
            regular_size(path, limits.VALIDATE_FILE, what="document")
            found = [path]
        else:
            raise UsageError(f"no such file or folder: {printable(path)}")
        for file in found:
            key = os.path.abspath(file)
            if key not in seen:
                seen.add(key)
                files.append(file)
    return files


def _xml_files(folder: str) -> list[str]:
    problems: list[OSError] = []
    found: list[tuple[tuple[str, ...], str]] = []
    for top, _dirs, names in os.walk(folder, onerror=problems.append):
        relative = os.path.relpath(top, folder)
        parts = () if relative == os.curdir else tuple(relative.split(os.sep))
        for name in names:
            # A FIFO, device or link to one is kept: reading refuses it, with a line of its own.
            if fnmatch(name, "*.xml"):
                # fnmatch as pathlib's glob: case-sensitive but on Windows.
                found.append(((*parts, name), os.path.join(top, name)))
    if problems:
        exc = problems[0]
        name = printable(os.fsdecode(exc.filename)) if exc.filename else printable(folder)
        raise UsageError(f"cannot read folder {name}: {exc.strerror or exc}")
    # By path components, so that a folder's files stay together ("a/b.xml" before "a-c.xml").
    found.sort()
    return [path for _, path in found]


# -- the batch


class Tally:
    """Counts of a run: documents, the invalid ones, findings by rule."""

    def __init__(self) -> None:
        self.documents = 0
        self.invalid = 0
        self.by_rule: Counter[str] = Counter()

    def add(self, verdict: Verdict) -> None:
        self.documents += 1
        if not verdict.valid:
            self.invalid += 1
            self.by_rule.update(f.rule for f in verdict.findings)

    @property
    def valid(self) -> int:
        return self.documents - self.invalid

    def rules(self) -> list[tuple[str, int]]:
        """Rule ids by number of findings, most first (then by id)."""
        return sorted(self.by_rule.items(), key=lambda item: (-item[1], item[0]))

    def line(self) -> str:
        """``N documents: V valid, I invalid``, and the findings by rule when there are any."""
        noun = "document" if self.documents == 1 else "documents"
        text = f"{self.documents} {noun}: {self.valid} valid, {self.invalid} invalid"
        if self.by_rule:
            text += " (" + ", ".join(f"{rule} ×{n}" for rule, n in self.rules()) + ")"
        return text

    def to_json(self) -> dict[str, object]:
        return {
            "documents": self.documents,
            "valid": self.valid,
            "invalid": self.invalid,
            "by_rule": dict(self.rules()),
        }


Evidence = dict[str, tuple[int, str]]


def _read(
    files: Sequence[str], limit: int, unreadable: list[str], evidence: Evidence
) -> Iterator[tuple[str, bytes]]:
    """Each file's bytes, one file at a time; at most ``limit`` + 1 of them go to the
    validator, which refuses an over-size document by that alone. Such a document's true size
    and SHA-256 go into ``evidence``: what its verdict names must match the file a third party
    holds."""
    for path in files:
        try:
            os.stat(path)  # a vanished file or broken link keeps its long-standing message
        except OSError as exc:
            unreadable.append(f"cannot read {printable(path)}: {exc.strerror or exc}")
            continue
        try:
            data = read_regular(path, limits.VALIDATE_FILE, what="document")
        except FileRefused as exc:
            unreadable.append(str(exc))
            continue
        if len(data) > limit:
            evidence[path] = (len(data), hashlib.sha256(data).hexdigest())
            data = data[: limit + 1]
        yield path, data


def _whole(verdicts: Iterator[Verdict], evidence: Evidence) -> Iterator[Verdict]:
    """Verdicts with an over-size file's true size and SHA-256 (only its start was validated)."""
    for verdict in verdicts:
        if verdict.source in evidence:
            size, sha256 = evidence.pop(verdict.source)
            verdict = dataclasses.replace(verdict, size=size, sha256=sha256)
        yield verdict


def text_lines(verdict: Verdict, *, quiet: bool) -> str:
    """What the listing says about one document (``""`` for a valid one under --quiet)."""
    source = printable(verdict.source)
    if verdict.valid:
        return "" if quiet else f"{source}: valid\n"
    n = len(verdict.findings)
    head = f"{source}: invalid ({n} finding{'' if n == 1 else 's'})\n"
    # A finding may quote the document (a referanse, an element's text): escaped too.
    findings = (
        dataclasses.replace(f, message=printable(f.message), path=printable(f.path))
        for f in verdict.findings
    )
    return head + "".join(f"  {f.text(source)}\n" for f in findings)


def json_item(verdict: Verdict, *, quiet: bool) -> str:
    if quiet and verdict.valid:
        return ""
    return json.dumps(verdict.to_json(), ensure_ascii=False)


def validate_command(args: argparse.Namespace) -> int:
    # Deferred: lxml and the compiled schemas are for this command only.
    from tpn.conformance.ksxml.validator import Validator

    try:
        files = collect(args.paths)
    except UsageError as exc:
        fail(PROG, str(exc))
        return 2
    validator = Validator(synthetic_only=args.synthetic_only)
    unreadable: list[str] = []
    evidence: Evidence = {}
    tally = Tally()
    verdicts = _whole(
        validator.run(_read(files, validator.max_bytes, unreadable, evidence)), evidence
    )
    # A reader that goes away (`tpn validate DIR | head`) is tpn.harness.errors.run's to end.
    with _progress(len(files)) as advance:
        if args.json:
            _write_json(verdicts, tally, quiet=args.quiet, advance=advance)
        else:
            _write_text(verdicts, tally, quiet=args.quiet, advance=advance)
    for problem in unreadable:
        fail(PROG, problem)
    if unreadable:
        return 2
    return 1 if tally.invalid else 0


Advance = Callable[[int], None]


def _write_text(
    verdicts: Iterator[Verdict], tally: Tally, *, quiet: bool, advance: Advance
) -> None:
    chunk: list[str] = []
    for verdict in verdicts:
        tally.add(verdict)
        chunk.append(text_lines(verdict, quiet=quiet))
        if len(chunk) == _BATCH:
            sys.stdout.write("".join(chunk))  # looked up each time: the progress bar may swap it
            chunk.clear()
            advance(_BATCH)
    chunk.append(tally.line() + "\n")
    sys.stdout.write("".join(chunk))
    sys.stdout.flush()


def _write_json(
    verdicts: Iterator[Verdict], tally: Tally, *, quiet: bool, advance: Advance
) -> None:
    """One JSON object, written as it goes: a document a line, then the summary."""
    sys.stdout.write('{"documents": [')
    chunk: list[str] = []
    first = True
    for count, verdict in enumerate(verdicts, 1):
        tally.add(verdict)
        item = json_item(verdict, quiet=quiet)
        if item:
            chunk.append(("\n  " if first else ",\n  ") + item)
            first = False
        if count % _BATCH == 0:
            sys.stdout.write("".join(chunk))
            chunk.clear()
            advance(_BATCH)
    chunk.append("\n" if not first else "")
    summary = json.dumps(tally.to_json(), ensure_ascii=False)
    chunk.append(f'], "summary": {summary}}}\n')
    sys.stdout.write("".join(chunk))
    sys.stdout.flush()


def _progress(total: int) -> AbstractContextManager[Advance]:
    """A progress bar on stderr for a long run at a terminal; else a no-op."""
    if total <= PROGRESS_FROM or not sys.stderr.isatty():
        return nullcontext(lambda _n: None)
    return _Bar(total)


class _Bar(AbstractContextManager[Advance]):
    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.progress = Progress(
            TextColumn("validating"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
            # Rich would route stdout through its stderr console: only when both are the
            # terminal is that the same place (and keeps the listing above the bar).
            redirect_stdout=sys.stdout.isatty(),
            redirect_stderr=False,
        )
        self.task = self.progress.add_task("validate", total=total)

    def __enter__(self) -> Advance:
        self.progress.__enter__()
        return lambda n: self.progress.advance(self.task, n)

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()
