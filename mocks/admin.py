"""The admin side of a mock, over HTTP with JSON: journal, reset, test clock; and ``/isalive``.

GET    /__admin/journal?after=ID&limit=N&operation=OP   recorded exchanges, oldest first
DELETE /__admin/journal                                 forget the journal
POST   /__admin/reset                                   wipe all mock state (and the journal)
GET    /__admin/clock                                   the test clock
PUT    /__admin/clock  {"now": "2026-12-31T23:59:00", "frozen": true}
DELETE /__admin/clock                                   back to real time
GET    /__admin/state                                   what the mock holds (counts)
POST   /__admin/sikkerhetsportal/sp   (SP metadata XML)  register a service provider
GET    /__admin/sikkerhetsportal/sp                      the registered service providers
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import parse_qs

from tpn.mocks.clock import Clock
from tpn.mocks.journal import Journal
from tpn.mocks.soap.faults import StartResponse

JSON = "application/json; charset=utf-8"


def _then(action: Callable[[], None], answer: Any) -> Any:
    action()
    return answer


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
    ) -> None:
        self.journal = journal
        self._extra = dict(routes or {})
        self.clock = clock
        self._reset = reset
        self._state = state

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "").removeprefix("/__admin").rstrip("/")
        try:
            status, body = self._route(method, path, environ)
        except AdminError as err:
            status, body = err.status, {"error": str(err)}
        payload = json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")
        start_response(
            f"{status} {'OK' if status < 400 else 'Error'}",
            [("Content-Type", JSON), ("Content-Length", str(len(payload)))],
        )
        return [payload]

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
            **self._extra,
        }
        handler = routes.get((method, path))
        if handler is None:
            allowed = sorted(f"{m} /__admin{p}" for m, p in routes)
            raise AdminError(
                404, f"no admin route {method} /__admin{path}; routes: {', '.join(allowed)}"
            )
        return 200, handler(environ)

    def _journal(self, environ: dict[str, Any]) -> Any:
        query = parse_qs(environ.get("QUERY_STRING", ""))
        try:
            after = int(query.get("after", ["0"])[0])
            limit = int(query.get("limit", ["1000"])[0])
        except ValueError as exc:
            raise AdminError(400, f"after and limit must be whole numbers: {exc}") from None
        op = query.get("operation", [None])[0]
        return [e.to_json() for e in self.journal.entries(after=after, limit=limit, operation=op)]

    def _reset_clock(self, _environ: dict[str, Any]) -> Any:
        self.clock.reset()
        return self.clock.describe()

    def _set_clock(self, environ: dict[str, Any]) -> Any:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            data = json.loads(environ["wsgi.input"].read(length) or b"{}")
            moment = dt.datetime.fromisoformat(data["now"])
        except (ValueError, KeyError, TypeError) as exc:
            raise AdminError(
                400,
                f'the body must be JSON like {{"now": "2026-12-31T23:59:00", "frozen": true}}: {exc}',
            ) from None
        self.clock.set(moment, frozen=bool(data.get("frozen", True)))
        return self.clock.describe()
