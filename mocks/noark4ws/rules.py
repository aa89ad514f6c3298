"""Business rules of the reference archive that do not touch the store.

Each check raises ``Rejected`` with the status code of the profile (``MISSING_FIELD``,
``INVALID_CODE``, ``INVALID_VALUE``, ``STATE_VIOLATION``) and a text that names the object, the
field and the rule, so a vendor's developer can act on it without reading the standard.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from tpn.mocks.noark4ws.codes import CodeLists


class Rejected(Exception):
    """A business error: the Put or Get is answered with status ERROR and this message."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(f"{code}: {text}")
        self.code = code
        self.text = text


_ELEVEN_DIGITS = re.compile(r"(?<!\d)\d{11}(?!\d)")
# Four ASCII digits: a bare \d would also take fullwidth or Arabic-Indic digits.
_KOMMUNENUMMER = re.compile(r"[0-9]{4}")


def _same_text(text: str) -> str:
    """The form public-field texts are compared in: NFC, so that a name or title written with
    combining characters (Å as A + ring) is the same name as its precomposed spelling."""
    return unicodedata.normalize("NFC", text)


def required(value: str | None, where: str) -> None:
    if value is None or not value.strip():
        raise Rejected("MISSING_FIELD", f"{where} is required and must not be empty")


def code(codes: CodeLists, field: str, value: str | None, where: str) -> None:
    if value is None:
        return
    allowed = codes.closed[field]
    if value not in allowed:
        listed = ", ".join(f"{k} ({v})" for k, v in allowed.items())
        raise Rejected(
            "INVALID_CODE", f"{where} {value!r} is not in the code list {field}: {listed}"
        )


def public_field(
    *,
    exempt: str | None,
    public: str | None,
    full: str | None,
    names: Iterable[str],
    exempt_name: str,
    public_name: str,
    full_name: str,
) -> None:
    """When ``exempt`` is "1", the public text must be given, differ from the full one, and
    carry neither a party's name nor an 11-digit number (a fødselsnummer)."""
    if exempt != "1":
        return
    if public is None or not public.strip():
        raise Rejected(
            "INVALID_VALUE", f"{exempt_name} is 1 (exempt), so {public_name} must be given"
        )
    if full is not None and _same_text(public.strip()) == _same_text(full.strip()):
        raise Rejected(
            "INVALID_VALUE",
            f"{exempt_name} is 1 (exempt), so {public_name} must differ from {full_name}",
        )
    if _ELEVEN_DIGITS.search(public):
        raise Rejected(
            "INVALID_VALUE",
            f"{public_name} must not contain an 11-digit number (personal data of an exempt text)",
        )
    folded = _same_text(public).casefold()
    for name in names:
        if name and name.strip() and _same_text(name.strip()).casefold() in folded:
            raise Rejected(
                "INVALID_VALUE",
                f"{public_name} must not contain the name of a party ({name.strip()!r}) "
                f"when {exempt_name} is 1",
            )


def gbn_value(m: Any) -> str:
    """The GBN classification value a matrikkelnummer stands for: ``0301-12/34/0/0``."""
    return (
        f"{m.kommunenummer}-{m.gaardsnummer}/{m.bruksnummer}/"
        f"{m.festenummer or 0}/{m.seksjonsnummer or 0}"
    )


def geo(sak: Any) -> None:
    geo_values(sak)
    gbn(sak)


def geo_values(sak: Any) -> None:
    """The GeoIntegrasjon objects' own values: kommunenummer is four digits."""
    for m in sak.matrikkelnummer or []:
        if not _KOMMUNENUMMER.fullmatch(m.kommunenummer or ""):
            raise Rejected(
                "INVALID_VALUE",
                f"matrikkelnummer/kommunenummer {m.kommunenummer!r} must be four digits",
            )
    for p in sak.plan or []:
        if not _KOMMUNENUMMER.fullmatch(p.kommunenummer or ""):
            raise Rejected(
                "INVALID_VALUE", f"plan/kommunenummer {p.kommunenummer!r} must be four digits"
            )


def gbn(sak: Any) -> None:
    """A GBN klassering must agree with the case's first matrikkelnummer."""
    if not sak.matrikkelnummer:
        return
    expected = gbn_value(sak.matrikkelnummer[0])
    for k in sak.klassering or []:
        if k.klOrdnpri == "GBN" and (k.klOrdnver or "").strip() != expected:
            raise Rejected(
                "INVALID_VALUE",
                f"klassering GBN {k.klOrdnver!r} disagrees with the case's first "
                f"matrikkelnummer ({expected})",
            )


def journpost_start(codes: CodeLists, ndoktype: str, status: str) -> None:
    allowed = codes.jp_start[ndoktype]
    if status not in allowed:
        raise Rejected(
            "STATE_VIOLATION",
            f"a new journpost of jpNdoktype {ndoktype} may start in jpStatus "
            f"{', '.join(sorted(allowed))}, not {status}",
        )


def journpost_change(codes: CodeLists, ndoktype: str, old: str, new: str) -> None:
    if old == new:
        return
    if old in codes.jp_final:
        raise Rejected(
            "STATE_VIOLATION", f"jpStatus {old} is final; the entry cannot change to {new}"
        )
    if new == codes.jp_void or (old, new) in codes.jp_forward[ndoktype]:
        return
    allowed = [*sorted(b for a, b in codes.jp_forward[ndoktype] if a == old), codes.jp_void]
    raise Rejected(
        "STATE_VIOLATION",
        f"jpStatus may not change from {old} to {new} for jpNdoktype {ndoktype}; "
        f"allowed from {old}: {', '.join(allowed)}",
    )


def sak_change(codes: CodeLists, old: str, new: str) -> None:
    if old == new:
        return
    if old == codes.sa_void:
        raise Rejected("STATE_VIOLATION", f"saStatus {old} (void) is final; it cannot become {new}")
    if old == codes.sa_closed:
        if new == codes.sa_reopen_to:
            return
        raise Rejected(
            "STATE_VIOLATION",
            f"a closed case (saStatus {old}) may only be reopened to {codes.sa_reopen_to}, not {new}",
        )
    if new in codes.sa_open or new in (codes.sa_closed, codes.sa_void):
        return
    raise Rejected("STATE_VIOLATION", f"saStatus may not change from {old} to {new}")


def sak_update(codes: CodeLists, old: str, new: str) -> None:
    """A change to a stored case: its status change must be allowed, a void case cannot change
    at all, and a closed one only by being reopened."""
    sak_change(codes, old, new)
    if old == codes.sa_void:
        # U is final (spec, "State rules"); sak_change only guards the status itself, so
        # without this a void case's other fields could still be changed.
        raise Rejected(
            "STATE_VIOLATION",
            f"the case is void (saStatus {old}), which is final; it cannot change",
        )
    if old == codes.sa_closed and new == old:
        raise Rejected(
            "STATE_VIOLATION",
            f"the case is closed (saStatus {old}); reopen it "
            f"(saStatus {codes.sa_reopen_to}) before changing it",
        )


@dataclass(frozen=True)
class RuleSet:
    """The business rules the archive applies, as one object.

    The reference archive uses ``REFERENCE``, the functions of this module. A rule defect
    (``defects/registry.py``, variants in ``defects/rules.py``) swaps single rules for a vendor's
    lenient or broken version, chosen once when the archive is built, so the archive's code has
    no per-field switches. The archive's other seams are its policies (``policies.py``).
    """

    required: Callable[[str | None, str], None] = required
    # The object's own required text (saTittel, jpInnhold), apart from other required fields.
    title: Callable[[str | None, str], None] = required
    code: Callable[[CodeLists, str, str | None, str], None] = code
    public_field: Callable[..., None] = public_field
    geo: Callable[[Any], None] = geo
    journpost_start: Callable[[CodeLists, str, str], None] = journpost_start
    journpost_change: Callable[[CodeLists, str, str, str], None] = journpost_change
    sak_update: Callable[[CodeLists, str, str], None] = sak_update


REFERENCE = RuleSet()
