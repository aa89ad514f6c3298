"""The citizens' sessions, in the store (``tables.sessions``), so that every worker of ``tpn
serve`` knows a cookie any of them set, and a restart with a file database keeps them.

The cookie holds a random value (256 bits); the store keeps only its SHA-256, with who logged in,
at which level, the portal's NameID and SessionIndex (for single logout) and the session's CSRF
token, which every POST form carries. A session lasts ``LIFETIME`` on the shared clock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, insert, select

from tpn.fixtures import population
from tpn.mocks.core.store import Store
from tpn.mocks.minside.citizen import tables
from tpn.mocks.saml.messages import instant
from tpn.mocks.saml.verify import Identity

COOKIE = "minside"
LIFETIME = dt.timedelta(hours=2)
MAX_COOKIE = 64  # token_urlsafe(32) is 43 characters


@dataclass(frozen=True)
class Citizen:
    """Who is logged in to MinSide, from the portal's assertion."""

    uid: str
    level: int
    method: str
    name_id: str
    session_index: str
    csrf: str

    @property
    def navn(self) -> str:
        try:
            return population.persona(self.uid).navn
        except LookupError:  # a valid number outside the synthetic population
            return self.uid

    def csrf_ok(self, token: str | None) -> bool:
        return token is not None and hmac.compare_digest(token.encode(), self.csrf.encode())


def _digest(cookie: str) -> str:
    return hashlib.sha256(cookie.encode("ascii", "replace")).hexdigest()


class Sessions:
    def __init__(self, store: Store, now: Callable[[], dt.datetime]) -> None:
        self.store = store
        self.now = now

    def open(self, identity: Identity) -> str:
        """A new session for ``identity``; the cookie's value."""
        cookie = secrets.token_urlsafe(32)
        now = self.now()
        with self.store.write() as conn:
            # Sessions past their time go as new ones come: the table stays small.
            conn.execute(delete(tables.sessions).where(tables.sessions.c.expires < instant(now)))
            conn.execute(
                insert(tables.sessions).values(
                    id=_digest(cookie),
                    uid=identity.uid,
                    level=identity.level,
                    method=identity.method[:32],
                    name_id=identity.name_id[:256],
                    session_index=identity.session_index[:256],
                    csrf=secrets.token_urlsafe(32),
                    expires=instant(now + LIFETIME),
                )
            )
        return cookie

    def get(self, cookie: str | None) -> Citizen | None:
        if not cookie or len(cookie) > MAX_COOKIE:
            return None
        where = (tables.sessions.c.id == _digest(cookie)) & (
            tables.sessions.c.expires >= instant(self.now())
        )
        with self.store.read() as conn:
            row = conn.execute(select(tables.sessions).where(where)).first()
        if row is None:
            return None
        return Citizen(row.uid, row.level, row.method, row.name_id, row.session_index, row.csrf)

    def end(self, cookie: str | None) -> None:
        if cookie and len(cookie) <= MAX_COOKIE:
            with self.store.write() as conn:
                conn.execute(delete(tables.sessions).where(tables.sessions.c.id == _digest(cookie)))

    def end_for(self, name_id: str) -> int:
        """End every session of the portal's login ``name_id`` (the portal's single logout)."""
        with self.store.write() as conn:
            gone = conn.execute(delete(tables.sessions).where(tables.sessions.c.name_id == name_id))
        return int(gone.rowcount)
