"""The job the reference form engine is handed, read as hostile input.

The suite writes a job (``tpn_job`` 1, action ``deliver-form``) for each delivery it wants; its
format is the conformance machinery's (``tpn.conformance.client.job``), but the engine is a
client like any vendor's product and reads the JSON on its own: mocks know neither the harness
nor the suite. Everything is checked before anything is done, and every refusal is a
``JobError`` whose one-line message names the field and what is wrong with it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from tpn.fixtures.files import FileRefused, printable, read_regular

JOB_VERSION = 1
ACTION = "deliver-form"
MAX_JOB_BYTES = 1024 * 1024  # a job is a few hundred bytes; a MiB is no job
MAX_DEADLINE = 3600.0  # as the suite's own bound: a job not done in an hour is not coming
MAX_TEXT = 1000  # any one string of the job (a title, a URL, a password)
# The form's referanse, as the envelope's XSD allows it (KS skjema-XML "Referanse").
_REFERANSE = re.compile(r"[A-Za-z0-9._:\-]{1,64}")
_SKJEMA_ID = re.compile(r"[A-Z][A-Z0-9-]{1,63}")
_VERSJON = re.compile(r"[0-9]{1,4}\.[0-9]{1,4}")
_ORGNR = re.compile(r"[0-9]{9}")


class JobError(Exception):
    """A job that cannot be done as given; the message is one line naming the field."""


@dataclass(frozen=True)
class Service:
    """A service the job names: its URL and, for the archive, HTTP Basic credentials."""

    url: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)  # never in a log or a traceback


@dataclass(frozen=True)
class DeliveryJob:
    """One ``deliver-form`` job, checked."""

    id: str
    skjema_id: str
    versjon: str
    referanse: str
    tittel: str
    confidential: bool
    applicant: Literal["person", "organisation"]
    organisasjonsnummer: str | None
    building: bool
    document: Path
    archive: Service
    register: Service | None
    deadline_seconds: float


def _text(value: Any, where: str, *, empty: bool = False) -> str:
    if not isinstance(value, str):
        raise JobError(f"{where} must be a string, not {_kind(value)}")
    if len(value) > MAX_TEXT:
        raise JobError(f"{where} is longer than {MAX_TEXT} characters")
    if not empty and not value.strip():
        raise JobError(f"{where} must not be empty")
    if not value.isprintable():
        raise JobError(f"{where} holds a control character")
    return value


def _kind(value: Any) -> str:
    return {dict: "an object", list: "an array", bool: "a boolean", type(None): "null"}.get(
        type(value), type(value).__name__
    )


def _object(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise JobError(f"{where} must be an object, not {_kind(value)}")
    return value


def _matching(value: Any, pattern: re.Pattern[str], where: str, shape: str) -> str:
    text = _text(value, where)
    if not pattern.fullmatch(text):
        raise JobError(f"{where} must be {shape}: {text[:80]!r}")
    return text


def _flag(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise JobError(f"{where} must be true or false, not {_kind(value)}")
    return value


def _url(value: Any, where: str) -> str:
    url = _text(value, where)
    if not re.fullmatch(r"https?://[^\s/?#]+[^\s]*", url):
        raise JobError(f"{where} must be an http or https URL: {url[:80]!r}")
    return url


def _service(raw: Any, where: str) -> Service:
    obj = _object(raw, where)
    user = obj.get("user")
    password = obj.get("password")
    if user is not None:
        user = _text(user, f"{where}.user")
        if ":" in user:
            raise JobError(f"{where}.user must not contain ':' (HTTP Basic)")
    if password is not None:
        password = _text(password, f"{where}.password", empty=True)
    if (user is None) != (password is None):
        raise JobError(f"{where} needs both user and password, or neither")
    return Service(_url(obj.get("url"), f"{where}.url"), user, password)


def parse_job(data: bytes) -> DeliveryJob:
    """The job in ``data`` (UTF-8 JSON), checked; ``JobError`` says what is wrong."""
    if len(data) > MAX_JOB_BYTES:
        raise JobError(f"the job is larger than {MAX_JOB_BYTES} bytes")
    try:
        raw = json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    except UnicodeDecodeError as exc:
        raise JobError(f"the job is not UTF-8 (byte {exc.start})") from None
    except (ValueError, RecursionError) as exc:
        raise JobError(f"the job is not JSON: {str(exc)[:200]}") from None
    job = _object(raw, "the job")
    version = job.get("tpn_job")
    if version != JOB_VERSION or isinstance(version, bool):
        raise JobError(
            f"tpn_job must be {JOB_VERSION} (this engine reads version 1), not {version!r}"[:200]
        )
    action = job.get("action")
    if action != ACTION:
        raise JobError(f"action must be {ACTION!r}, not {str(action)[:80]!r}")
    job_id = _text(job.get("id", "job"), "id")
    inputs = _object(job.get("inputs"), "inputs")
    applicant = inputs.get("applicant")
    if applicant not in ("person", "organisation"):
        raise JobError(
            f"inputs.applicant must be 'person' or 'organisation', not {str(applicant)[:40]!r}"
        )
    orgnr = None
    if applicant == "organisation":
        orgnr = _matching(
            inputs.get("organisasjonsnummer"), _ORGNR, "inputs.organisasjonsnummer", "9 digits"
        )
    files = _object(job.get("files"), "files")
    document = Path(_text(files.get("document"), "files.document"))
    if not document.is_absolute():
        raise JobError(f"files.document must be an absolute path: {str(document)[:200]!r}")
    services = _object(job.get("services"), "services")
    register = None
    if applicant == "organisation" or services.get("register") is not None:
        register = _service(services.get("register"), "services.register")
    deadline = job.get("deadline_seconds", 120)
    if isinstance(deadline, bool) or not isinstance(deadline, int | float):
        raise JobError(f"deadline_seconds must be a number, not {_kind(deadline)}")
    if not (math.isfinite(deadline) and 0 < deadline <= MAX_DEADLINE):
        raise JobError(f"deadline_seconds must be more than 0 and at most {MAX_DEADLINE:g}")
    return DeliveryJob(
        id=job_id,
        skjema_id=_matching(inputs.get("skjemaId"), _SKJEMA_ID, "inputs.skjemaId", "a form id"),
        versjon=_matching(inputs.get("versjon"), _VERSJON, "inputs.versjon", "a version like 1.0"),
        referanse=_matching(
            inputs.get("referanse"),
            _REFERANSE,
            "inputs.referanse",
            "1 to 64 of A-Z a-z 0-9 . _ : -",
        ),
        tittel=_text(inputs.get("tittel"), "inputs.tittel"),
        confidential=_flag(inputs.get("confidential"), "inputs.confidential"),
        applicant=applicant,
        organisasjonsnummer=orgnr,
        building=_flag(inputs.get("building", False), "inputs.building"),
        document=document,
        archive=_service(services.get("archive"), "services.archive"),
        register=register,
        deadline_seconds=float(deadline),
    )


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def read_job(path: str | Path) -> DeliveryJob:
    """The job in the file ``path``: a regular file of at most ``MAX_JOB_BYTES``."""
    try:
        data = read_regular(path, MAX_JOB_BYTES, what="job file")
    except FileRefused as exc:
        raise JobError(str(exc)) from None
    try:
        return parse_job(data)
    except JobError as exc:
        raise JobError(f"{printable(str(path))}: {exc}") from None


def read_document(job: DeliveryJob, limit: int) -> bytes:
    """The job's form document: a regular file of at most ``limit`` bytes."""
    try:
        return read_regular(job.document, limit, what="files.document")
    except FileRefused as exc:
        raise JobError(str(exc)) from None
