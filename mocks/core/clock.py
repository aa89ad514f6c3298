"""The test clock: "now" for a mock, settable by tests through the admin side.

Kept in the store so that every worker process agrees on it. Unset, it is the real time. Set,
it is either frozen at a moment or runs from it (an offset from the real time); the archive
uses it for registration dates and years, which is how the suite checks the year-boundary rules.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from tpn.mocks.core import hot
from tpn.mocks.core.settings import settings_table
from tpn.mocks.core.store import Store

_KEY = "clock"

# The times the clock may be set to. The archive numbers by year (four digits), and a clock left
# running from a moment near the end of year 9999 would soon pass what a date can hold and break
# every later write; ninety-nine years of room keep any run of the harness far from that.
EARLIEST = dt.datetime(1900, 1, 1)
LATEST = dt.datetime(9900, 12, 31, 23, 59, 59)
# Read on every registration: built once (see noark4ws/queries.py for why).
_READ = select(settings_table.c.value).where(settings_table.c.key == _KEY)


class Clock:
    def __init__(self, store: Store) -> None:
        self.store = store

    def set(self, moment: dt.datetime, *, frozen: bool = True) -> None:
        """Make "now" ``moment`` (naive = local time): frozen there, or running on from it.

        ``moment`` must lie within ``EARLIEST``..``LATEST`` (the admin side says so to clients)."""
        if not EARLIEST <= moment.replace(tzinfo=None) <= LATEST:
            raise ValueError(f"the clock must be set from {EARLIEST} to {LATEST}, got {moment}")
        value = {"at": moment.timestamp(), "frozen": frozen, "set_at": time.time()}
        with self.store.write() as conn:
            conn.execute(settings_table.delete().where(settings_table.c.key == _KEY))
            conn.execute(settings_table.insert(), {"key": _KEY, "value": json.dumps(value)})

    def reset(self) -> None:
        with self.store.write() as conn:
            conn.execute(settings_table.delete().where(settings_table.c.key == _KEY))

    def state(self, conn: Connection | None = None) -> dict[str, Any] | None:
        if conn is None:
            with self.store.read() as c:
                return self.state(c)
        row = hot.first(conn, _READ, {})  # read inside every Put: on the driver
        return json.loads(row[0]) if row and row[0] else None

    def now(self, conn: Connection | None = None) -> dt.datetime:
        """The mock's current local time, read inside ``conn``'s transaction when given."""
        state = self.state(conn)
        if state is None:
            return dt.datetime.now()
        at = float(state["at"])
        if not state["frozen"]:
            at += time.time() - float(state["set_at"])
        try:
            return dt.datetime.fromtimestamp(at)
        except (OverflowError, OSError, ValueError):
            # Only a clock stored before the range was checked can get here: never past a date.
            return dt.datetime.max.replace(microsecond=0)

    def describe(self) -> dict[str, Any]:
        state = self.state()
        return {
            "now": self.now().isoformat(timespec="seconds"),
            "set": state is not None,
            "frozen": bool(state and state["frozen"]),
        }
