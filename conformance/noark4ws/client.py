"""The suite's client of a Noark-4 WS target: zeep from the profile's own WSDL, every exchange
recorded as evidence, and a budget on what it creates.

The suite judges the target against the standard, so the client is built from the profile's WSDL
in ``tpn.fixtures`` (not the target's), bound to the target's URL. zeep parses leniently
(``strict=False``): a schema slip in an answer fails the schema requirements, which validate
the raw answers, instead of every test at once.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from typing import Any

import requests
import zeep
from zeep.transports import Transport

from tpn.conformance.evidence import Exchange, Message, Recorder
from tpn.conformance.noark4ws.budget import SYSTEM, Spent
from tpn.conformance.noark4ws.checks import expect_ok
from tpn.conformance.target import Target, session
from tpn.conformance.transport import TargetMisbehaved
from tpn.fixtures import standard_file

NS = "http://www.arkivverket.no/Noark4-1-WS-WD/types"
SOAP_CONTENT_TYPE = "text/xml; charset=utf-8"
# Requests to the target run under the run's guard: the deadline is --tpn-request-timeout, the
# answer's size --tpn-max-response (tpn.conformance.transport). Only the admin side's quick
# calls bound themselves tighter.
ADMIN_TIMEOUT = 10


def _exchange(
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes,
    response: requests.Response | None,
    started: float,
    error: str | None = None,
) -> Exchange:
    return Exchange(
        method=method,
        url=url,
        status=response.status_code if response is not None else None,
        request=Message.of(headers, body),
        response=Message.of(dict(response.headers), response.content)
        if response is not None
        else None,
        elapsed_ms=(time.perf_counter() - started) * 1000,
        error=error,
    )


class RecordingTransport(Transport):
    """zeep's transport, recording every SOAP exchange in the run's recorder."""

    def __init__(self, recorder: Recorder, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.recorder = recorder

    def post(self, address: str, message: bytes | str, headers: dict[str, str]) -> Any:
        body = message.encode("utf-8") if isinstance(message, str) else message
        started = time.perf_counter()
        try:
            response = super().post(address, message, headers)
        except (requests.RequestException, TargetMisbehaved) as exc:
            self.recorder.add(_exchange("POST", address, headers, body, None, started, str(exc)))
            raise
        self.recorder.add(_exchange("POST", address, headers, body, response, started))
        return response


class Archive:
    """The target archive as the tests use it."""

    def __init__(self, target: Target, recorder: Recorder, spent: Spent, run_id: str) -> None:
        self.target = target
        self.recorder = recorder
        self.spent = spent
        self.run_id = run_id
        self.http = session(target)
        # No timeouts of zeep's own: the session's guard gives every request its deadline.
        transport = RecordingTransport(
            recorder, session=self.http, timeout=None, operation_timeout=None
        )
        wsdl = str(standard_file("noark4ws", "noark4ws.wsdl"))
        self.client = zeep.Client(
            wsdl, transport=transport, settings=zeep.Settings(strict=False, xml_huge_tree=True)
        )
        self.service = self.client.create_service(f"{{{NS}}}Noark4WS", target.url)
        self._serial = itertools.count(1)

    # ------------------------------------------------------------------ identities of our data

    def token(self) -> str:
        """A word no other run or test uses, to find exactly our objects again by search."""
        # Zero-padded and closed by a letter, so that no token is a substring of another.
        return f"tpn{self.run_id}n{next(self._serial):05d}x"

    def key(self, label: str = "k") -> dict[str, str]:
        """A fresh external key of this run."""
        return {"eksternSystem": SYSTEM, "nokkel": f"{self.run_id}-{label}-{next(self._serial)}"}

    # ------------------------------------------------------------------ the four operations

    def put_sak(self, **noarksak: Any) -> Any:
        if not noarksak.get("saId"):
            self.spent.charge(cases=1)
        return self.service.PutNoarksak(noarksak=noarksak)

    def put_jp(self, **journpost: Any) -> Any:
        size = sum(
            len((d.get("fil") or {}).get("base64") or b"") for d in journpost.get("dokument", [])
        )
        self.spent.charge(entries=0 if journpost.get("jpId") else 1, document_bytes=size)
        return self.service.PutJournpost(journpost=journpost)

    def get_sak(self, **request: Any) -> Any:
        return self.service.GetNoarksak(**request)

    def get_jp(self, **request: Any) -> Any:
        return self.service.GetJournpost(**request)

    def raw(self, operation: str, **request: Any) -> requests.Response:
        """The HTTP answer to ``operation`` as sent, unparsed (for schema and envelope checks)."""
        with self.client.settings(raw_response=True):
            response: requests.Response = getattr(self.service, operation)(**request)
        return response

    # ------------------------------------------------------------------ happy paths

    def new_sak(self, saTittel: str | None = None, **fields: Any) -> Any:
        """Create a case of this run (asserting OK) and return it as stored."""
        fields.setdefault("saEksternNokkel", self.key("sak"))
        title = saTittel if saTittel is not None else f"Byggesak {self.token()}"
        return expect_ok(self.put_sak(saTittel=title, **fields), "PutNoarksak").noarksak

    def new_jp(self, sak: Any, jpInnhold: str | None = None, **fields: Any) -> Any:
        """Create an entry in ``sak`` (asserting OK) and return it as stored."""
        fields.setdefault("jpEksternNokkel", self.key("jp"))
        content = (
            jpInnhold if jpInnhold is not None else f"Søknad om rammetillatelse {self.token()}"
        )
        resp = self.put_jp(jpInnhold=content, jpSaar=sak.saSaar, jpSaseknr=sak.saSeknr, **fields)
        return expect_ok(resp, "PutJournpost").journpost

    def sak(self, said: str, **flags: Any) -> Any:
        """The one case with ``said``, with the return flags given (asserting OK)."""
        resp = expect_ok(
            self.get_sak(saId=said, returnNoarksakRequests=flags or None), "GetNoarksak"
        )
        assert len(resp.noarksak) == 1, (
            f"GetNoarksak by saId {said} gave {len(resp.noarksak)} cases"
        )
        return resp.noarksak[0]

    def jp(self, jpid: str, **flags: Any) -> Any:
        resp = self.get_jp(jpId=jpid, returnJournpostRequests=flags or None)
        found = expect_ok(resp, "GetJournpost").journpost
        assert len(found) == 1, f"GetJournpost by jpId {jpid} gave {len(found)} entries"
        return found[0]

    def update_jp(self, jp: Any, **fields: Any) -> Any:
        return self.put_jp(jpId=jp.jpId, jpInnhold=fields.pop("jpInnhold", jp.jpInnhold), **fields)

    # ------------------------------------------------------------------ raw HTTP

    def post(
        self,
        body: bytes,
        *,
        content_type: str = SOAP_CONTENT_TYPE,
        auth: bool | tuple[str, str] = True,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        """POST ``body`` to the endpoint as is (for bad input and transport checks), recorded.

        ``auth``: True sends the run's credentials, False none, a pair those credentials.
        """
        sent = {"Content-Type": content_type, **(headers or {})}
        chosen: requests.auth.AuthBase | None = None
        if auth is False:
            chosen = _NoAuth()
        elif isinstance(auth, tuple):
            chosen = requests.auth.HTTPBasicAuth(*auth)
        started = time.perf_counter()
        try:
            response = self.http.post(self.target.url, data=body, headers=sent, auth=chosen)
        except (requests.RequestException, TargetMisbehaved) as exc:
            self.recorder.add(
                _exchange("POST", self.target.url, sent, body, None, started, str(exc))
            )
            raise
        self.recorder.add(_exchange("POST", self.target.url, sent, body, response, started))
        return response

    def fetch(self, url: str) -> requests.Response:
        """GET ``url`` (the WSDL, the admin side), recorded."""
        started = time.perf_counter()
        try:
            response = self.http.get(url)
        except (requests.RequestException, TargetMisbehaved) as exc:
            self.recorder.add(_exchange("GET", url, {}, b"", None, started, str(exc)))
            raise
        self.recorder.add(_exchange("GET", url, {}, b"", response, started))
        return response

    # ------------------------------------------------------------------ test clock

    def clock_available(self) -> bool:
        """Whether the target offers the reference's test clock on its admin side."""
        try:
            r = self.http.get(self.target.admin_url + "/clock", timeout=ADMIN_TIMEOUT)
        except requests.RequestException:
            return False
        return r.status_code == 200 and r.headers.get("Content-Type", "").startswith(
            "application/json"
        )

    def set_clock(self, moment: dt.datetime) -> None:
        r = self.http.put(
            self.target.admin_url + "/clock",
            json={"now": moment.isoformat(), "frozen": True},
            timeout=ADMIN_TIMEOUT,
        )
        r.raise_for_status()

    def release_clock(self) -> None:
        self.http.delete(self.target.admin_url + "/clock", timeout=ADMIN_TIMEOUT).raise_for_status()


class _NoAuth(requests.auth.AuthBase):
    """Send no credentials even though the session has them (for the 401 checks)."""

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers.pop("Authorization", None)
        return r
