"""When the portal answers an AuthnRequest: issued lately by the portal's clock, and only once.

A signed AuthnRequest starts a login whose answer goes to the SP's ACS; one captured on its way
(a proxy's log, the browser's history, a Referer header) could otherwise be played again at any
later time, and as often as anyone likes. SAML Core (§1.3.3, §3.2.1) leaves the checks to the
receiver; the portal's are:

- the IssueInstant lies within a window of the portal's own clock (the test clock when one is
  set, so that tests can move time): at most ``MAX_AGE`` before it and ``MAX_AHEAD`` after it;
- each request (its SP and ID) is answered once. The IDs are remembered in the store, which every
  worker process shares, until the request would be refused as too old anyway; then they are
  forgotten, so the table holds one window's requests. ``MAX_REMEMBERED`` bounds it even under a
  flood of fresh signed requests: past it, new requests are refused (503) rather than old IDs
  forgotten, which would let a replay through.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Connection

from tpn.mocks.saml.quote import clip
from tpn.mocks.sikkerhetsportal import tables
from tpn.mocks.sikkerhetsportal.errors import LoginError

# The browser carries an AuthnRequest from the SP straight to the portal (a redirect): it arrives
# within seconds. Five minutes allows for an SP clock a few minutes behind the portal's and a slow
# network, and is as long as the portal's own assertions live (portal.ASSERTION_LIFETIME).
MAX_AGE = dt.timedelta(minutes=5)
# A request from the future is a clock running fast. Synchronised clocks differ by far less than a
# second; a minute covers a drifting virtual machine. More would keep a request made in advance
# valid for longer, and keep its ID in the table for longer.
MAX_AHEAD = dt.timedelta(minutes=1)
# At most this many IDs remembered at once: some 280 logins a second for the whole window, far
# beyond what a test portal serves; a row is under 1 KiB (an entityID is at most 1024 characters).
MAX_REMEMBERED = 100_000

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _minutes(span: dt.timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


WINDOW = (
    f"the portal accepts requests issued at most {_minutes(MAX_AGE)} before its time and "
    f"{_minutes(MAX_AHEAD)} after it"
)


def _instant(moment: dt.datetime) -> str:
    # As SAML writes it; isoformat, unlike strftime, keeps a four-digit year for years before 1000.
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _span(delta: dt.timedelta) -> str:
    seconds = abs(delta).total_seconds()
    return f"{seconds:.0f} s" if seconds < 2 * 86400 else f"{abs(delta).days} days"


def _seconds(moment: dt.datetime) -> int:
    # Subtracting aware datetimes never overflows, as converting year 9999 to UTC may.
    return int((moment - _EPOCH).total_seconds())


def check(issued: dt.datetime, now: dt.datetime) -> None:
    """Refuse (``LoginError``) an IssueInstant outside the window around the portal's ``now``."""
    age = now - issued
    if age > MAX_AGE:
        raise LoginError(
            f"the AuthnRequest's IssueInstant {_instant(issued)} is {_span(age)} before the "
            f"portal's time {_instant(now)}; {WINDOW}"
        )
    if -age > MAX_AHEAD:
        raise LoginError(
            f"the AuthnRequest's IssueInstant {_instant(issued)} is {_span(age)} after the "
            f"portal's time {_instant(now)}; {WINDOW}"
        )


def remember(
    conn: Connection, sp: str, request_id: str, issued: dt.datetime, now: dt.datetime
) -> None:
    """Remember ``sp``'s request ``request_id`` (in ``conn``'s write transaction), or refuse it
    (``LoginError``) as seen before; forget the IDs that have left the window."""
    seen = tables.seen_requests
    conn.execute(delete(seen).where(seen.c.until < _seconds(now)))
    where = (seen.c.sp == sp) & (seen.c.id == request_id)
    if conn.execute(select(seen.c.id).where(where)).first() is not None:
        raise replayed(sp, request_id)
    count = conn.execute(select(func.count()).select_from(seen)).scalar_one()
    if count >= MAX_REMEMBERED:
        raise LoginError(
            f"the portal remembers {MAX_REMEMBERED} AuthnRequest IDs of the last "
            f"{_minutes(MAX_AGE)}, its limit, and refuses new requests until some are older; "
            "try again in a minute",
            503,
        )
    until = _seconds(issued) + int(MAX_AGE.total_seconds())
    conn.execute(insert(seen).values(sp=sp, id=request_id, until=until))


def replayed(sp: str, request_id: str) -> LoginError:
    return LoginError(
        f"AuthnRequest {clip(request_id)} from {clip(sp)} was seen before: each request is "
        "answered once (a replayed request is refused); the SP sends a new AuthnRequest, with a "
        "new ID, for each login"
    )
