"""The job the reference MinSide client is handed, read as hostile input.

The suite writes a job (``tpn_job`` 1; actions ``register-service``, ``publish-receipt``,
``update-case-status``, see ``tpn.conformance.minsideclient.profile``); the client reads the JSON
on its own, as any vendor's product would: mocks know neither the harness nor the suite.
Everything is checked before anything is sent, and every refusal is a ``JobError`` whose
one-line message names the field and what is wrong with it. The client sends what the job
says; whether MinSide takes it is MinSide's to say.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tpn.fixtures.files import FileRefused, printable, read_regular

JOB_VERSION = 1
MAX_JOB_BYTES = 1024 * 1024
MAX_DEADLINE = 3600.0
MAX_TEXT = 4000  # any one string of the job
MAX_KVITTERING = 2 * 1024 * 1024  # MinSide's limit for one attachment
SERVICES = ("tjenestekatalog", "meldingsboks", "minesaker")
_SERVICE = {
    "tjenesteId": str,
    "kommunenummer": str,
    "eierOrgnr": str,
    "navn": str,
    "beskrivelse": str,
    "url": str,
    "sikkerhetsnivaa": int,
    "kategori": str,
    "skjemaId": str,
}
_CASE = {
    "referanse": str,
    "mottaker": str,
    "mottakerNavn": str,
    "avsenderOrgnr": str,
    "avsenderNavn": str,
    "saksnummer": str,
    "sakstittel": str,
    "lenke": str,
    "tjenesteId": str,
    "tjenesteUrl": str,
    "sikkerhetsnivaa": int,
    "status": str,
    "tidspunkt": str,
}
INPUTS: dict[str, dict[str, type]] = {
    "register-service": _SERVICE,
    "publish-receipt": _CASE,
    "update-case-status": _CASE,
}


class JobError(Exception):
    """A job that cannot be done as given; the message is one line naming the field."""


@dataclass(frozen=True)
class Service:
    url: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class ClientJob:
    """One job, checked: its inputs by name, the receipt's bytes, MinSide's endpoints."""

    id: str
    action: str
    inputs: Mapping[str, Any]
    services: Mapping[str, Service]
    deadline_seconds: float
    kvittering: bytes | None = field(default=None, repr=False)
    kvittering_name: str | None = None

    @property
    def tidspunkt(self) -> dt.datetime:
        return dt.datetime.fromisoformat(str(self.inputs["tidspunkt"]))


def _kind(value: Any) -> str:
    return type(value).__name__ if value is not None else "null"


def _object(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise JobError(f"{where} must be an object, not {_kind(value)}")
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value or len(value) > MAX_TEXT:
        raise JobError(f"{where} must be a text of 1 to {MAX_TEXT} characters")
    return value


def _service(raw: Any, where: str) -> Service:
    obj = _object(raw, where)
    url = _text(obj.get("url"), f"{where}.url")
    if urlsplit(url).scheme not in ("http", "https"):
        raise JobError(f"{where}.url must be an http or https URL: {url[:80]!r}")
    user, password = obj.get("user"), obj.get("password")
    if (user is None) != (password is None):
        raise JobError(f"{where} needs both user and password, or neither")
    if user is not None:
        user = _text(user, f"{where}.user")
        if ":" in user:
            raise JobError(f"{where}.user must not contain ':' (HTTP Basic)")
        password = _text(password, f"{where}.password")
    return Service(url, user, password)


def _inputs(action: str, raw: Any) -> dict[str, Any]:
    given = _object(raw, "inputs")
    out: dict[str, Any] = {}
    for name, kind in INPUTS[action].items():
        value = given.get(name)
        where = f"inputs.{name}"
        if kind is int:
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 100:
                raise JobError(f"{where} must be a small whole number, not {_kind(value)}")
            out[name] = value
        else:
            out[name] = _text(value, where)
    if "tidspunkt" in out:
        try:
            moment = dt.datetime.fromisoformat(out["tidspunkt"])
        except ValueError:
            raise JobError("inputs.tidspunkt must be an ISO 8601 time") from None
        if moment.tzinfo is None:
            raise JobError("inputs.tidspunkt must name its offset from UTC")
    return out


def parse_job(data: bytes) -> ClientJob:
    if len(data) > MAX_JOB_BYTES:
        raise JobError(f"the job is larger than {MAX_JOB_BYTES} bytes")
    try:
        raw = json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    except UnicodeDecodeError as exc:
        raise JobError(f"the job is not UTF-8 (byte {exc.start})") from None
    except (ValueError, RecursionError) as exc:
        raise JobError(f"the job is not JSON: {str(exc)[:200]}") from None
    job = _object(raw, "the job")
    if job.get("tpn_job") != JOB_VERSION or isinstance(job.get("tpn_job"), bool):
        raise JobError(f"tpn_job must be {JOB_VERSION}: this client reads version {JOB_VERSION}")
    job_id = _text(job.get("id"), "id")
    action = job.get("action")
    if action not in INPUTS:
        raise JobError(f"action must be one of {', '.join(INPUTS)}, not {str(action)[:80]!r}")
    raw_services = _object(job.get("services"), "services")
    services = {}
    for name in SERVICES:
        if name not in raw_services:
            raise JobError(f"services.{name} is missing")
        services[name] = _service(raw_services[name], f"services.{name}")
    deadline = job.get("deadline_seconds", 120)
    if not isinstance(deadline, int | float) or isinstance(deadline, bool):
        raise JobError(f"deadline_seconds must be a number, not {_kind(deadline)}")
    if not (math.isfinite(deadline) and 0 < deadline <= MAX_DEADLINE):
        raise JobError(f"deadline_seconds must be more than 0 and at most {MAX_DEADLINE:g}")
    kvittering: bytes | None = None
    filename: str | None = None
    if action == "publish-receipt":
        files = _object(job.get("files"), "files")
        path = _text(files.get("kvittering"), "files.kvittering")
        if not Path(path).is_absolute():
            raise JobError(f"files.kvittering must be an absolute path: {path[:200]!r}")
        try:
            kvittering = read_regular(path, MAX_KVITTERING, what="files.kvittering")
        except (FileRefused, OSError) as exc:
            raise JobError(f"files.kvittering: {printable(str(exc))}") from None
        filename = Path(path).name
    return ClientJob(
        job_id,
        str(action),
        _inputs(str(action), job.get("inputs")),
        services,
        float(deadline),
        kvittering,
        filename,
    )


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def read_job(path: str | Path) -> ClientJob:
    """The job in the file at ``path``, checked."""
    try:
        data = read_regular(path, MAX_JOB_BYTES, what="the job")
    except FileRefused as exc:
        raise JobError(str(exc)) from None
    except OSError as exc:
        raise JobError(f"{printable(str(path))}: {exc.strerror or exc}") from None
    return parse_job(data)
