"""The whole journey (issue 12): a citizen's login, the form into the archive, the news to MinSide.

``deliver_journey(data)`` does a ``deliver-form`` job that also carries the citizen's login
(``inputs.login.SAMLResponse``: the portal's signed Response, base64, IdP-initiated; see
``login.py``) and names the portal (``services.portal.metadata_url``) and MinSide
(``services.tjenestekatalog``, ``meldingsboks``, ``minesaker``). The engine

1. verifies the login against the portal's metadata; an unverifiable login ends the job, with
   nothing delivered;
2. writes the login's uid as Innsender's fødselsnummer and its SecurityLevel as the form's
   ``Metadata/sikkerhetsnivaa``, over what the citizen typed (a seam of ``Policies.prefill``,
   so the delivery itself is the reference engine's, unchanged);
3. delivers the form (``Engine.deliver``);
4. registers its service at MinSide, sends the login's uid the receipt naming the archive's
   saksnummer, and the case with status MOTTATT.

``sync_case_status(data)`` does a ``sync-case-status`` job (inputs: ``referanse``, the
application's, and ``mottaker``): it reads the case from the archive by the engine's external
key and sends MinSide the archive's saStatus mapped (``minside.STATUS_BY_SA_STATUS``).

The sender at MinSide is the form's Mottaker (the municipality the citizen applied to). The
choices a vendor's engine gets wrong are the fields of ``JourneyPolicies``, swapped by the
defect registry.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from tpn.mocks.formengine import form as forms
from tpn.mocks.formengine import login as logins
from tpn.mocks.formengine import minside as ms
from tpn.mocks.formengine.archive import ArchiveClient, Refused, Transient
from tpn.mocks.formengine.engine import DEFAULT_RETRIES, DEFAULT_TIMEOUT, Engine, Result
from tpn.mocks.formengine.form import AskRegister, FormError
from tpn.mocks.formengine.job import (
    MAX_JOB_BYTES,
    DeliveryJob,
    JobError,
    Service,
    _object,
    _service,
    _text,
    parse_job,
    read_document,
)
from tpn.mocks.formengine.messages import SYSTEM
from tpn.mocks.formengine.policies import REFERENCE, Policies
from tpn.mocks.referencesp.checks import Checks

SYNC_ACTION = "sync-case-status"
# The reference engine's identity at the portal (its SP metadata: ``tpn engine metadata``).
ENTITY_ID = "https://skjema.tpn-harness.example/"
ACS_URL = "https://skjema.tpn-harness.example/saml/acs"
SLO_URL = "https://skjema.tpn-harness.example/saml/slo"
CASE_URL = "https://skjema.tpn-harness.example/sak"
TJENESTE_ID = "tpn-skjema"


def login_uid(login: logins.Login, typed: str | None) -> str:
    """The reference: Innsender is who logged in, whatever was typed."""
    return login.uid


def login_level(login: logins.Login, typed: str | None) -> str:
    """The reference: the form's sikkerhetsnivaa is the login's level."""
    return str(login.level)


def minside_case(
    sender: ms.Sender,
    mottaker: str,
    referanse: str,
    tittel: str,
    case: Mapping[str, Any],
    status: str,
    now: dt.datetime,
) -> dict[str, Any]:
    """The reference: MinSide's case is the archive's case, by its saksnummer."""
    return ms.sak(sender, mottaker, tittel, case, status, now)


@dataclass(frozen=True)
class JourneyPolicies:
    """The journey's seams (a defect swaps one): which login checks are made, whose uid and
    level the form gets, what the receipt and the MinSide case say, how the archive's saStatus
    is shown."""

    checks: Checks = logins.JOURNEY_CHECKS
    applicant: Callable[[logins.Login, str | None], str] = login_uid
    level: Callable[[logins.Login, str | None], str] = login_level
    receipt: Callable[[ms.Sender, str, str, str, Mapping[str, Any]], dict[str, Any]] = ms.receipt
    case: Callable[
        [ms.Sender, str, str, str, Mapping[str, Any], str, dt.datetime], dict[str, Any]
    ] = minside_case
    status: Callable[[str], str | None] = ms.minside_status  # None: nothing sent


JOURNEY_REFERENCE = JourneyPolicies()


@dataclass(frozen=True)
class MinSideServices:
    tjenestekatalog: Service
    meldingsboks: Service
    minesaker: Service


def _raw(data: bytes) -> Mapping[str, Any]:
    if len(data) > MAX_JOB_BYTES:
        raise JobError(f"the job is larger than {MAX_JOB_BYTES} bytes")
    try:
        return _object(json.loads(data.decode("utf-8")), "the job")
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise JobError("the job is not UTF-8 JSON") from None


def _minside(services: Mapping[str, Any]) -> MinSideServices:
    return MinSideServices(*(_service(services.get(n), f"services.{n}") for n in ms.SERVICE_NAMES))


def _with_login(
    prefill: Callable[[Any, DeliveryJob, AskRegister], None],
    login: logins.Login,
    policies: JourneyPolicies,
) -> Callable[[Any, DeliveryJob, AskRegister], None]:
    def write(root: Any, job: DeliveryJob, ask: AskRegister) -> None:
        prefill(root, job, ask)
        ns = forms.namespace(job)
        fnr = root.find(f"{{{ns}}}Innsender/{{{ns}}}foedselsnummer")
        level = root.find(f"{{{ns}}}Metadata/{{{ns}}}sikkerhetsnivaa")
        if fnr is None or level is None:
            raise FormError("a journey's form needs Innsender/foedselsnummer and sikkerhetsnivaa")
        fnr.text = policies.applicant(login, fnr.text)
        level.text = policies.level(login, level.text)

    return write


def _sender(job: DeliveryJob) -> tuple[ms.Sender, str]:
    """Who sends at MinSide (the form's Mottaker) and the form's title."""
    root = forms.parse(read_document(job, forms.MAX_BYTES), job)
    ns = forms.namespace(job)
    mottaker = root.find(f"{{{ns}}}Mottaker")
    if mottaker is None:
        raise FormError("the job's document has no Mottaker")
    kommunenummer = mottaker.findtext(f"{{{ns}}}kommunenummer", "").strip()
    sender = ms.Sender(
        orgnr=mottaker.findtext(f"{{{ns}}}organisasjonsnummer", "").strip(),
        navn=mottaker.findtext(f"{{{ns}}}kommunenavn", "").strip(),
        kommunenummer=kommunenummer,
        # tjenesteId is MinSide-wide and owned by one eierOrgnr: one per municipality.
        tjeneste_id=f"{TJENESTE_ID}-{kommunenummer}",
        tjeneste_navn="Skjema til kommunen",
        case_url=CASE_URL,
    )
    return sender, job.tittel


def deliver_journey(
    data: bytes,
    *,
    policies: Policies = REFERENCE,
    journey: JourneyPolicies = JOURNEY_REFERENCE,
    timeout: float = DEFAULT_TIMEOUT,
    retries: int = DEFAULT_RETRIES,
    entity_id: str = ENTITY_ID,
    acs_url: str = ACS_URL,
) -> Result:
    """Do a journey job (see the module's docstring); the Result says how it ended."""
    try:
        job = parse_job(data)
        raw = _raw(data)
        inputs = _object(raw.get("inputs"), "inputs")
        services = _object(raw.get("services"), "services")
        portal = _object(services.get("portal"), "services.portal")
        metadata_url = _text(portal.get("metadata_url"), "services.portal.metadata_url")
        minside = _minside(services)
        login_input = _object(inputs.get("login"), "inputs.login")
        saml = logins.bounded(login_input.get("SAMLResponse"), "inputs.login.SAMLResponse")
        trust = logins.fetch_metadata(metadata_url, timeout=timeout)
        login = logins.verify(
            saml, trust, entity_id=entity_id, acs_url=acs_url, checks=journey.checks
        )
        sender, tittel = _sender(job)
    except (JobError, FormError, logins.LoginError) as exc:
        return Result(False, str(exc))
    engine = Engine(
        replace(policies, prefill=_with_login(policies.prefill, login, journey)),
        timeout=timeout,
        retries=retries,
    )
    result = engine.deliver(job)
    if not result.success:
        return result
    client = ms.MinSideClient(*_services(minside), timeout=timeout)
    try:
        uid = journey.applicant(login, None)
        client.register(sender, job.skjema_id)
        client.send_receipt(
            sender, journey.receipt(sender, uid, job.referanse, tittel, result.case)
        )
        now = dt.datetime.now(dt.UTC)
        client.update_case(
            journey.case(sender, uid, job.referanse, tittel, result.case, ms.RECEIVED, now)
        )
    except ms.MinSideError as exc:
        return replace(result, success=False, detail=f"delivered, but MinSide: {exc}")
    finally:
        client.close()
    return replace(result, detail=f"{result.detail}; MinSide told {ms.saksnummer(result.case)}")


def _services(m: MinSideServices) -> tuple[Service, Service, Service]:
    return m.tjenestekatalog, m.meldingsboks, m.minesaker


def sync_case_status(
    data: bytes,
    *,
    journey: JourneyPolicies = JOURNEY_REFERENCE,
    timeout: float = DEFAULT_TIMEOUT,
) -> Result:
    """Do a ``sync-case-status`` job: the archive's case status, mapped, to MinSide."""
    try:
        raw = _raw(data)
        if raw.get("action") != SYNC_ACTION:
            raise JobError(f"action must be {SYNC_ACTION!r}")
        inputs = _object(raw.get("inputs"), "inputs")
        services = _object(raw.get("services"), "services")
        referanse = _text(inputs.get("referanse"), "inputs.referanse")
        mottaker = _text(inputs.get("mottaker"), "inputs.mottaker")
        sender = ms.Sender(
            orgnr=_text(inputs.get("avsenderOrgnr"), "inputs.avsenderOrgnr"),
            navn="",
            kommunenummer="",
            tjeneste_id=TJENESTE_ID,
            tjeneste_navn="",
            case_url=CASE_URL,
        )
        archive = _service(services.get("archive"), "services.archive")
        minside = _minside(services)
    except JobError as exc:
        return Result(False, str(exc))
    client = ArchiveClient(archive, timeout=timeout)
    try:
        key = {"eksternSystem": SYSTEM, "nokkel": referanse}
        answer = client.call("GetNoarksak", {"saEksternNokkel": key}, timeout=timeout)
    except (Transient, Refused) as exc:
        return Result(False, f"GetNoarksak: {exc}")
    finally:
        client.close()
    found = answer.stored or []
    if answer.status == "ERROR" or len(found) != 1:
        return Result(False, f"the archive has no one case for {referanse}: {answer.describe()}")
    sak = found[0]
    case = {"saSaar": sak.saSaar, "saSeknr": sak.saSeknr}
    try:
        status = journey.status(str(sak.saStatus))
    except ms.MinSideError as exc:
        return Result(False, str(exc), case=case)
    if status is None:
        return Result(True, "nothing sent", case=case)
    minside_client = ms.MinSideClient(*_services(minside), timeout=timeout)
    try:
        now = dt.datetime.now(dt.UTC)
        minside_client.update_case(
            journey.case(
                sender, mottaker, referanse, str(sak.saTittel or referanse), case, status, now
            )
        )
    except ms.MinSideError as exc:
        return Result(False, str(exc), case=case)
    finally:
        minside_client.close()
    return Result(True, f"case {ms.saksnummer(case)} is {status} at MinSide", case=case)


def is_journey(data: bytes) -> bool:
    """Whether a job is the journey's: a sync, or a delivery that carries a login."""
    try:
        raw = _raw(data)
    except JobError:
        return False
    inputs = raw.get("inputs")
    return raw.get("action") == SYNC_ACTION or (isinstance(inputs, dict) and "login" in inputs)


def run(
    data: bytes,
    *,
    policies: Policies = REFERENCE,
    journey: JourneyPolicies = JOURNEY_REFERENCE,
    timeout: float = DEFAULT_TIMEOUT,
    retries: int = DEFAULT_RETRIES,
) -> Result:
    """A journey job of either action (``is_journey``)."""
    if _raw(data).get("action") == SYNC_ACTION:
        return sync_case_status(data, journey=journey, timeout=timeout)
    return deliver_journey(
        data, policies=policies, journey=journey, timeout=timeout, retries=retries
    )
