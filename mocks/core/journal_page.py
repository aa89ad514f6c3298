"""The journal page: every mock's recorded exchanges for a person, on the admin side.

    GET /__admin/view/journal?operation=PutNoarksak&...   the exchanges, newest first, paged
    GET /__admin/view/journal/{id}                        one exchange, its messages indented

Server-rendered HTML (Jinja2, ``templates/``, autoescaped) with no JavaScript: the filters are
an ordinary form (``tpn.mocks.core.journal_query`` reads and bounds them, and a refused one gets
a 400 page naming the parameter), each filter and the paging is SQL (``Journal.newest``), and a
list reads no bodies. Beside the journal the page shows what is in force: the test clock, the
injected faults and each part's panels (the archive's defects, the portal's personas). Each
exchange's request and answer are indented and highlighted by ``tpn.fixtures.pretty``, which
parses them through the XML guard and shows anything else as it came, escaped.

It sits under ``/__admin``, so the gate in front of the admin side guards it too (HTTP Basic
when ``tpn serve`` has credentials). Its answers forbid scripts, frames and outside resources
(``Content-Security-Policy``), and its own failures are a page with an incident id, the
details in the log, as for the rest of the admin side.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup

from tpn.mocks.core import journal_query
from tpn.mocks.core.clock import Clock
from tpn.mocks.core.faults import Faults
from tpn.mocks.core.journal import Journal
from tpn.mocks.core.panels import Panel
from tpn.mocks.soap.faults import StartResponse, incident

if TYPE_CHECKING:
    from tpn.fixtures import pretty

__all__ = ["PREFIX", "JournalPage"]

PREFIX = "/view"  # under /__admin
JOURNAL = "/view/journal"
FOLD = 10  # a panel of more rows than this starts folded (its <details> closed)

_EXCHANGE = re.compile(r"/view/journal/([0-9]{1,19})")
_PAGES = jinja2.Environment(
    loader=jinja2.PackageLoader("tpn.mocks.core", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_PAGES.filters["moment"] = lambda at: dt.datetime.fromtimestamp(at).isoformat(
    sep=" ", timespec="milliseconds"
)
_PAGES.filters["thousands"] = lambda n: f"{n:,}"


@functools.cache
def _style() -> Markup:
    """The page's one style sheet, inline; the CSP allows it by its hash and nothing else.
    Made on the first page asked for: the highlighter behind it (Pygments) costs a worker
    about 3.5 MB, and most workers never show a page."""
    from tpn.fixtures import pretty

    css = resources.files("tpn.mocks.core").joinpath("templates/journal.css").read_text("utf-8")
    return Markup(css + pretty.css())


@functools.cache
def _headers() -> tuple[tuple[str, str], ...]:
    digest = base64.b64encode(hashlib.sha256(_style().encode("utf-8")).digest()).decode("ascii")
    return (
        ("Content-Type", "text/html; charset=utf-8"),
        (
            "Content-Security-Policy",
            f"default-src 'none'; style-src 'sha256-{digest}'; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'",
        ),
        ("Cache-Control", "no-store"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
    )


class _Refused(Exception):
    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status, self.title, self.message = status, title, message


@dataclass(frozen=True)
class _Body:
    """One message of an exchange as the page shows it."""

    pretty: pretty.Pretty
    kept: int  # bytes the journal kept
    size: int  # bytes the message had

    @property
    def html(self) -> Markup:
        return self.pretty.html


class JournalPage:
    """The journal page, a WSGI app for everything under ``/__admin/view``."""

    def __init__(
        self,
        *,
        journal: Journal,
        clock: Clock,
        faults: Faults | None = None,
        panels: Callable[[], Sequence[Panel]] = lambda: (),
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        self.journal = journal
        self.clock = clock
        self.faults = faults
        self.panels = panels
        self._on_error = on_error

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        root = str(environ.get("SCRIPT_NAME", "")) + "/__admin" + JOURNAL
        headers = list(_headers())
        try:
            if method not in ("GET", "HEAD"):
                headers.append(("Allow", "GET, HEAD"))
                raise _Refused(405, "Method not allowed", f"{method} is not allowed here; GET is")
            status, html = 200, self._route(environ, root)
        except _Refused as refused:
            status = refused.status
            html = self._render(
                "journal_error.html",
                root,
                title=refused.title,
                message=refused.message,
                status=status,
            )
        except Exception as exc:  # ours: a page all the same, details in the log
            found = incident(exc, "journal page", self._on_error)
            status = 500
            html = self._render(
                "journal_error.html",
                root,
                title="Internal error",
                message=f"The page failed (incident {found}); the server's log has the details.",
                status=status,
            )
        payload = html.encode("utf-8")
        reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}
        headers.append(("Content-Length", str(len(payload))))
        start_response(f"{status} {reason.get(status, 'Error')}", headers)
        return [] if method == "HEAD" else [payload]

    def _route(self, environ: dict[str, Any], root: str) -> str:
        path = str(environ.get("PATH_INFO", "")).removeprefix("/__admin").rstrip("/")
        if path in (PREFIX, JOURNAL):
            return self._list(environ, root)
        found = _EXCHANGE.fullmatch(path)
        # Within the store's 64-bit ids: a larger number is no exchange, not an overflow.
        if found is not None and int(found.group(1)) <= journal_query.MAX_ID:
            return self._exchange(int(found.group(1)), root, _query(environ))
        raise _Refused(404, "Not found", f"There is no page here. The journal is at {root}.")

    def _render(self, template: str, root: str, **values: Any) -> str:
        return _PAGES.get_template(template).render(style=_style(), root=root, **values)

    def _list(self, environ: dict[str, Any], root: str) -> str:
        query = _query(environ)
        # One more than the page holds: whether there is an older page.
        rows = self.journal.newest(query.chosen, before=query.before, limit=query.limit + 1)
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        return self._render(
            "journal.html",
            root,
            query=query,
            rows=rows,
            matching=self.journal.count(query.chosen),
            total=self.journal.count() if query.filtered else None,
            here=query.link(),  # an exchange's link carries the list's, for the way back
            older=query.link(before=str(rows[-1].id)) if more else None,
            newest=query.link(before=None) if query.before is not None else None,
            choices={
                name: [str(v) for v in self.journal.values(name)]
                for name in ("service", "operation", "http_status", "outcome")
            },
            **self._in_force(),
        )

    def _in_force(self) -> dict[str, Any]:
        clock = self.clock.describe()
        faults = self.faults.list() if self.faults is not None else []
        panels = list(self.panels())
        return {"clock": clock, "faults": faults, "panels": panels, "fold": FOLD}

    def _exchange(self, exchange_id: int, root: str, query: journal_query.PageQuery) -> str:
        """One exchange; ``query`` is the list's it was opened from (its filters and page), which
        the link back returns to."""
        exchange = self.journal.exchange(exchange_id)
        if exchange is None:
            raise _Refused(
                404,
                "Not found",
                f"There is no exchange {exchange_id} in the journal (it may have been cleared).",
            )
        return self._render(
            "journal_exchange.html",
            root,
            exchange=exchange,
            request=_body(exchange.request, exchange.request_size),
            response=_body(exchange.response, exchange.response_size),
            clock=self.clock.describe(),
            back=query.link(),
        )


def _query(environ: dict[str, Any]) -> journal_query.PageQuery:
    """The list's query from the request, or the page that says which parameter was refused."""
    try:
        return journal_query.read(str(environ.get("QUERY_STRING", "")))
    except journal_query.QueryError as refused:
        raise _Refused(
            400, "Bad request", f"The parameter “{refused.parameter}” was refused: {refused}"
        ) from None


def _body(kept: bytes, size: int) -> _Body:
    from tpn.fixtures import pretty

    return _Body(pretty.pretty(kept), len(kept), size)
