"""The three objects the client sends, built from the job as the reference e-service writes
them: the service (``tjeneste``), the receipt (``melding``) and the case (``sak``).

The receipt is in Norwegian (bokmål), as MinSide shows it to the citizen: its tittel names the
service and the archive's saksnummer, never the applicant's number; its tekst says what was
received and where to follow the case; its lenke is the case's page; its level is the
service's. The case's tittel is the archive's case title.
"""

from __future__ import annotations

from typing import Any

from tpn.mocks.minsideclient.job import ClientJob

RECEIPT_MIME = "application/pdf"


def service(job: ClientJob) -> dict[str, Any]:
    return dict(job.inputs)


def receipt(job: ClientJob, ekstern_referanse: str) -> dict[str, Any]:
    i = job.inputs
    vedlegg = []
    if job.kvittering is not None:
        vedlegg.append(
            {
                "filnavn": job.kvittering_name or "kvittering.pdf",
                "mimeType": RECEIPT_MIME,
                "data": job.kvittering,
            }
        )
    return {
        "mottaker": i["mottaker"],
        "avsenderOrgnr": i["avsenderOrgnr"],
        "avsenderNavn": i["avsenderNavn"],
        "tittel": f"Kvittering: {i['sakstittel']} (sak {i['saksnummer']})"[:100],
        "tekst": (
            f"Hei {i['mottakerNavn']}. {i['avsenderNavn']} har mottatt søknaden din "
            f"({i['sakstittel']}). Den er arkivert som sak {i['saksnummer']}, og du kan følge "
            "saken under Mine saker eller på lenken."
        ),
        "lenke": i["lenke"],
        "sikkerhetsnivaa": i["sikkerhetsnivaa"],
        "vedlegg": vedlegg,
        "eksternReferanse": ekstern_referanse,
    }


def case(job: ClientJob, status: str) -> dict[str, Any]:
    i = job.inputs
    return {
        "mottaker": i["mottaker"],
        "avsenderOrgnr": i["avsenderOrgnr"],
        "saksnummer": i["saksnummer"],
        "tittel": i["sakstittel"],
        "status": status,
        "tidspunkt": job.tidspunkt,
        "lenke": i["lenke"],
    }
