"""MinSide's business rules: every rule of ``shared/standards/minside.md`` that a sender can
break, each with its own status code and a message that names the element and the rule.

A breach is a business answer, status ERROR with the code (``Rejected``), never a SOAP fault.
The codes:

========================== ==============================================================
code                       rule
========================== ==============================================================
MISSING_FIELD              a required text is empty
FIELD_TOO_LONG             a text is longer than ``LENGTHS`` allows (tittel: ``TITLE_MAX``)
INVALID_MOTTAKER           mottaker is not a valid synthetic fødselsnummer or D-number
INVALID_ORGNR              avsenderOrgnr/eierOrgnr is not 9 digits with a valid mod-11 digit
INVALID_KOMMUNENUMMER      kommunenummer is not 4 digits with a county (never 00)
TITLE_TOO_LONG             tittel is over 100 characters
FNR_IN_TITLE               tittel holds a fødselsnummer or D-number (``fnr_in_text``)
INVALID_LINK               url/lenke is not an absolute URL (or holds spaces, controls)
LINK_NOT_HTTPS             url/lenke is not https
INVALID_SIKKERHETSNIVAA    sikkerhetsnivaa is not 1-4
NIVAA_BELOW_SERVICE        a message links under a service's url at a lower level than it
INVALID_KATEGORI           kategori is not in ``KATEGORIER``
INVALID_TJENESTE_ID        tjenesteId is not 1-64 of A-Z a-z 0-9 . _ -
NOT_OWNER                  a tjenesteId registered by another eierOrgnr
UNKNOWN_TJENESTE           AvregistrerTjeneste of a tjenesteId not in the catalogue
TOO_MANY_VEDLEGG           more than ``MAX_VEDLEGG`` attachments
VEDLEGG_TOO_LARGE          one attachment over ``MAX_VEDLEGG_BYTES``
VEDLEGG_TOTAL_TOO_LARGE    all attachments together over ``MAX_TOTAL_BYTES``
INVALID_MIMETYPE           a mimeType not in ``MIME_TYPES``
INVALID_FILNAVN            a filnavn with a path, a control character, or none
EKSTERN_REFERANSE_REUSED   a SendMelding repeats an eksternReferanse with other content
UNKNOWN_MELDING            HentMeldingStatus of a meldingId unknown to that sender
INVALID_SAKSNUMMER         saksnummer is not saSaar/saSeknr (``2007/123``)
INVALID_SAK_STATUS         a case status not in MOTTATT, UNDER_BEHANDLING, VEDTAK_FATTET,
                           AVSLUTTET
SAK_STATUS_BACKWARD        an update moves a case's status back (refused, ERROR)
SAK_MOTTAKER_MISMATCH      an update of a case names another mottaker than its first
========================== ==============================================================

WARNINGs (the request was taken, with something to say): ``MOTTAKER_NOT_USER`` (the mottaker
is valid but no user of MinSide, i.e. not in the synthetic population: the message is stored
AVVIST with that reason) and ``SAK_OUTDATED`` (an update whose tidspunkt is older than the
stored one is ignored: a late retry must not undo a newer status).

Every rule is a field of ``RuleSet``: a defect (``tpn.mocks.core.defect_registry``) may swap
one for a lenient version without an ``if`` in the reference (none does yet).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from tpn.fixtures.identifiers import check_kommunenummer, check_orgnr, check_person
from tpn.mocks.minside.records import KATEGORIER, SAK_STATUSES

__all__ = [
    "LENGTHS",
    "MAX_TOTAL_BYTES",
    "MAX_VEDLEGG",
    "MAX_VEDLEGG_BYTES",
    "MIME_TYPES",
    "REFERENCE",
    "TITLE_MAX",
    "Rejected",
    "RuleSet",
    "fnr_in_text",
]

TITLE_MAX = 100
MAX_VEDLEGG = 10
MAX_VEDLEGG_BYTES = 2 * 1024 * 1024  # 2 MiB each
MAX_TOTAL_BYTES = 5 * 1024 * 1024  # 5 MiB together
MIME_TYPES = ("application/pdf", "application/xml", "image/jpeg", "image/png", "text/plain")
# The longest text each element may hold (characters); tittel has its own rule.
LENGTHS = {
    "navn": 200,
    "beskrivelse": 4000,
    "avsenderNavn": 200,
    "tekst": 20000,
    "eksternReferanse": 200,
    "skjemaId": 64,
    "url": 2000,
    "lenke": 2000,
    "filnavn": 255,
    "meldingId": 64,
}


class Rejected(Exception):
    """A business error: the operation answers status ERROR with this code and text."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(f"{code}: {text}")
        self.code = code
        self.text = text


def required(value: str | None, where: str) -> str:
    """``value`` stripped; MISSING_FIELD when there is nothing."""
    if value is None or not value.strip():
        raise Rejected("MISSING_FIELD", f"{where} is required and must not be empty")
    return value.strip()


def length(value: str | None, where: str, name: str) -> None:
    longest = LENGTHS[name]
    if value is not None and len(value) > longest:
        raise Rejected(
            "FIELD_TOO_LONG", f"{where} is {len(value)} characters; at most {longest} are allowed"
        )


def mottaker(value: str, where: str) -> None:
    found = check_person(value, synthetic_only=True)
    if not found.valid:
        raise Rejected(
            "INVALID_MOTTAKER",
            f"{where} {value!r} is not a valid fødselsnummer or D-number: {found.reason}",
        )


def orgnr(value: str, where: str) -> None:
    found = check_orgnr(value)
    if not found.valid:
        raise Rejected(
            "INVALID_ORGNR", f"{where} {value!r} is not an organisasjonsnummer: {found.reason}"
        )


def kommunenummer(value: str, where: str) -> None:
    reason = check_kommunenummer(value)
    if reason is not None:
        raise Rejected("INVALID_KOMMUNENUMMER", f"{where}: {reason}")


# Between the digits of one number a writer may put one space (also a no-break or thin space),
# hyphen, dot or slash-free separator: "010203 12345", "010203-12345", "01.02.03 123 45".
_SEPARATOR = "[ .\u00a0\u2009\u202f-]"
_DIGIT_RUN = re.compile(rf"(?<![0-9])[0-9]+(?:{_SEPARATOR}[0-9]+)*(?![0-9])")


def fnr_in_text(text: str) -> str | None:
    """The first fødselsnummer or D-number (real-format or synthetic) written in ``text``,
    or None.

    Written means: after NFKC (so fullwidth digits count), an 11-digit number, or 11 digits in
    consecutive groups split by single separators ("010203 12345"), whose check digits hold.
    A longer unbroken run of digits is another kind of number and is not read into."""
    folded = unicodedata.normalize("NFKC", text)
    for run in _DIGIT_RUN.finditer(folded):
        groups = re.findall("[0-9]+", run.group())
        for start in range(len(groups)):
            digits = ""
            for group in groups[start:]:
                digits += group
                if len(digits) >= 11:
                    break
            if len(digits) == 11 and check_person(digits).valid:
                return digits
    return None


def title(value: str, where: str) -> None:
    if len(value) > TITLE_MAX:
        raise Rejected(
            "TITLE_TOO_LONG", f"{where} is {len(value)} characters; at most {TITLE_MAX} are allowed"
        )
    if fnr_in_text(value) is not None:
        raise Rejected(
            "FNR_IN_TITLE",
            f"{where} holds a fødselsnummer or D-number; a title is shown in lists and must "
            "not identify a person",
        )


def link(value: str, where: str) -> None:
    """An absolute https URL with a host: a citizen's browser goes there after a login."""
    if any(c.isspace() or unicodedata.category(c)[0] == "C" for c in value):
        raise Rejected("INVALID_LINK", f"{where} holds a space or a control character")
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        raise Rejected("INVALID_LINK", f"{where} {value[:80]!r} is not a URL") from None
    if parts.scheme.lower() != "https":
        if parts.scheme.lower() == "http":
            raise Rejected("LINK_NOT_HTTPS", f"{where} must be https, not http: {value[:80]!r}")
        raise Rejected("INVALID_LINK", f"{where} {value[:80]!r} is not an absolute https URL")
    if not host:
        raise Rejected("INVALID_LINK", f"{where} {value[:80]!r} has no host")


def level(value: int, where: str) -> None:
    if not 1 <= value <= 4:
        raise Rejected(
            "INVALID_SIKKERHETSNIVAA", f"{where} is {value}; a sikkerhetsnivaa is 1, 2, 3 or 4"
        )


def level_for_service(value: int, service_level: int, tjeneste_id: str, where: str) -> None:
    """A message that links into a service needs at least that service's level to be read."""
    if value < service_level:
        raise Rejected(
            "NIVAA_BELOW_SERVICE",
            f"{where} is {value}, but lenke points into tjeneste {tjeneste_id!r}, which needs "
            f"sikkerhetsnivaa {service_level}; a message must need at least its service's level",
        )


def kategori(value: str, where: str) -> None:
    if value not in KATEGORIER:
        raise Rejected(
            "INVALID_KATEGORI",
            f"{where} {value[:40]!r} is not in the code list: {', '.join(KATEGORIER)}",
        )


_TJENESTE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def tjeneste_id(value: str, where: str) -> None:
    if not _TJENESTE_ID.fullmatch(value):
        raise Rejected(
            "INVALID_TJENESTE_ID",
            f"{where} {value[:80]!r} must be 1-64 characters of A-Z, a-z, 0-9, '.', '_', '-'",
        )


def vedlegg(items: Sequence[tuple[str, str, int]], where: str) -> None:
    """(filnavn, mimeType, size) of each attachment, within the limits."""
    if len(items) > MAX_VEDLEGG:
        raise Rejected(
            "TOO_MANY_VEDLEGG", f"{where} has {len(items)} attachments; at most {MAX_VEDLEGG}"
        )
    total = 0
    for n, (filnavn, mime, size) in enumerate(items, 1):
        at = f"{where}[{n}]"
        if (
            not filnavn.strip()
            or len(filnavn) > LENGTHS["filnavn"]
            or any(c in "/\\" or unicodedata.category(c)[0] == "C" for c in filnavn)
            or filnavn.strip() in (".", "..")
        ):
            raise Rejected(
                "INVALID_FILNAVN",
                f"{at}/filnavn {filnavn[:80]!r} must be a plain file name (no path, no control "
                f"characters, 1-{LENGTHS['filnavn']} characters)",
            )
        if mime.strip().lower() not in MIME_TYPES:
            raise Rejected(
                "INVALID_MIMETYPE",
                f"{at}/mimeType {mime[:80]!r} is not allowed; allowed: {', '.join(MIME_TYPES)}",
            )
        if size > MAX_VEDLEGG_BYTES:
            raise Rejected(
                "VEDLEGG_TOO_LARGE",
                f"{at}/data is {size} bytes; an attachment may be at most {MAX_VEDLEGG_BYTES}",
            )
        total += size
    if total > MAX_TOTAL_BYTES:
        raise Rejected(
            "VEDLEGG_TOTAL_TOO_LARGE",
            f"{where} hold {total} bytes together; at most {MAX_TOTAL_BYTES} are allowed",
        )


_SAKSNUMMER = re.compile(r"([0-9]{4})/([1-9][0-9]{0,6})")


def saksnummer(value: str, where: str) -> None:
    if not _SAKSNUMMER.fullmatch(value):
        raise Rejected(
            "INVALID_SAKSNUMMER",
            f"{where} {value[:40]!r} is not the archive's saSaar/saSeknr (e.g. 2007/123)",
        )


def sak_status(value: str, where: str) -> None:
    if value not in SAK_STATUSES:
        raise Rejected(
            "INVALID_SAK_STATUS",
            f"{where} {value[:40]!r} is not one of {', '.join(SAK_STATUSES)}",
        )


def sak_forward(old: str, new: str, where: str) -> None:
    """A case's status only moves forward (or stays): MOTTATT < UNDER_BEHANDLING <
    VEDTAK_FATTET < AVSLUTTET."""
    if SAK_STATUSES.index(new) < SAK_STATUSES.index(old):
        raise Rejected(
            "SAK_STATUS_BACKWARD",
            f"{where} may not move back from {old} to {new}; the order is "
            f"{' < '.join(SAK_STATUSES)}",
        )


def sak_mottaker(old: str, new: str, where: str) -> None:
    if old != new:
        raise Rejected(
            "SAK_MOTTAKER_MISMATCH",
            f"{where}: this saksnummer is the case of another mottaker; a case keeps its citizen",
        )


@dataclass(frozen=True)
class RuleSet:
    """MinSide's rules as one object, chosen when MinSide is built: ``REFERENCE`` is this
    module's functions; a defect swaps single fields for a broken version."""

    required: Callable[[str | None, str], str] = required
    length: Callable[[str | None, str, str], None] = length
    mottaker: Callable[[str, str], None] = mottaker
    orgnr: Callable[[str, str], None] = orgnr
    kommunenummer: Callable[[str, str], None] = kommunenummer
    title: Callable[[str, str], None] = title
    link: Callable[[str, str], None] = link
    level: Callable[[int, str], None] = level
    level_for_service: Callable[[int, int, str, str], None] = level_for_service
    kategori: Callable[[str, str], None] = kategori
    tjeneste_id: Callable[[str, str], None] = tjeneste_id
    vedlegg: Callable[[Sequence[tuple[str, str, int]], str], None] = vedlegg
    saksnummer: Callable[[str, str], None] = saksnummer
    sak_status: Callable[[str, str], None] = sak_status
    sak_forward: Callable[[str, str, str], None] = sak_forward
    sak_mottaker: Callable[[str, str, str], None] = sak_mottaker


REFERENCE = RuleSet()
