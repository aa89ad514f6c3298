"""The admin side of an assembly of mocks, over HTTP with JSON: journal, reset, test clock,
state, and the routes its parts add (``tpn.mocks.core.parts``); ``/isalive`` is the app's.

GET    /__admin/journal?after=ID&limit=N&operation=OP&key=K recorded exchanges, oldest first
DELETE /__admin/journal                                 forget the journal
POST   /__admin/reset                                   wipe every part, the journal, the clock
GET    /__admin/clock                                   the test clock
PUT    /__admin/clock  {"now": "2026-12-31T23:59:00", "frozen": true}
DELETE /__admin/clock                                   back to real time
GET    /__admin/state                                   what the parts hold (counts)
POST   /__admin/faults {"kind": "drop-after-commit", "operation": "PutJournpost", "times": 1}
GET    /__admin/faults                                  the injected faults, hits remaining
DELETE /__admin/faults                                  forget every fault
DELETE /__admin/faults/{id}                             forget one
GET    /__admin/view/...                                pages for people (``pages``): the journal
and the security portal's, where it is a part:
POST   /__admin/sikkerhetsportal/sp   (SP metadata XML)  register a service provider
GET    /__admin/sikkerhetsportal/sp                      the registered service providers

Every answer is JSON, errors included: a body over ``MAX_BODY`` bytes is refused before it is
read (413), bad input gets 400 with ``{"error": "..."}`` saying what is wrong, and a failure of
the mock's own is a 500 with an incident id (the log has the rest), never a SOAP fault or a page.
Every value is checked for its type and range: ``after`` 0 or more, ``limit`` 1 to
``MAX_JOURNAL_PAGE``, the clock within ``clock.EARLIEST``..``clock.LATEST``, ``frozen`` a JSON
boolean, a fault as ``tpn.mocks.core.faults`` checks it. A journal page also ends at about
``MAX_PAGE_BYTES`` of JSON.

A page (``pages``: a WSGI app by its prefix under ``/__admin``) answers in HTML for people, behind
the same gate as the rest; it takes every request under its prefix and answers its own errors
(``tpn.mocks.core.journal_page``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from tpn.mocks.core import bodies
from tpn.mocks.core.clock import EARLIEST, LATEST, Clock
from tpn.mocks.core.faults import FaultError, Faults, fault_id
from tpn.mocks.core.journal import Journal
from tpn.mocks.soap.faults import StartResponse, clip, incident

WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

JSON = "application/json; charset=utf-8"
MAX_BODY = 64 * 1024  # a JSON body of the admin side (the clock); SP metadata has its own limit
MAX_JOURNAL_PAGE = 1000  # exchanges in one GET /__admin/journal
MAX_PAGE_BYTES = 16 * 1024 * 1024  # about this much JSON in one page, at most
MAX_ID = 2**63 - 1  # journal ids are 64-bit integers in the store


def _then(action: Callable[[], None], answer: Any) -> Any:
    action()
    return answer


@dataclass(frozen=True)
class Created:
    """A route's answer that made something: 201 with ``body``."""

    body: Any


class AdminError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Admin:
    def __init__(
        self,
        *,
        journal: Journal,
        clock: Clock,
        reset: Callable[[], None],
        state: Callable[[], dict[str, Any]],
        routes: Mapping[tuple[str, str], Callable[[dict[str, Any]], Any]] | None = None,
        body_limits: Mapping[str, int] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        faults: Faults | None = None,
        pages: Mapping[str, WsgiApp] | None = None,
    ) -> None:
        self.journal = journal
        # Prefix under /__admin (``/view``) → a page's app, which answers everything under it.
        self._pages = dict(pages or {})
        self.faults = faults
        # Bodies larger than MAX_BODY that extra routes take (an SP's metadata), by path.
        self._limits = dict(body_limits or {})
        self._on_error = on_error
        self._extra = dict(routes or {})
        self.clock = clock
        self._reset = reset
        self._state = state

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "").removeprefix("/__admin").rstrip("/")
        page = self._page(path)
        if page is not None:
            return page(environ, start_response)
        try:
            status, body = self._route(method, path, environ)
        except AdminError as err:
            status, body = err.status, {"error": clip(str(err))}
        except Exception as exc:  # ours, not the client's: JSON all the same, details in the log
            found = incident(exc, "admin", self._on_error)
            status = 500
            body = {"error": f"internal error (incident {found}); the server's log has it"}
        payload = json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")
        reason = "Created" if status == 201 else "OK" if status < 400 else "Error"
        start_response(
            f"{status} {reason}",
            [("Content-Type", JSON), ("Content-Length", str(len(payload)))],
        )
        return [payload]

    def _page(self, path: str) -> WsgiApp | None:
        for prefix, page in self._pages.items():
            if path == prefix or path.startswith(prefix + "/"):
                return page
        return None

    def body_limit(self, path: str) -> int:
        """The largest body the route at ``path`` (under /__admin) takes: the serving front
        refuses a longer one before reading it."""
        return self._limits.get(path.rstrip("/"), MAX_BODY)

    def _route(self, method: str, path: str, environ: dict[str, Any]) -> tuple[int, Any]:
        routes: dict[tuple[str, str], Callable[[dict[str, Any]], Any]] = {
            ("GET", "/journal"): self._journal,
            ("DELETE", "/journal"): lambda _e: _then(self.journal.clear, {"cleared": True}),
            ("POST", "/reset"): lambda _e: _then(self._reset, {"reset": True}),
            ("GET", "/clock"): lambda _e: self.clock.describe(),
            ("PUT", "/clock"): self._set_clock,
            ("POST", "/clock"): self._set_clock,
            ("DELETE", "/clock"): self._reset_clock,
            ("GET", "/state"): lambda _e: self._state(),
            **self._fault_routes(),
            **self._extra,
        }
        handler = routes.get((method, path))
        if handler is None and self.faults is not None and path.startswith("/faults/"):
            handler = self._one_fault(method, path.removeprefix("/faults/"))
        if handler is None:
            allowed = sorted(f"{m} /__admin{p}" for m, p in routes)
            allowed += [f"GET /__admin{prefix}/..." for prefix in sorted(self._pages)]
            raise AdminError(
                404, f"no admin route {method} /__admin{path}; routes: {', '.join(allowed)}"
            )
        answer = handler(environ)
        if isinstance(answer, Created):
            return 201, answer.body
        return 200, answer

    # ------------------------------------------------------------------ faults

    def _fault_routes(self) -> dict[tuple[str, str], Callable[[dict[str, Any]], Any]]:
        faults = self.faults
        if faults is None:
            return {}
        return {
            ("GET", "/faults"): lambda _e: [f.to_json() for f in faults.list()],
            ("POST", "/faults"): self._inject,
            ("DELETE", "/faults"): lambda _e: {"cleared": faults.clear()},
        }

    def _inject(self, environ: dict[str, Any]) -> Any:
        assert self.faults is not None
        try:
            return Created(self.faults.inject_json(read_json(environ)).to_json())
        except FaultError as exc:
            raise AdminError(400, str(exc)) from None

    def _one_fault(self, method: str, segment: str) -> Callable[[dict[str, Any]], Any] | None:
        """DELETE /__admin/faults/{id}; None for another method (the 404 lists the routes)."""
        if method != "DELETE":
            return None
        found = fault_id(segment)
        if found is None:
            raise AdminError(404, f"a fault's id is a whole number; got {clip(segment, 40)!r}")
        faults = self.faults
        assert faults is not None

        def remove(_environ: dict[str, Any]) -> Any:
            if not faults.remove(found):
                raise AdminError(404, f"no fault {found} (GET /__admin/faults lists them)")
            return {"removed": found}

        return remove

    def _journal(self, environ: dict[str, Any]) -> Any:
        query = parse_qs(environ.get("QUERY_STRING", ""))
        after = _whole(query, "after", 0, 0, MAX_ID)
        limit = _whole(query, "limit", MAX_JOURNAL_PAGE, 1, MAX_JOURNAL_PAGE)
        op = query.get("operation", [None])[0]
        key = query.get("key", [None])[0]
        # A page ends at MAX_JOURNAL_PAGE exchanges or about MAX_PAGE_BYTES of JSON, whichever
        # comes first (at least one exchange): a recorded body of control characters is six
        # times its size as JSON. The client pages on with after=<the last id>.
        page: list[Any] = []
        size = 0
        for exchange in self.journal.entries(after=after, limit=limit, operation=op, key=key):
            entry = exchange.to_json()
            size += len(json.dumps(entry, ensure_ascii=False))
            if page and size > MAX_PAGE_BYTES:
                break
            page.append(entry)
        return page

    def _reset_clock(self, _environ: dict[str, Any]) -> Any:
        self.clock.reset()
        return self.clock.describe()

    def _set_clock(self, environ: dict[str, Any]) -> Any:
        example = '{"now": "2026-12-31T23:59:00", "frozen": true}'
        data = read_json(environ)
        if not isinstance(data, dict) or not isinstance(data.get("now"), str):
            raise AdminError(400, f"the body must be a JSON object like {example}")
        unknown = sorted(set(data) - {"now", "frozen"})
        if unknown:
            raise AdminError(
                400, f"unknown field {clip(unknown[0], 64)!r}; the body is like {example}"
            )
        frozen = data.get("frozen", True)
        if not isinstance(frozen, bool):
            shown = clip(json.dumps(frozen), 64)
            raise AdminError(400, f'"frozen" must be true or false (JSON), got {shown}')
        try:
            moment = dt.datetime.fromisoformat(data["now"])
        except ValueError:
            raise AdminError(
                400, f'"now" must be an ISO 8601 date and time, got {clip(data["now"], 64)!r}'
            ) from None
        if moment.tzinfo is not None:
            try:
                moment = moment.astimezone().replace(tzinfo=None)  # the clock keeps local time
            except (OverflowError, OSError, ValueError):
                moment = moment.replace(tzinfo=None)  # at the ends of time: out of range below
        if not EARLIEST <= moment <= LATEST:
            raise AdminError(
                400,
                f'"now" must be from {EARLIEST.isoformat()} to {LATEST.isoformat()}, the times '
                f"the archive can number in (a running clock must not pass year 9999); got "
                f"{moment.isoformat()}",
            )
        self.clock.set(moment, frozen=frozen)
        return self.clock.describe()


_WHOLE = re.compile(r"-?[0-9]{1,20}")


def _whole(query: dict[str, list[str]], name: str, default: int, low: int, high: int) -> int:
    """A whole-number query parameter within ``low``..``high``, or a 400 that says so."""
    values = query.get(name)
    if not values:
        return default
    text = values[0].strip()
    # ASCII digits only, and few of them, before int(): "²" is a digit to str.isdigit().
    if not _WHOLE.fullmatch(text) or not low <= int(text) <= high:
        raise AdminError(
            400, f"{name} must be a whole number from {low} to {high}, got {clip(values[0], 40)!r}"
        )
    return int(text)


def read_body(environ: dict[str, Any], limit: int = MAX_BODY) -> bytes:
    """A request body of at most ``limit`` bytes; a longer one is refused before it is read."""
    try:
        return bodies.read_body(environ, limit, "the body")
    except bodies.BodyError as exc:
        raise AdminError(exc.status, exc.message) from None


def read_json(environ: dict[str, Any], limit: int = MAX_BODY) -> Any:
    """The JSON body of a request, or a 400 saying why it is not one."""
    data = read_body(environ, limit)
    try:
        return json.loads(data or b"{}")
    except RecursionError:
        raise AdminError(400, "the body nests too deeply to be read as JSON") from None
    except ValueError as exc:  # also UnicodeDecodeError, and integers of over 4,300 digits
        raise AdminError(400, f"the body is not JSON: {clip(str(exc), 200)}") from None
