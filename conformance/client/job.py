"""The job: what the suite asks a product to do, as one versioned JSON document.

A job is written to a file for ``--engine-cmd`` and ``--manual`` and POSTed as the body for
``--engine-webhook``; all three see the same document::

    {
      "tpn_job": 1,                      # the format's version; a product refuses others
      "id": "deliver-0003",              # unique within the run
      "run": "20261204-1530-7f3a",       # the run's id
      "action": "deliver-form",          # what to do; each client profile names its own
      "inputs": {...},                   # the action's data (e.g. the form's skjemaId)
      "files": {"document": "/abs/..."}, # files the action needs, absolute paths
      "services": {                      # where to do it: the harness's mocks
        "archive": {"url": "http://127.0.0.1:8086/noark4ws",
                    "user": "tpn", "password": "..."}
      },
      "deadline_seconds": 120            # how long the suite waits for the product
    }

Version 1 is the first; a later version adds fields without changing these, and raises
``tpn_job`` only when it must change one. ``placeholders`` flattens a job for the command
template: ``{job}`` (the job file), ``{id}``, ``{action}``, ``{run}``, ``{inputs.NAME}``,
``{files.NAME}``, ``{services.NAME.url}`` (``.user``, ``.password``), and the short names a
profile adds (the form-delivery profile's ``{document}``, ``{archive_url}``...).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

JOB_VERSION = 1
MAX_DEADLINE = 3600.0  # seconds: a job the product has not done in an hour is not coming


@dataclass(frozen=True)
class Service:
    """A mock the product is to use, with the credentials it asks for."""

    url: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)  # never in a traceback or a log

    def to_json(self) -> dict[str, str]:
        out = {"url": self.url}
        if self.user is not None:
            out["user"] = self.user
        if self.password is not None:
            out["password"] = self.password
        return out


@dataclass(frozen=True)
class Job:
    """One thing the suite asks the product to do (see the module's text for the format)."""

    id: str
    run: str
    action: str
    inputs: Mapping[str, Any] = field(default_factory=dict)
    files: Mapping[str, Path] = field(default_factory=dict)
    services: Mapping[str, Service] = field(default_factory=dict)
    deadline_seconds: float = 120.0
    # Short names for the command template, beside the systematic ones (profile's choice).
    aliases: Mapping[str, str] = field(default_factory=dict)
    # What a person does with it under --manual, in one paragraph (profile's words).
    instructions: str = ""

    def __post_init__(self) -> None:
        if not self.id or not all(c.isalnum() or c in "-_." for c in self.id):
            raise ValueError(f"a job id is letters, digits, '-', '_' and '.': {self.id!r}")
        if not 0 < self.deadline_seconds <= MAX_DEADLINE:
            raise ValueError(f"deadline_seconds must be in (0, {MAX_DEADLINE:g}]")
        for name, path in self.files.items():
            if not Path(path).is_absolute():
                raise ValueError(f"files.{name} must be an absolute path: {path}")

    def to_json(self) -> dict[str, Any]:
        return {
            "tpn_job": JOB_VERSION,
            "id": self.id,
            "run": self.run,
            "action": self.action,
            "inputs": dict(self.inputs),
            "files": {k: str(v) for k, v in self.files.items()},
            "services": {k: s.to_json() for k, s in self.services.items()},
            "deadline_seconds": self.deadline_seconds,
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, indent=2, sort_keys=False) + "\n"

    def write(self, folder: Path) -> Path:
        """Write the job as ``<folder>/<id>.json``; returns the path."""
        path = folder / f"{self.id}.json"
        path.write_text(self.dumps(), encoding="utf-8")
        return path

    def placeholders(self, job_file: Path | None = None) -> dict[str, str]:
        """Every name the command template may use, and its value."""
        names: dict[str, str] = {"id": self.id, "run": self.run, "action": self.action}
        if job_file is not None:
            names["job"] = str(job_file)
        for key, value in self.inputs.items():
            if isinstance(value, str | int | float | bool):
                names[f"inputs.{key}"] = str(value)
        for key, path in self.files.items():
            names[f"files.{key}"] = str(path)
        for key, service in self.services.items():
            for part, value in service.to_json().items():
                names[f"services.{key}.{part}"] = value
        for alias, target in self.aliases.items():
            names[alias] = names.get(target, target)
        return names


def placeholder_names(example: Job) -> list[str]:
    """The names a template may use for jobs shaped like ``example`` (for messages)."""
    return sorted(example.placeholders(Path("/job.json")))
