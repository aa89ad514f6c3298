"""The vendors' variants of the client's seams (``policies.Policies``), one per mistake.

Each is what a real e-service might do; the registry (``registry.py``) names which seam each
replaces. They change only what their defect's summary says.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from tpn.mocks.minsideclient.job import ClientJob
from tpn.mocks.minsideclient.policies import Message, MessageFilter
from tpn.mocks.minsideclient.soap import Answer

# A vendor's own organisation: a company of the synthetic population, no municipality.
VENDOR_ORGNR = "319985018"
VENDOR_NAME = "eKommune Portal AS"


def then(first: MessageFilter, second: MessageFilter) -> MessageFilter:
    """``second`` has the last word on what ``first`` made."""

    def both(job: ClientJob, message: Message) -> Message:
        return second(job, first(job, message))

    return both


def with_fields(**values: object) -> MessageFilter:
    def put(job: ClientJob, message: Message) -> Message:
        return {**message, **values}

    return put


def without(*names: str) -> MessageFilter:
    def drop(job: ClientJob, message: Message) -> Message:
        return {k: v for k, v in message.items() if k not in names}

    return drop


# ------------------------------------------------------------------ references


def reference_per_attempt(job: ClientJob, attempt: int, started: float) -> str:
    return f"kvittering-{job.inputs['referanse']}-{attempt}"


def reference_per_job(job: ClientJob, attempt: int, started: float) -> str:
    return f"kvittering-{job.id}"


# ------------------------------------------------------------------ the receipt


def title_with_number(job: ClientJob, message: Message) -> Message:
    return {**message, "tittel": f"Kvittering til {job.inputs['mottaker']}"}


def http_link(job: ClientJob, message: Message) -> Message:
    lenke = str(message.get("lenke") or "")
    return {**message, "lenke": "http://" + lenke.removeprefix("https://")}


def without_saksnummer(job: ClientJob, message: Message) -> Message:
    i = job.inputs
    return {
        **message,
        "tittel": f"Kvittering: {i['sakstittel']}",
        "tekst": f"{i['avsenderNavn']} har mottatt søknaden din ({i['sakstittel']}).",
    }


def attachments_as(mime_type: str) -> MessageFilter:
    def put(job: ClientJob, message: Message) -> Message:
        vedlegg = [{**v, "mimeType": mime_type} for v in message.get("vedlegg", [])]
        return {**message, "vedlegg": vedlegg}

    return put


def attachments_named(filnavn: str) -> MessageFilter:
    def put(job: ClientJob, message: Message) -> Message:
        return {
            **message,
            "vedlegg": [{**v, "filnavn": filnavn} for v in message.get("vedlegg", [])],
        }

    return put


# ------------------------------------------------------------------ the case


def link_to_service(job: ClientJob, message: Message) -> Message:
    return {**message, "lenke": job.inputs["tjenesteUrl"]}


def case_title_with_number(job: ClientJob, message: Message) -> Message:
    return {**message, "tittel": f"{job.inputs['sakstittel']} - {job.inputs['mottaker']}"}


def time_of_sending(job: ClientJob, message: Message) -> Message:
    return {**message, "tidspunkt": dt.datetime.now(dt.UTC).replace(microsecond=0)}


def reset_then_set(job: ClientJob) -> list[str]:
    """First MOTTATT "to make sure the case exists", then the new status."""
    return ["MOTTATT", str(job.inputs["status"])]


# ------------------------------------------------------------------ calls


def first_attempt_only(retries: int) -> int:
    return 1


def any_answer(answer: Answer) -> bool:
    return True


Statuses = Callable[[ClientJob], list[str]]


# ------------------------------------------------------------------ identifiers, titles, links


def mottaker_spaced(job: ClientJob, message: Message) -> Message:
    """The fødselsnummer as people write it, birth date and personal number apart."""
    mottaker = str(message.get("mottaker") or "")
    return {**message, "mottaker": f"{mottaker[:6]} {mottaker[6:]}"}


def case_title_with_address(job: ClientJob, message: Message) -> Message:
    """The case's title with everything the case officer wanted in the list of cases: past
    MinSide's 100 characters."""
    tittel = str(message.get("tittel") or "")
    extra = " – gjelder eiendommen og alle vedlegg som er sendt inn med søknaden, se saksmappen"
    return {**message, "tittel": f"{tittel}{extra}{extra}"}


def http_url(job: ClientJob, message: Message) -> Message:
    url = str(message.get("url") or "")
    return {**message, "url": "http://" + url.removeprefix("https://")}


def http_case_link(job: ClientJob, message: Message) -> Message:
    lenke = str(message.get("lenke") or "")
    return {**message, "lenke": "http://" + lenke.removeprefix("https://") if lenke else lenke}


# ------------------------------------------------------------------ answering


def waits_after_error(answer: Answer) -> bool:
    """After an ERROR the client waits for MinSide to 'come back', checking every 5 s, and
    never stops: the job is never answered."""
    if answer.status == "ERROR":
        while True:
            time.sleep(5.0)
    return True
