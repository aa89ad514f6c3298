"""The journal page's query: its parameters read, checked and bounded, or refused by name.

    /__admin/view/journal?service=Noark4WS&operation=PutNoarksak&status=200&outcome=ok
        &from=2026-12-05T10:00&to=2026-12-05T11:00&key=soknad-0001&before=120&limit=50

Every parameter is optional, and an empty one (as a form sends a field left blank) is not
given. A query is refused, with a ``QueryError`` that names the parameter, when it is longer
than ``MAX_QUERY``, names a parameter the page does not know or one twice, is not UTF-8 once
percent-decoded, or has a value out of its bounds: text longer than its column in the store or
holding control characters (PostgreSQL refuses a NUL in text, and no recorded value has one),
a status that is not 0 to 999, a time that is not ISO 8601 or ``to`` not after ``from``, a
``before`` or ``limit`` that is not a whole number in range. Nothing here touches the store.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import unquote_plus, urlencode

from tpn.fixtures.text import clip, printable
from tpn.mocks.core.journal import JournalFilter

__all__ = ["MAX_QUERY", "PAGE", "PARAMETERS", "PageQuery", "QueryError", "read"]

MAX_QUERY = 4096  # characters of a whole query string
PAGE = 50  # exchanges on a page unless ``limit`` says otherwise
MAX_PAGE = 200
MAX_ID = 2**63 - 1  # journal ids are 64-bit integers in the store
# Text parameters and their longest values: the columns' sizes in the store (tpn_journal).
TEXT = {"service": 64, "operation": 128, "outcome": 64, "key": 200}
PARAMETERS = ("service", "operation", "status", "outcome", "from", "to", "key", "before", "limit")

_WHOLE = re.compile(r"[0-9]{1,19}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_MOMENT_CHARS = 40  # "2026-12-05T10:00:00.000000+01:00" and room


class QueryError(ValueError):
    """A query the page refuses: ``parameter`` is the one at fault (``"query"`` for the whole)."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True)
class PageQuery:
    """A checked query: the filter, the page's bounds, and the values as the form shows them."""

    chosen: JournalFilter
    before: int | None
    limit: int
    # The parameters given (checked, stripped), to fill the form in and to build the links.
    given: tuple[tuple[str, str], ...] = ()

    def value(self, name: str) -> str:
        return dict(self.given).get(name, "")

    def link(self, **changes: str | None) -> str:
        """This query's string with ``changes`` (None: leave the parameter out), for a link."""
        values = dict(self.given)
        for name, changed in changes.items():
            if changed is None:
                values.pop(name, None)
            else:
                values[name] = changed
        ordered = [(n, values[n]) for n in PARAMETERS if values.get(n)]
        return urlencode(ordered)

    @property
    def filtered(self) -> bool:
        return self.chosen != JournalFilter()


def read(query_string: str) -> PageQuery:
    """The page's query from a request's ``QUERY_STRING``, or a ``QueryError`` naming why not."""
    if len(query_string) > MAX_QUERY:
        raise QueryError(
            "query", f"the query is {len(query_string)} characters long; at most {MAX_QUERY}"
        )
    given: dict[str, str] = {}
    for pair in query_string.split("&"):
        if not pair:
            continue
        raw_name, _, raw_value = pair.partition("=")
        name = _decoded("query", raw_name)
        if name not in PARAMETERS:
            known = ", ".join(PARAMETERS)
            raise QueryError(name, f"no parameter {_shown(name)!r} on this page; it takes {known}")
        if name in given:
            raise QueryError(name, f"{name} is given more than once")
        given[name] = _decoded(name, raw_value).strip()
    given = {name: value for name, value in given.items() if value}
    for name, longest in TEXT.items():
        if name in given:
            _check_text(name, given[name], longest)
    since = _moment("from", given.get("from"))
    until = _moment("to", given.get("to"))
    if since is not None and until is not None and until <= since:
        raise QueryError("to", f"to must be after from; got from {given['from']}, to {given['to']}")
    status = _whole("status", given.get("status"), 0, 999)
    chosen = JournalFilter(
        service=given.get("service"),
        operation=given.get("operation"),
        http_status=status,
        outcome=given.get("outcome"),
        since=since,
        until=until,
        key=given.get("key"),
    )
    limit = _whole("limit", given.get("limit"), 1, MAX_PAGE)
    return PageQuery(
        chosen,
        before=_whole("before", given.get("before"), 1, MAX_ID),
        limit=PAGE if limit is None else limit,
        given=tuple((n, given[n]) for n in PARAMETERS if n in given),
    )


def _shown(text: str) -> str:
    return clip(printable(text), 60)


def _decoded(name: str, raw: str) -> str:
    try:
        return unquote_plus(raw, errors="strict")
    except UnicodeDecodeError:
        raise QueryError(
            name, f"{_shown(name) if name != 'query' else 'a parameter'} is not UTF-8 text"
        ) from None


def _check_text(name: str, value: str, longest: int) -> None:
    if len(value) > longest:
        raise QueryError(name, f"{name} is at most {longest} characters; got {len(value)}")
    if _CONTROL.search(value):
        raise QueryError(name, f"{name} holds a control character: {_shown(value)!r}")


def _whole(name: str, text: str | None, low: int, high: int) -> int | None:
    if text is None:
        return None
    if not _WHOLE.fullmatch(text) or not low <= int(text) <= high:
        raise QueryError(
            name, f"{name} must be a whole number from {low} to {high}; got {_shown(text)!r}"
        )
    return int(text)


def _moment(name: str, text: str | None) -> float | None:
    """An ISO 8601 date or date and time (local time unless it names its zone), as Unix time."""
    if text is None:
        return None
    example = "2026-12-05T10:30"
    try:
        if len(text) > _MOMENT_CHARS:
            raise ValueError(text)
        moment = dt.datetime.fromisoformat(text)
        return moment.timestamp()
    except (ValueError, OverflowError, OSError):
        raise QueryError(
            name, f"{name} must be a date and time like {example}; got {_shown(text)!r}"
        ) from None
