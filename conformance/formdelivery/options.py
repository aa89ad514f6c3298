"""The form-delivery profile's own option checks (the rows are in ``tpn.conformance.options``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tpn.conformance.client import Job, Service, check_template
from tpn.conformance.profile import OptionError, flag

# A job of the shape the suite writes, for checking a command template's placeholders.
EXAMPLE = Job(
    id="example",
    run="run",
    action="deliver-form",
    inputs={
        "skjemaId": "KS-BARNEHAGE",
        "versjon": "1.0",
        "referanse": "r",
        "tittel": "t",
        "confidential": False,
        "applicant": "person",
        "building": False,
        "organisasjonsnummer": "0",
    },
    files={"document": Path("/document.xml")},
    services={
        "archive": Service("http://a", "u", "p"),
        "register": Service("http://r"),
    },
    aliases={
        "document": "files.document",
        "form": "inputs.skjemaId",
        "referanse": "inputs.referanse",
        "archive_url": "services.archive.url",
        "user": "services.archive.user",
        "password": "services.archive.password",
        "register_url": "services.register.url",
    },
)


def check_options(values: Mapping[str, Any]) -> None:
    command = values.get("engine-cmd")
    if command:
        try:
            check_template(command, EXAMPLE.placeholders(Path("/job.json")))
        except ValueError as exc:
            raise OptionError(f"{flag('engine-cmd')}: {exc}") from None
    hook = values.get("engine-webhook")
    if hook and urlsplit(hook).scheme not in ("http", "https"):
        raise OptionError(f"{flag('engine-webhook')} must be an http(s) URL, got {hook!r}")
    port = values.get("archive-port")
    if port is not None and not 0 < port < 65536:
        raise OptionError(f"{flag('archive-port')} must be a port (1-65535), got {port}")
