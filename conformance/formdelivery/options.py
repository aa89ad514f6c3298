"""The form-delivery profile's own option checks (the rows are in ``tpn.conformance.options``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tpn.conformance.client import Job, Service
from tpn.conformance.client.profile import check_ways

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
    check_ways(values, EXAMPLE)
