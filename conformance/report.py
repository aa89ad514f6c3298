"""report.json and report.html of a run (junit.xml is pytest's own, with requirement properties).

report.json is what a certificate signs (``tpn.harness.certificate``): everything a reader needs
to judge the run without the harness. report.html is the same, for a person: a summary per
level, then every requirement with its tests, and each failure with the exchange that decided it.

Everything written passes through the run's redactor first (the plugin redacts junit.xml before
its hash is taken here), and each file is written whole or not at all: a full disk leaves no
half report.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

import jinja2

from tpn.conformance.report_format import FORMAT
from tpn.conformance.results import RequirementResult, Run


def _version() -> str:
    try:
        return metadata.version("tpn-harness")
    except metadata.PackageNotFoundError:
        return "unknown"


def _requirement(r: RequirementResult) -> dict[str, Any]:
    deciding = r.deciding
    return {
        "id": r.requirement.id,
        "level": r.requirement.level,
        "statement": r.requirement.statement,
        "clause": r.requirement.clause,
        "result": r.result,
        "reason": r.reason,
        "tests": [
            {
                "nodeid": t.nodeid,
                "outcome": t.outcome,
                "duration_s": round(t.duration, 4),
                "reason": t.reason,
            }
            for t in r.tests
        ],
        "evidence": [e.to_dict() for e in deciding.evidence] if deciding else [],
    }


def build(run: Run, junit: Path | None = None) -> dict[str, Any]:
    results = run.requirement_results()
    counts = run.counts(results)
    levels = {}
    for level in {r.requirement.level for r in results}:
        levels[level] = run.counts([r for r in results if r.requirement.level == level])
    catalogue = run.profile.catalogue
    artefacts: dict[str, Any] = {}
    if junit is not None and junit.is_file():
        data = junit.read_bytes()
        artefacts[junit.name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    target = run.target
    return {
        "format": FORMAT,
        "suite": {
            "name": "tpn-harness",
            "version": _version(),
            "python": platform.python_version(),
        },
        "profile": run.profile.name,
        "standard": {"name": catalogue.standard, "version": catalogue.standard_version},
        "target": target.url if target else None,
        "reference": bool(target and target.reference),
        "reference_name": target.reference_name if target else None,
        "defects": list(target.defects) if target else [],
        "exclusive": bool(target and target.exclusive),
        "vendor": run.vendor,
        "product": run.product,
        "product_version": run.product_version,
        "level": run.level,
        "seed": run.seed,
        "examples": run.examples,
        "run_id": run.run_id,
        "arguments": run.arguments,
        "waivers": run.waivers,
        "suite_errors": run.suite_errors,
        # Why the run stopped before its end (the target misbehaved, a deadline passed): then
        # the result is incomplete, and tpn certify signs nothing.
        "stopped": run.stopped,
        "limits": {
            "request_timeout_s": run.guard.limits.request_timeout,
            "max_response_bytes": run.guard.limits.max_response,
            "run_timeout_s": run.guard.limits.run_timeout,
        },
        "started": run.started.isoformat(timespec="seconds"),
        "finished": run.finished.isoformat(timespec="seconds") if run.finished else None,
        "created": run.created,
        "summary": {**counts, "total": len(results), "result": run.verdict(results)},
        "levels": levels,
        "requirements": [_requirement(r) for r in results],
        "artefacts": artefacts,
        "attestation": None,
    }


_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("tpn.conformance", "templates"),
    autoescape=jinja2.select_autoescape(default=True),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _pretty_html(body: str) -> str:
    """An exchange's body indented and highlighted (XML evidence used to be one long line); the
    text is the redacted one, as in report.json, and anything not well-formed shows as it came."""
    # Imported here: with Pygments (and lxml) it made every `tpn` command about 4.5 MB bigger,
    # and each worker `tpn serve` forks about 3 MB; only a report's page uses it.
    from tpn.fixtures import pretty

    return pretty.pretty(body).html


_ENV.filters["pretty"] = _pretty_html


def render_html(report: dict[str, Any]) -> str:
    from tpn.fixtures import pretty  # here, not with the module: see _pretty_html

    return _ENV.get_template("report.html.j2").render(r=report, pretty_css=pretty.css())


def _write(path: Path, text: str) -> None:
    """Write ``path`` whole or not at all (a temporary file renamed into place)."""
    part = path.with_name(f".{path.name}.part")
    try:
        part.write_text(text, encoding="utf-8")
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def write_reports(run: Run, directory: Path, junit: Path | None = None) -> dict[str, Any]:
    """Write report.json and report.html, redacted; OSError if they cannot be."""
    directory.mkdir(parents=True, exist_ok=True)
    # Redacted as data, every string: a pass over the written text as well would also match
    # inside numbers and markup (a password "1" turned `"passed": 12` into broken JSON), and
    # what is written holds nothing but this data, serialised or escaped.
    report = run.redactor.data(build(run, junit if junit and junit.name else None))
    text = json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    html = render_html(report)
    _write(directory / "report.json", text)
    _write(directory / "report.html", html)
    return report
