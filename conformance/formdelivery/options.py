"""The form-delivery profile's own option checks (the rows are in ``tpn.conformance.options``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from tpn.conformance.client import Job, Service
from tpn.conformance.client.ask import check_template
from tpn.conformance.client.profile import check_ways
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


# The journey's two jobs (``journey_run``): a delivery that also names the portal and MinSide,
# and a sync; one --engine-cmd template serves both, so it may use only what both offer.
_JOURNEY_SERVICES = {
    **EXAMPLE.services,
    "portal": Service("http://p"),
    "tjenestekatalog": Service("http://m/t", "u", "p"),
    "meldingsboks": Service("http://m/m", "u", "p"),
    "minesaker": Service("http://m/s", "u", "p"),
}
JOURNEY_EXAMPLES = (
    replace(EXAMPLE, services=_JOURNEY_SERVICES),
    replace(
        EXAMPLE,
        action="sync-case-status",
        inputs={
            "referanse": "r",
            "saksnummer": "2026/1",
            "skjemaId": "KS-BARNEHAGE",
            "mottaker": "0",
            "avsenderOrgnr": "0",
        },
        files={},
        services={k: v for k, v in _JOURNEY_SERVICES.items() if k != "portal"},
    ),
)


def _check_journey_template(command: str) -> None:
    for example in JOURNEY_EXAMPLES:
        try:
            check_template(command, example.placeholders(Path("/job.json")))
        except ValueError as exc:
            raise OptionError(
                f"{flag('engine-cmd')}: {exc} (with {flag('with-minside')} the command also "
                f"does the journey's {example.action} jobs)"
            ) from None


def _journey_defects() -> set[str]:
    """The reference engine's defects that only the journey's requirements (FD-J) catch."""
    from tpn.mocks.formengine.defects.catalogue import catalogue

    return {d.name for d in catalogue() if all(r.startswith("FD-J-") for r in d.requirements)}


def check_options(values: Mapping[str, Any]) -> None:
    check_ways(values, EXAMPLE)
    journey = values.get("with-minside")
    vendor = values.get("engine-cmd") or values.get("engine-webhook")
    if journey and values.get("engine-cmd"):
        _check_journey_template(values["engine-cmd"])
    if values.get("engine-metadata") and not journey:
        raise OptionError(
            f"{flag('engine-metadata')} is for the journey: add {flag('with-minside')}"
        )
    if values.get("engine-metadata") and not vendor:
        raise OptionError(
            f"{flag('engine-metadata')} is a vendor's engine's: the reference engine's is made "
            f"by the suite (add {flag('engine-cmd')} or {flag('engine-webhook')})"
        )
    journey_defects = [d for d in values.get("defect") or () if d in _journey_defects()]
    if journey_defects and not journey:
        raise OptionError(
            f"{', '.join(journey_defects)} is a defect of the journey, which only a run with "
            f"{flag('with-minside')} judges: add it"
        )
    if journey and values.get("manual"):
        raise OptionError(
            f"{flag('with-minside')} hands the engine the citizen's login in each job, which a "
            f"person cannot pass on: drop {flag('manual')}"
        )
    if journey and vendor and not values.get("engine-metadata"):
        raise OptionError(
            f"{flag('with-minside')} with a vendor's engine needs {flag('engine-metadata')} "
            "FILE: its SAML SP metadata, for the suite's portal to register"
        )
    if values.get("engine-metadata"):
        check_metadata(values["engine-metadata"])


def check_metadata(path: str) -> None:
    """The vendor's SP metadata is read and parsed before the run starts: a file that is not
    one, or names no HTTP-POST ACS for the login, is refused by name."""
    from tpn.fixtures.files import FileRefused, printable, read_regular
    from tpn.mocks.saml import ns
    from tpn.mocks.saml.metadata import MAX_BYTES, MetadataError, parse_sp

    where = f"{flag('engine-metadata')} {printable(path)}"
    try:
        provider = parse_sp(read_regular(path, MAX_BYTES, what="engine metadata"))
    except FileRefused as exc:
        raise OptionError(f"{where}: {exc}") from None
    except MetadataError as exc:
        raise OptionError(f"{where} is no SP metadata the portal takes: {exc}") from None
    if not any(e.binding == ns.POST for e in provider.acs):
        raise OptionError(
            f"{where} names no HTTP-POST AssertionConsumerService: the journey hands the engine "
            "the login as that binding carries it"
        )
