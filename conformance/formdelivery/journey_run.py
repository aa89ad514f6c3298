"""Running the citizen's whole journey (``--with-minside``): login, delivery, receipt, case status.

For each application the suite, as the citizen, logs a persona in at the security portal for
the engine (the portal's own ``login``: BankID gives level 4, MinID level 3) and hands the
engine the portal's signed Response in the job (``inputs.login.SAMLResponse``, base64, as the
HTTP-POST binding carries it: an IdP-initiated login, since an engine asked by a job sends no
AuthnRequest). What the citizen typed names another person as Innsender and another level: the
engine must take both from the login. One application's login is changed after the portal
signed it (its uid becomes the typed person's): the engine must deliver nothing for it.

After a delivery that arrived the suite moves the archive's case (its saStatus, through the
archive's own PutNoarksak, as a case officer's system would) and asks the engine to sync
(``action: sync-case-status``); MinSide's case must follow. The findings are judged from what
the archive and MinSide hold (``tpn.conformance.formdelivery.journey.judge``), never from the
engine's word. The journey runs in mocks of its own, after the run's deliveries.
"""

from __future__ import annotations

import base64
import datetime as dt
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tpn.conformance.client import Asker, Job, Reply, Service
from tpn.conformance.client.observe import Journaled, Window
from tpn.conformance.formdelivery import journey as judging
from tpn.conformance.formdelivery.plan import Delivery, _delivery, _form
from tpn.fixtures import population

if TYPE_CHECKING:
    from tpn.mocks.core.journal import Exchange

SYNC_ACTION = "sync-case-status"
MINSIDE_SERVICES = ("tjenestekatalog", "meldingsboks", "minesaker")
LEVEL_OF = {"Minid-PIN": 3, "BankID": 4}
# (form, login method, the level the citizen typed, tampered, asked twice, the saStatus the
# case moves to). The moves only go forward in MinSide's order (R -> MOTTATT is where a case
# starts). A job asked twice is the same job done again, as after a crash or a queue's
# redelivery: the archive, the receipt and the case must each come out once (FD-J-007).
APPLICATIONS: tuple[tuple[str, str, int, bool, bool, str | None], ...] = (
    ("KS-BARNEHAGE", "BankID", 3, False, False, "F"),
    ("KS-KULTURSKOLE", "Minid-PIN", 4, False, True, "A"),
    ("KS-SFO", "BankID", 4, True, False, None),
)
# The form-delivery jobs' short names, so one --engine-cmd template serves every job of a run
# (a sync job has no document: there {document} is left as written).
ALIASES = {
    "document": "files.document",
    "form": "inputs.skjemaId",
    "referanse": "inputs.referanse",
    "archive_url": "services.archive.url",
    "user": "services.archive.user",
    "password": "services.archive.password",
    "register_url": "services.register.url",
}


@dataclass(frozen=True)
class PortalService(Service):
    """The portal in a job: where its metadata is (the engine's trust in the login)."""

    metadata_url: str = ""

    def to_json(self) -> dict[str, str]:
        return {**super().to_json(), "metadata_url": self.metadata_url}


@dataclass(frozen=True)
class Planned:
    """One application of the journey: the form, who logs in and what they typed."""

    delivery: Delivery
    method: str  # the login method at the portal
    login_uid: str  # who logs in (the generated form's own applicant)
    typed_uid: str  # the fødselsnummer typed into Innsender: another adult's
    typed_level: int
    tampered: bool  # the portal's Response is changed after signing: nothing may arrive
    repeat: bool  # the delivery job is asked twice
    move: str | None  # the saStatus the archive's case is moved to before the sync

    @property
    def id(self) -> str:
        return self.delivery.id

    @property
    def login_level(self) -> int:
        return LEVEL_OF[self.method]

    @property
    def avsender_orgnr(self) -> str:
        """The sender at MinSide: the municipality the form is addressed to (its Mottaker)."""
        assert self.delivery.full is not None
        return self.delivery.full.text("Mottaker/organisasjonsnummer") or ""


def _adults(today: dt.date) -> list[str]:
    return [
        p.foedselsnummer
        for p in population.personas()
        if not p.dnr and (today - p.born).days >= 18 * 366
    ]


def applications(seed: int, today: dt.date | None = None) -> list[Planned]:
    """The journey's applications, made from ``seed``. Everyone in them is someone else: no
    two applications share a person, logged in or typed, so each application's messages and
    cases in MinSide are its own (the judge finds them by person and sender)."""
    rng = random.Random(seed ^ 0x70E7)
    adults = _adults(today or dt.date.today())
    used: set[str] = set()
    out = []
    for n, (skjema, method, typed_level, tampered, repeat, move) in enumerate(
        APPLICATIONS, start=1
    ):
        while True:  # a form whose applicant no earlier application has
            d = _delivery(
                f"fd-journey-{n}-{skjema.lower()}", _form(skjema), rng.randrange(2**32), ()
            )
            assert d.full is not None
            login_uid = d.full.text("Innsender/foedselsnummer") or ""
            if login_uid not in used:
                break
        used.add(login_uid)
        typed_uid = rng.choice([a for a in adults if a not in used])
        used.add(typed_uid)
        typed = d.full.copy()
        for path, value in (
            ("Innsender/foedselsnummer", typed_uid),
            ("Metadata/sikkerhetsnivaa", str(typed_level)),
        ):
            el = typed.find(path)
            assert el is not None, path
            el.text = value
        d = replace(d, document=typed.to_bytes(), purposes=("journey",))
        out.append(Planned(d, method, login_uid, typed_uid, typed_level, tampered, repeat, move))
    return out


@dataclass
class Trip:
    """One application as it went: the engine's replies and the judge's findings."""

    app: Planned
    reply: Reply
    sync: Reply | None
    findings: dict[str, judging.Finding]
    saksnummer: str | None = None  # the archive's, where one case arrived
    # What the engine sent the mocks for this application (login, delivery, MinSide, sync).
    exchanges: list[Exchange] = field(default_factory=list)


@dataclass
class Journey:
    """Every trip of the run, and MinSide's and the archive's contents at its end."""

    trips: list[Trip]
    minside: dict[str, list[dict[str, Any]]]

    def findings(self, requirement: str) -> list[tuple[Trip, judging.Finding]]:
        """Each application's finding for ``requirement`` (those that judge it)."""
        return [(t, t.findings[requirement]) for t in self.trips if requirement in t.findings]

    def exchanges_of(self, application_id: str) -> list[Exchange]:
        return next((t.exchanges for t in self.trips if t.app.id == application_id), [])


Login = Callable[[str, str], bytes]  # (uid, method) -> the portal's signed Response
Move = Callable[[str, str], None]  # (referanse, saStatus): the archive's case moved


def tamper(response: bytes, login_uid: str, typed_uid: str) -> bytes:
    """The signed Response with its uid changed afterwards: a login no SP may trust."""
    return response.replace(f">{login_uid}<".encode(), f">{typed_uid}<".encode())


def _saksnummer(cases: list[dict[str, Any]], referanse: str) -> str | None:
    mine = [c for c in cases if (c.get("saEksternNokkel") or {}).get("nokkel") == referanse]
    return f"{mine[0]['saSaar']}/{mine[0]['saSeknr']}" if len(mine) == 1 else None


@dataclass
class JourneyRunner:
    """Runs the journey's applications through ``asker`` into the composed mocks."""

    asker: Asker
    login: Login
    move: Move
    archive: Callable[[], list[dict[str, Any]]]  # the archive's contents
    minside: Callable[[], dict[str, list[dict[str, Any]]]]  # MinSide's contents
    services: Mapping[str, Service]
    run_id: str
    files: Path
    deadline: float
    say: Callable[[str], None] = lambda _: None
    journaled: Journaled | None = None  # the mocks, whose journal is each trip's evidence

    def job(self, app: Planned, response: bytes) -> Job:
        d = app.delivery
        document = self.files / f"{d.id}.xml"
        document.write_bytes(d.document)
        return Job(
            id=d.id,
            run=self.run_id,
            action="deliver-form",
            inputs={
                "skjemaId": d.form.id,
                "versjon": d.form.version,
                "referanse": d.referanse,
                "tittel": d.form.title,
                "confidential": d.form.confidential,
                "applicant": d.form.applicant,
                "building": d.building,
                "login": {"SAMLResponse": base64.b64encode(response).decode("ascii")},
            },
            files={"document": document},
            services=self.services,
            deadline_seconds=self.deadline,
            aliases=ALIASES,
            instructions=(
                f"deliver the form {d.form.id} in the job's document as the citizen whose "
                "login the job carries, then send the receipt and the case to MinSide"
            ),
        )

    def sync_job(self, app: Planned, saksnummer: str) -> Job:
        d = app.delivery
        return Job(
            id=f"{d.id}-sync",
            run=self.run_id,
            action=SYNC_ACTION,
            inputs={
                "referanse": d.referanse,
                "saksnummer": saksnummer,
                "skjemaId": d.form.id,
                "mottaker": app.login_uid,
                "avsenderOrgnr": app.avsender_orgnr,
            },
            services={k: v for k, v in self.services.items() if k != "portal"},
            deadline_seconds=self.deadline,
            aliases=ALIASES,
            instructions=f"send MinSide the status of case {saksnummer} as the archive has it",
        )

    def trip(self, app: Planned) -> Trip:
        window = Window(self.journaled) if self.journaled is not None else None
        response = self.login(app.login_uid, app.method)
        if app.tampered:
            response = tamper(response, app.login_uid, app.typed_uid)
        job = self.job(app, response)
        reply = self.asker.ask(job, lambda: False)
        if app.repeat:  # what the engine said the second time is what counts
            reply = self.asker.ask(job, lambda: False)
        saksnummer = _saksnummer(self.archive(), app.delivery.referanse)
        sync = None
        if saksnummer is not None and app.move is not None and not app.tampered:
            self.move(app.delivery.referanse, app.move)
            sync = self.asker.ask(self.sync_job(app, saksnummer), lambda: False)
        judged = judging.Application(
            referanse=app.delivery.referanse,
            uid=app.login_uid,
            level=app.login_level,
            typed=app.typed_uid,
            avsender_orgnr=app.avsender_orgnr,
            forged=app.tampered,
            synced_sa_status=app.move if sync is not None else None,
        )
        findings = judging.judge(judged, self.archive(), self.minside())
        exchanges = window.exchanges() if window is not None else []
        return Trip(app, reply, sync, findings, saksnummer, exchanges)

    def run(self, apps: list[Planned]) -> Journey:
        trips = []
        for app in apps:
            trip = self.trip(app)
            said = "a forged login" if app.tampered else f"{app.method}, level {app.login_level}"
            said += ", asked twice" if app.repeat else ""
            failed = sorted(r for r, f in trip.findings.items() if not f.passed)
            self.say(
                f"tpn: journey {app.id} ({said}): the engine reported {trip.reply.reported}"
                + (f", case {trip.saksnummer}" if trip.saksnummer else ", no case")
                + (f"; synced after saStatus {app.move}" if trip.sync is not None else "")
                + (f"; failing {', '.join(failed)}" if failed else "")
            )
            trips.append(trip)
        return Journey(trips, self.minside())


def reference_metadata() -> bytes:
    """The reference engine's SP metadata (its fixed entityID and HTTP-POST ACS), signed by a
    key made for the run."""
    from tpn.mocks.formengine import journey
    from tpn.mocks.saml import keys, metadata, ns

    key = keys.generate("tpn-harness reference form engine")
    return metadata.sp(journey.ENTITY_ID, journey.ACS_URL, journey.SLO_URL, key, binding=ns.POST)


def runner_for(
    mocks: Any,
    asker: Asker,
    *,
    metadata: bytes,
    services: Mapping[str, Service],
    run_id: str,
    files: Path,
    deadline: float,
    say: Callable[[str], None] = lambda _: None,
) -> JourneyRunner:
    """The journey over running composed mocks (``tpn.mocks.compose.ComposedMock``): the
    engine's SP ``metadata`` registered with the portal (a ValueError says why it cannot be),
    logins made by the portal itself, the archive's cases moved by its own PutNoarksak."""
    from tpn.mocks.minside.mock import MinSidePart
    from tpn.mocks.noark4ws import model as m
    from tpn.mocks.noark4ws.mock import ArchivePart
    from tpn.mocks.saml import ns
    from tpn.mocks.saml.messages import new_id
    from tpn.mocks.sikkerhetsportal.mock import PortalPart
    from tpn.mocks.sikkerhetsportal.portal import PREFIX, Pending

    base = mocks.base_url
    portal = mocks.parts.part(PortalPart).portal.at(base)
    engine = portal.register(metadata)
    acs = next((e for e in engine.acs if e.binding == ns.POST), None)
    if acs is None:
        raise ValueError(f"{engine.entity_id}'s metadata names no HTTP-POST ACS for the login")
    archive = mocks.parts.part(ArchivePart).archive
    minside = mocks.parts.part(MinSidePart).minside

    def login(uid: str, method: str) -> bytes:
        pending = Pending(new_id(), engine.entity_id, acs.location, 3, None, ns.POST)
        response: bytes | None = portal.login(pending, uid, method).response
        if response is None:
            raise RuntimeError(f"the portal gave no Response for {method}")
        return response

    def move(referanse: str, status: str) -> None:
        said = next(
            c["saId"]
            for c in archive.contents()
            if (c.get("saEksternNokkel") or {}).get("nokkel") == referanse
        )
        sak = m.NoarksakType(saId=said, saStatus=status)
        answer = archive.put_noarksak(m.PutNoarksakRequest(noarksak=sak))
        if answer.status.type not in ("OK", "WARNING"):
            raise RuntimeError(f"the archive did not move case {said} to {status}")

    # MinSide asks the archive's credentials: one user of the mocks for the engine.
    user, password = services["archive"].user, services["archive"].password
    journey_services = dict(services) | {
        "portal": PortalService(f"{base}{PREFIX}", metadata_url=f"{base}{PREFIX}/metadata"),
        **{name: Service(f"{base}/minside/{name}", user, password) for name in MINSIDE_SERVICES},
    }
    return JourneyRunner(
        asker=asker,
        login=login,
        move=move,
        archive=archive.contents,
        minside=minside.contents,
        services=journey_services,
        run_id=run_id,
        files=files,
        deadline=deadline,
        say=say,
        journaled=mocks,
    )
