"""The checks: what each requirement demands of what arrived (``run.Arrival``) and of what the
client sent (``sent``).

Each check takes every arrival of the run and returns the problems it found, one line each,
beginning with the job's id; no problem is a pass. A check judges only the jobs meant for it
(the clean receipts for the receipt's content, a fault's own job for that fault) and, for what
arrived, only where it arrived, so that one mistake of a client fails the requirements that
name it and not every requirement after it. ``CHECKS`` maps every requirement to its check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from tpn.conformance.minsideclient.run import Arrival
from tpn.conformance.minsideclient.sent import Sent, sent
from tpn.fixtures.identifiers import check_orgnr, check_person
from tpn.mocks.minside.records import SAK_STATUSES
from tpn.mocks.minside.rules import (
    MAX_TOTAL_BYTES,
    MAX_VEDLEGG,
    MAX_VEDLEGG_BYTES,
    MIME_TYPES,
    TITLE_MAX,
    fnr_in_text,
)

Check = Callable[[list[Arrival]], list[str]]
Problem = Callable[[Arrival], str | None]


# ------------------------------------------------------------------ which jobs


def having(arrivals: Iterable[Arrival], purpose: str, *, faultless: bool = True) -> list[Arrival]:
    return [
        a
        for a in arrivals
        if purpose in a.step.purposes and (a.step.fault is None or not faultless)
    ]


def receipts(arrivals: Iterable[Arrival]) -> list[Arrival]:
    return [a for a in arrivals if a.step.action == "publish-receipt"]


def arrived_receipts(arrivals: Iterable[Arrival]) -> list[Arrival]:
    """The clean receipts whose one message arrived."""
    return [a for a in having(arrivals, "clean") if len(a.messages_for_application()) == 1]


def each(arrivals: Iterable[Arrival], problem: Problem) -> list[str]:
    out = []
    for a in arrivals:
        said = problem(a)
        if said:
            out.append(f"{a.step.id}: {said}")
    return out


def each_sent(
    arrivals: Iterable[Arrival],
    operations: tuple[str, ...],
    problem: Callable[[Arrival, Sent], str | None],
) -> list[str]:
    """``problem`` of every request of ``operations`` the client sent (first one per job)."""

    def first(a: Arrival) -> str | None:
        for operation in operations:
            for s in sent(a.exchanges, operation):
                said = problem(a, s)
                if said:
                    return f"{operation}: {said}"
        return None

    return each(arrivals, first)


def _message(a: Arrival) -> dict[str, Any]:
    return a.messages_for_application()[0]


def _moment(text: str) -> dt.datetime:
    """A time of the job (with its offset) or of MinSide's store, which keeps a sender's
    tidspunkt as naive UTC (its SOAP layer normalises xs:dateTime to UTC)."""
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _https(value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.netloc:
        return f"{value[:100]!r} is not an absolute https URL"
    return None


# ------------------------------------------------------------------ the service


SERVICE_FIELDS = ("kommunenummer", "eierOrgnr", "navn", "url", "sikkerhetsnivaa", "kategori")


def _service_differs(a: Arrival) -> str | None:
    want = a.step.inputs
    found = [s for s in a.after["tjenester"] if s["tjenesteId"] == want["tjenesteId"]]
    if len(found) != 1:
        return f"the catalogue holds no service {want['tjenesteId']!r}"
    got = found[0]
    wrong = [
        f"{k} {got.get(k)!r} (job: {want[k]!r})"
        for k in (*SERVICE_FIELDS, "skjemaId")
        if got.get(k) != want[k]
    ]
    return "the service's " + ", ".join(wrong) if wrong else None


def service_as_given(arrivals: list[Arrival]) -> list[str]:
    """MS-SVC-001."""
    return each(having(arrivals, "register"), _service_differs)


def service_before_link(arrivals: list[Arrival]) -> list[str]:
    """MS-SVC-002: a SendMelding under a service's url only once the service is registered."""
    urls = {
        str(a.step.inputs["url"]).rstrip("/")
        for a in arrivals
        if a.step.action == "register-service"
    }
    registered: set[str] = set()
    problems: list[str] = []
    for a in arrivals:
        for e in a.exchanges:
            if e.operation not in ("RegistrerTjeneste", "SendMelding"):
                continue
            for s in sent([e], e.operation):
                if s.operation == "RegistrerTjeneste" and s.status in ("OK", "WARNING"):
                    registered.add((s.get("url") or "").rstrip("/"))
                lenke = s.get("lenke") or ""
                if s.operation == "SendMelding":
                    under = [u for u in urls if lenke == u or lenke.startswith(u + "/")]
                    missing = [u for u in under if u not in registered]
                    if missing:
                        problems.append(
                            f"{a.step.id}: SendMelding links to {lenke[:100]!r} before the "
                            f"service at {missing[0]} was registered"
                        )
    return problems


def service_updated(arrivals: list[Arrival]) -> list[str]:
    """MS-SVC-003."""

    def problem(a: Arrival) -> str | None:
        want = a.step.inputs
        found = [s for s in a.after["tjenester"] if s["tjenesteId"] == want["tjenesteId"]]
        same_url = [s for s in a.after["tjenester"] if s["url"] == want["url"]]
        if len(found) != 1 or len(same_url) != 1:
            return (
                f"{len(found)} service(s) with tjenesteId {want['tjenesteId']!r} and "
                f"{len(same_url)} at its url, expected one"
            )
        if found[0].get("beskrivelse") != want["beskrivelse"]:
            return f"beskrivelse is still {found[0].get('beskrivelse')!r}"
        return None

    return each(having(arrivals, "reregister"), problem)


# ------------------------------------------------------------------ identifiers


def mottaker(arrivals: list[Arrival]) -> list[str]:
    """MS-ID-001."""

    def problem(a: Arrival, s: Sent) -> str | None:
        assert a.step.application is not None
        got = s.get("mottaker") or ""
        if not check_person(got).valid or not got.isdigit():
            return f"mottaker {got[:20]!r} is not a fødselsnummer or D-number"
        if got != a.step.application.mottaker:
            return "mottaker is not the applicant the job names"
        return None

    mine = [a for a in arrivals if a.step.application is not None]
    return each_sent(mine, ("SendMelding", "OppdaterSaksstatus"), problem)


def avsender(arrivals: list[Arrival]) -> list[str]:
    """MS-ID-002."""

    def problem(a: Arrival, s: Sent) -> str | None:
        got = s.get("avsenderOrgnr") or ""
        if not check_orgnr(got).valid:
            return f"avsenderOrgnr {got[:20]!r} is not an organisasjonsnummer"
        if got != a.step.inputs["avsenderOrgnr"]:
            return f"avsenderOrgnr {got} is not the municipality's {a.step.inputs['avsenderOrgnr']}"
        return None

    mine = [a for a in arrivals if a.step.application is not None]
    return each_sent(mine, ("SendMelding", "OppdaterSaksstatus"), problem)


def owner(arrivals: list[Arrival]) -> list[str]:
    """MS-ID-003."""

    def problem(a: Arrival, s: Sent) -> str | None:
        want = a.step.inputs
        wrong = [
            f"{k} {s.get(k)!r} (job: {want[k]!r})"
            for k in ("kommunenummer", "eierOrgnr")
            if s.get(k) != want[k]
        ]
        return ", ".join(wrong) if wrong else None

    mine = [a for a in arrivals if a.step.action == "register-service"]
    return each_sent(mine, ("RegistrerTjeneste",), problem)


# ------------------------------------------------------------------ titles, links, levels


def no_number_in_title(operation: str) -> Check:
    """MS-TITLE-001 (SendMelding), MS-TITLE-002 (OppdaterSaksstatus)."""

    def check(arrivals: list[Arrival]) -> list[str]:
        def problem(a: Arrival, s: Sent) -> str | None:
            return "tittel holds a fødselsnummer" if fnr_in_text(s.get("tittel") or "") else None

        return each_sent(arrivals, (operation,), problem)

    return check


def title_length(arrivals: list[Arrival]) -> list[str]:
    """MS-TITLE-003."""

    def problem(a: Arrival, s: Sent) -> str | None:
        n = len(s.get("tittel") or "")
        return f"tittel is {n} characters, over {TITLE_MAX}" if n > TITLE_MAX else None

    return each_sent(arrivals, ("SendMelding", "OppdaterSaksstatus"), problem)


def https(operation: str, element: str) -> Check:
    """MS-LINK-001/002/003."""

    def check(arrivals: list[Arrival]) -> list[str]:
        def problem(a: Arrival, s: Sent) -> str | None:
            said = _https(s.get(element))
            return f"{element} {said}" if said else None

        return each_sent(arrivals, (operation,), problem)

    return check


def level(arrivals: list[Arrival]) -> list[str]:
    """MS-LEVEL-001."""

    def problem(a: Arrival, s: Sent) -> str | None:
        need = int(a.step.inputs["sikkerhetsnivaa"])
        text = s.get("sikkerhetsnivaa") or ""
        got = int(text) if text.isdigit() else -1
        if not 1 <= got <= 4 or got < need:
            return f"sikkerhetsnivaa {text!r}, below its service's {need}"
        return None

    return each_sent(receipts(arrivals), ("SendMelding",), problem)


def attachments_within_limits(arrivals: list[Arrival]) -> list[str]:
    """MS-ATT-001."""

    def problem(a: Arrival, s: Sent) -> str | None:
        v = s.vedlegg
        if len(v) > MAX_VEDLEGG:
            return f"{len(v)} attachments, over {MAX_VEDLEGG}"
        for x in v:
            if x.size < 0 or x.size > MAX_VEDLEGG_BYTES:
                return (
                    f"attachment {x.filnavn[:60]!r} is {x.size} bytes (at most {MAX_VEDLEGG_BYTES})"
                )
            if x.mimeType not in MIME_TYPES:
                return f"attachment {x.filnavn[:60]!r} has mimeType {x.mimeType[:60]!r}"
            if not x.filnavn or PurePosixPath(x.filnavn.replace("\\", "/")).name != x.filnavn:
                return f"attachment filnavn {x.filnavn[:60]!r} is not a plain file name"
        total = sum(max(x.size, 0) for x in v)
        if total > MAX_TOTAL_BYTES:
            return f"attachments of {total} bytes together, over {MAX_TOTAL_BYTES}"
        return None

    return each_sent(arrivals, ("SendMelding",), problem)


def receipt_attached(arrivals: list[Arrival]) -> list[str]:
    """MS-ATT-002."""

    def problem(a: Arrival) -> str | None:
        app = a.step.application
        assert app is not None
        name = f"kvittering-{app.referanse}.pdf"
        for v in _message(a).get("vedlegg", []):
            if v["data"] == app.kvittering:
                if v["mimeType"] != "application/pdf" or v["filnavn"] != name:
                    return f"the receipt is attached as {v['filnavn']!r} ({v['mimeType']})"
                return None
        return "the message does not carry the job's receipt document unchanged"

    return each(arrived_receipts(arrivals), problem)


# ------------------------------------------------------------------ the receipt


def one_message(arrivals: list[Arrival]) -> list[str]:
    """MS-MSG-001."""

    def problem(a: Arrival) -> str | None:
        n = len(a.messages_for_application())
        return None if n == 1 else f"{n} message(s) for the application, expected one"

    return each(having(arrivals, "clean"), problem)


def names_saksnummer(arrivals: list[Arrival]) -> list[str]:
    """MS-MSG-002."""

    def problem(a: Arrival) -> str | None:
        m, app = _message(a), a.step.application
        assert app is not None
        if app.saksnummer in f"{m['tittel']}\n{m['tekst']}":
            return None
        return f"neither tittel nor tekst names the saksnummer {app.saksnummer}"

    return each(arrived_receipts(arrivals), problem)


def links_case(arrivals: list[Arrival]) -> list[str]:
    """MS-MSG-003."""

    def problem(a: Arrival) -> str | None:
        got, app = _message(a).get("lenke"), a.step.application
        assert app is not None
        return None if got == app.lenke else f"lenke is {got!r}, not the case's {app.lenke!r}"

    return each(arrived_receipts(arrivals), problem)


def same_reference(arrivals: list[Arrival]) -> list[str]:
    """MS-MSG-004."""

    def problem(a: Arrival) -> str | None:
        refs = [s.get("eksternReferanse") for s in sent(a.exchanges, "SendMelding")]
        if len(set(refs)) > 1:
            return f"{len(refs)} attempts sent {len(set(refs))} eksternReferanse values"
        return None

    return each(receipts(arrivals), problem)


def stable_reference(arrivals: list[Arrival]) -> list[str]:
    """MS-MSG-005."""

    def problem(a: Arrival) -> str | None:
        n = len(a.messages_for_application())
        return None if n <= 1 else f"{n} messages for one application after it was asked again"

    return each(having(arrivals, "repeat"), problem)


def sender_name(arrivals: list[Arrival]) -> list[str]:
    """MS-MSG-006."""

    def problem(a: Arrival) -> str | None:
        got, want = _message(a).get("avsenderNavn"), a.step.inputs["avsenderNavn"]
        return None if got == want else f"avsenderNavn {got!r}, not {want!r}"

    return each(arrived_receipts(arrivals), problem)


# ------------------------------------------------------------------ the case


def case_opened(arrivals: list[Arrival]) -> list[str]:
    """MS-CASE-001."""

    def problem(a: Arrival) -> str | None:
        app = a.step.application
        assert app is not None
        found = [c for c in a.after["saker"] if c["saksnummer"] == app.saksnummer]
        if len(found) != 1:
            return f"{len(found)} case(s) with saksnummer {app.saksnummer}, expected one"
        c = found[0]
        if c["mottaker"] != app.mottaker:
            return "the case is not the applicant's"
        if c["status"] != "MOTTATT":
            return f"the case's status is {c['status']}, not MOTTATT"
        return None

    return each(having(arrivals, "clean"), problem)


def _asked(arrivals: list[Arrival], upto: Arrival) -> list[str]:
    """The statuses the archive's case went through up to ``upto``'s job, in order."""
    app = upto.step.application
    out = ["MOTTATT"]
    for a in arrivals:
        if a.step.application is app and a.step.action == "update-case-status":
            out.append(str(a.step.inputs["status"]))
        if a is upto:
            break
    return out


def case_follows(arrivals: list[Arrival]) -> list[str]:
    """MS-CASE-002."""

    def problem(a: Arrival) -> str | None:
        c = a.case_now()
        if c is None:
            return "the case is not in mine saker"
        want = _asked(arrivals, a)
        got = [h["status"] for h in c.get("historikk", [])]
        if c["status"] != a.step.inputs["status"] or got != want:
            return f"the case is {c['status']} with history {got}, the archive's went {want}"
        return None

    return each(having(arrivals, "update"), problem)


def never_backward(arrivals: list[Arrival]) -> list[str]:
    """MS-CASE-003."""

    def problem(a: Arrival, s: Sent) -> str | None:
        if "SAK_STATUS_BACKWARD" in s.codes or s.get("status") not in SAK_STATUSES:
            return f"sent status {s.get('status')!r} behind the case's (answered {s.codes})"
        return None

    return each_sent(arrivals, ("OppdaterSaksstatus",), problem)


def case_times(arrivals: list[Arrival]) -> list[str]:
    """MS-CASE-004."""

    def problem(a: Arrival) -> str | None:
        c = a.case_now()
        if c is None:
            return None
        want = _moment(str(a.step.inputs["tidspunkt"]))
        status = a.step.inputs["status"]
        times = [_moment(h["tidspunkt"]) for h in c.get("historikk", []) if h["status"] == status]
        if times and times[-1] != want:
            return f"{status} is dated {times[-1].isoformat()}, the archive's {want.isoformat()}"
        return None

    mine = having(arrivals, "clean") + having(arrivals, "update")
    return each(mine, problem)


def case_title_link(arrivals: list[Arrival]) -> list[str]:
    """MS-CASE-005."""

    def problem(a: Arrival) -> str | None:
        c = a.case_now()
        if c is None:
            return None
        i = a.step.inputs
        wrong = [
            f"{k} {c.get(k)!r} (job: {i[w]!r})"
            for k, w in (("tittel", "sakstittel"), ("lenke", "lenke"))
            if c.get(k) != i[w]
        ]
        return "the case's " + ", ".join(wrong) if wrong else None

    return each(having(arrivals, "clean") + having(arrivals, "update"), problem)


# ------------------------------------------------------------------ faults and the report


def fault_survived(requirement: str) -> Check:
    """MS-FAULT-00x: the fault's job ends with exactly one of what it makes."""

    def check(arrivals: list[Arrival]) -> list[str]:
        mine = [a for a in arrivals if a.step.fault and a.step.fault.requirement == requirement]
        if not mine:
            return [f"the run made no job for {requirement}"]

        def problem(a: Arrival) -> str | None:
            assert a.step.fault is not None
            under = f"under {a.step.fault.kind} on {a.step.fault.operation}: "
            if a.step.action == "register-service":
                said = _service_differs(a)
                return under + said if said else None
            app = a.step.application
            assert app is not None
            cases = [c for c in a.after["saker"] if c["saksnummer"] == app.saksnummer]
            if a.step.action == "update-case-status":
                c = a.case_now()
                moved = [h["status"] for h in (c or {}).get("historikk", [])]
                status = a.step.inputs["status"]
                if (
                    len(cases) != 1
                    or c is None
                    or c["status"] != status
                    or moved.count(status) != 1
                ):
                    return under + f"{len(cases)} case(s), history {moved}, expected {status} once"
                return None
            n = len(a.messages_for_application())
            if n != 1 or len(cases) != 1:
                return under + f"{n} message(s) and {len(cases)} case(s), expected one of each"
            return None

        return each(mine, problem)

    return check


def reports_success(arrivals: list[Arrival]) -> list[str]:
    """MS-REP-001."""
    return each(
        [a for a in arrivals if a.step.expect == "arrive" and a.whole],
        lambda a: (
            None
            if a.reply.success is not False
            else f"arrived, but the client reported failure ({a.reply.detail})"
        ),
    )


def no_false_success(arrivals: list[Arrival]) -> list[str]:
    """MS-REP-002."""
    return each(
        [a for a in arrivals if a.step.expect == "refused" or not a.whole],
        lambda a: (
            f"the client reported success ({a.reply.detail}) though it did not arrive"
            if a.reply.success is True and not a.whole
            else None
        ),
    )


def within_deadline(arrivals: list[Arrival]) -> list[str]:
    """MS-REP-003."""
    return each(
        arrivals,
        lambda a: a.reply.detail if a.reply.detail.startswith("no answer within") else None,
    )


CHECKS: dict[str, Check] = {
    "MS-SVC-001": service_as_given,
    "MS-SVC-002": service_before_link,
    "MS-SVC-003": service_updated,
    "MS-ID-001": mottaker,
    "MS-ID-002": avsender,
    "MS-ID-003": owner,
    "MS-TITLE-001": no_number_in_title("SendMelding"),
    "MS-TITLE-002": no_number_in_title("OppdaterSaksstatus"),
    "MS-TITLE-003": title_length,
    "MS-LINK-001": https("RegistrerTjeneste", "url"),
    "MS-LINK-002": https("SendMelding", "lenke"),
    "MS-LINK-003": https("OppdaterSaksstatus", "lenke"),
    "MS-LEVEL-001": level,
    "MS-ATT-001": attachments_within_limits,
    "MS-ATT-002": receipt_attached,
    "MS-MSG-001": one_message,
    "MS-MSG-002": names_saksnummer,
    "MS-MSG-003": links_case,
    "MS-MSG-004": same_reference,
    "MS-MSG-005": stable_reference,
    "MS-MSG-006": sender_name,
    "MS-CASE-001": case_opened,
    "MS-CASE-002": case_follows,
    "MS-CASE-003": never_backward,
    "MS-CASE-004": case_times,
    "MS-CASE-005": case_title_link,
    "MS-FAULT-001": fault_survived("MS-FAULT-001"),
    "MS-FAULT-002": fault_survived("MS-FAULT-002"),
    "MS-FAULT-003": fault_survived("MS-FAULT-003"),
    "MS-FAULT-004": fault_survived("MS-FAULT-004"),
    "MS-FAULT-005": fault_survived("MS-FAULT-005"),
    "MS-FAULT-006": fault_survived("MS-FAULT-006"),
    "MS-REP-001": reports_success,
    "MS-REP-002": no_false_success,
    "MS-REP-003": within_deadline,
}
REPORTED = frozenset({"MS-REP-001", "MS-REP-002", "MS-REP-003"})  # the client's own word
