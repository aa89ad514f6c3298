"""Looking an organisation up in Enhetsregisteret, over its REST shape.

``GET {base}/api/enheter/{orgnr}`` answers JSON (shared/standards/enhetsregisteret.md):
``navn``, ``organisasjonsform``, ``forretningsadresse`` and ``postadresse`` (``adresse[]``,
``postnummer``, ``poststed`` ...); 404 for a number the register does not know. The engine
writes the register's name and postal address (the business address where there is no postal
one) into the form and the sender, so that a business's form carries what the register holds,
not what somebody typed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import requests

MAX_ANSWER = 256 * 1024  # an entity is a couple of KiB of JSON


class RegisterError(Exception):
    """The register could not say: ``transient`` when asking again may help."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True)
class Enhet:
    """What the engine takes from the register's entry."""

    organisasjonsnummer: str
    navn: str
    adresse: str  # the address lines, joined with ", "
    postnummer: str
    poststed: str
    epost: str | None = None
    telefon: str | None = None


def _address(raw: Any) -> tuple[str, str, str] | None:
    if not isinstance(raw, dict):
        return None
    lines = raw.get("adresse")
    if isinstance(lines, str):
        lines = [lines]
    if not isinstance(lines, list):
        return None
    text = ", ".join(line.strip() for line in lines if isinstance(line, str) and line.strip())
    postnummer, poststed = raw.get("postnummer"), raw.get("poststed")
    if not (text and isinstance(postnummer, str) and isinstance(poststed, str)):
        return None
    return text, postnummer, poststed


def parse_enhet(orgnr: str, raw: Any) -> Enhet:
    """The entry of ``orgnr`` from the register's JSON answer."""
    if not isinstance(raw, dict):
        raise RegisterError(f"the register's answer for {orgnr} is not an object", transient=False)
    navn = raw.get("navn")
    if not isinstance(navn, str) or not navn.strip():
        raise RegisterError(f"the register's entry for {orgnr} has no navn", transient=False)
    address = _address(raw.get("postadresse")) or _address(raw.get("forretningsadresse"))
    if address is None:
        raise RegisterError(f"the register's entry for {orgnr} has no address", transient=False)
    epost = raw.get("epostadresse")
    telefon = raw.get("telefon")
    return Enhet(
        organisasjonsnummer=orgnr,
        navn=navn,
        adresse=address[0],
        postnummer=address[1],
        poststed=address[2],
        epost=epost if isinstance(epost, str) and epost else None,
        telefon=telefon if isinstance(telefon, str) and telefon else None,
    )


def lookup(session: requests.Session, base_url: str, orgnr: str, *, timeout: float) -> Enhet:
    """The register's entry for ``orgnr``; ``RegisterError`` when it has none or cannot say."""
    url = f"{base_url.rstrip('/')}/api/enheter/{orgnr}"
    try:
        with session.get(
            url, timeout=timeout, stream=True, headers={"Accept": "application/json"}
        ) as answer:
            if answer.status_code == 404:
                raise RegisterError(f"Enhetsregisteret does not know {orgnr}", transient=False)
            if answer.status_code >= 500:
                raise RegisterError(
                    f"Enhetsregisteret answered HTTP {answer.status_code}", transient=True
                )
            if answer.status_code != 200:
                raise RegisterError(
                    f"Enhetsregisteret answered HTTP {answer.status_code} for {orgnr}",
                    transient=False,
                )
            body = answer.raw.read(MAX_ANSWER + 1, decode_content=True)
    except requests.RequestException as exc:
        raise RegisterError(f"Enhetsregisteret: {type(exc).__name__}", transient=True) from None
    if len(body) > MAX_ANSWER:
        raise RegisterError(
            f"Enhetsregisteret's answer is over {MAX_ANSWER} bytes", transient=False
        )
    try:
        raw = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise RegisterError("Enhetsregisteret's answer is not JSON", transient=False) from None
    return parse_enhet(orgnr, raw)
