"""A vendor's own archive client (an example): files a form's case and entry in a Noark-4 WS
archive over SOAP with zeep, idempotently, by the form's external key.

This is the vendor's code under test in ``examples/``; it knows nothing of the harness.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
import zeep
from zeep.transports import Transport

SYSTEM = "eksempel-skjemamotor"  # the vendor's system, in every external key it writes


@dataclass(frozen=True)
class Filed:
    """Where a form went: its case's and its entry's numbers."""

    saksnummer: str  # "saSaar/saSeknr"
    journalpostnummer: str  # "jpJaar/jpSeknr"


class ArchiveError(RuntimeError):
    """The archive answered ERROR: its code and text."""


class ArchiveClient:
    def __init__(self, wsdl_url: str, *, auth: tuple[str, str] | None = None) -> None:
        session = requests.Session()
        session.auth = auth
        self.service = zeep.Client(
            wsdl_url, transport=Transport(session=session, timeout=10)
        ).service

    def file_form(self, form_id: str, title: str, summary: str) -> Filed:
        """The form's case (made once, found again on a resend) and one entry in it."""
        key = {"eksternSystem": SYSTEM, "nokkel": form_id}
        sak = _ok(self.service.PutNoarksak(noarksak={"saTittel": title, "saEksternNokkel": key}))
        jp = _ok(
            self.service.PutJournpost(
                journpost={
                    "jpInnhold": summary,
                    "jpSaar": sak.noarksak.saSaar,
                    "jpSaseknr": sak.noarksak.saSeknr,
                    "jpEksternNokkel": key,
                }
            )
        )
        return Filed(
            f"{sak.noarksak.saSaar}/{sak.noarksak.saSeknr}",
            f"{jp.journpost.jpJaar}/{jp.journpost.jpSeknr}",
        )


def _ok(answer: Any) -> Any:
    if answer.status.type == "ERROR":
        said = "; ".join(f"{m.code}: {m._value_1}" for m in answer.status.message)
        raise ArchiveError(said)
    return answer
