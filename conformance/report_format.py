"""What makes a folder a tpn report: the format ``report.json`` names, and the results a
requirement can have. Kept apart from ``report`` and ``results`` (which bring the suites, their
HTTP clients and the HTML templates with them) so that checking a report, and ``tpn``'s own
start, need none of that: ``tpn serve`` forks its workers from the process that parsed the
command line, and each worker held every module that process had loaded."""

from __future__ import annotations

FORMAT = "tpn-report/1"
RESULTS = ("passed", "failed", "not_applicable", "waived", "not_run")
