"""What a report folder's signature covers, and whether each covered file is unchanged.

``report.json`` is signed directly (``report.json.sig``). Every other file of a certificate is
covered through it: ``report.json`` records the sha256 and size of each under ``artefacts``.
``junit.xml`` is recorded by the run (``tpn.conformance.report``); ``report.html`` is recorded
when the report is signed (``record_html``), so that a certificate has no file a reader could
change unnoticed. A certificate signed before that lists no ``report.html``: it still verifies,
and verifying says that the page is not covered. Any other file in the folder is covered by
nothing, and verifying names it.

Every file is read through ``read_regular``: a covered name that is a FIFO, a device or a
symlink to one is a problem of the folder, never a hang; an uncovered one is never opened.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from tpn.fixtures.files import FileRefused, printable, read_regular
from tpn.harness import limits

REPORT = "report.json"
SIGNATURE = "report.json.sig"
HTML = "report.html"
# Of the uncovered files, this many are named; the rest are counted.
SHOWN_UNCOVERED = 10


def read(path: Path, limit: int, what: str) -> bytes | None:
    """``path``'s bytes, None if it is not there (a broken symlink included), else
    ``FileRefused`` for what is not a regular file within ``limit``."""
    try:
        return read_regular(path, limit, what=what)
    except FileRefused:
        if not path.exists():
            return None
        raise


def digest(data: bytes) -> dict[str, Any]:
    """An artefact's record, as ``report.json`` holds it."""
    return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def record_html(report_dir: Path, report: dict[str, Any]) -> None:
    """Add ``report.html``'s record to ``report``'s artefacts, if the page is there and the
    run did not record it already. Raises ``FileRefused`` for a page that is no regular file."""
    artefacts = report.get("artefacts")
    if not isinstance(artefacts, dict) or HTML in artefacts:
        return
    data = read(report_dir / HTML, limits.REPORT_FILE, "report page")
    if data is not None:
        artefacts[HTML] = digest(data)


def _usable_name(name: str) -> bool:
    relative = Path(name)
    return bool(name) and not relative.is_absolute() and ".." not in relative.parts


def covered(report: dict[str, Any]) -> list[str]:
    """The files the signature covers, by the (possibly tampered) report: ``report.json``
    itself, then each recorded artefact that names a file inside the folder."""
    artefacts = report.get("artefacts")
    names = [n for n in artefacts if _usable_name(n)] if isinstance(artefacts, dict) else []
    return [REPORT, *names]


def check(report_dir: Path, report: dict[str, Any]) -> list[str]:
    """A problem for each recorded artefact that is missing, unreadable or changed."""
    artefacts = report.get("artefacts")
    if not isinstance(artefacts, dict):
        return [f"{REPORT} has no artefacts object"]
    problems: list[str] = []
    for name, recorded in artefacts.items():
        if not _usable_name(name):
            problems.append(f"the artefact {name!r} lies outside the report folder")
            continue
        shown = printable(name)
        if not (
            isinstance(recorded, dict)
            and isinstance(recorded.get("sha256"), str)
            and _int(recorded.get("size")) is not None
        ):
            problems.append(f"the artefact {shown} has no sha256 and size recorded")
            continue
        data = read(report_dir / name, limits.REPORT_FILE, "artefact")  # FileRefused: not judged
        if data is None:
            problems.append(f"{shown} is missing")
            continue
        found = digest(data)
        if (found["sha256"], found["size"]) != (recorded["sha256"].lower(), recorded["size"]):
            problems.append(
                f"{shown} was changed after the run: it has {found['size']} bytes and sha256 "
                f"{found['sha256']}, {REPORT} records {recorded['size']} bytes and sha256 "
                f"{printable(recorded['sha256'])}"
            )
    return problems


def uncovered(report_dir: Path, report: dict[str, Any]) -> list[str]:
    """The folder's files (relative, ``/``-separated, sorted) that nothing covers. Nothing is
    opened: a FIFO or device here is only named. Symlinked folders are not followed."""
    known = {SIGNATURE, *covered(report)}
    found: list[str] = []
    for top, dirs, files in os.walk(report_dir, followlinks=False):
        relative = Path(top).relative_to(report_dir)
        linked = [d for d in dirs if os.path.islink(os.path.join(top, d))]
        for name in (*files, *linked):
            path = (relative / name).as_posix()
            if path not in known:
                found.append(path)
    return sorted(found)


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def describe(covered_files: list[str], uncovered_files: list[str]) -> list[str]:
    """The lines ``tpn report verify`` prints about coverage."""
    signed, *through = (printable(n) for n in covered_files)
    text = f"{signed} (signed)"
    if through:
        text += f"; {', '.join(through)} (by their sha256 in {REPORT})"
    lines = [f"  covers     {text}"]
    if uncovered_files:
        shown = [printable(n) for n in uncovered_files[:SHOWN_UNCOVERED]]
        more = len(uncovered_files) - len(shown)
        listing = ", ".join(shown) + (f" and {more} more" if more else "")
        lines.append(f"  uncovered  {listing}: nothing vouches for these")
    if HTML in uncovered_files:
        lines.append(
            f"  note       {HTML} is not covered: the report was signed before tpn recorded the "
            f"page's hash; trust {REPORT}, not the page"
        )
    return lines
