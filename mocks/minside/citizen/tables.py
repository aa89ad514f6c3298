"""The citizen pages' tables in the shared store: MinSide's own SP key, the logins it has asked
the portal for, the assertions it has taken (its replay cache), and the citizens' sessions.

All in the store, not in process memory, so that any worker of ``tpn serve`` can answer any step
of a login: the worker that sent an AuthnRequest need not be the one that takes its artifact,
and a session cookie set by one worker is known to all (``sessions``).
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, LargeBinary, String, Table

from tpn.mocks.core.store import metadata

key = Table(
    "ms_citizen_key",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("pem", LargeBinary, nullable=False),  # MinSide's private key and certificate
)

requests = Table(
    "ms_citizen_requests",
    metadata,
    Column("id", String(64), primary_key=True),  # the AuthnRequest's ID
    Column("relay", String(512), nullable=False),  # the page to go back to
    Column("level", Integer, nullable=False),
    Column("created", String(32), nullable=False),
)

seen = Table(
    "ms_citizen_seen",
    metadata,
    Column("assertion_id", String(256), primary_key=True),
    Column("seen", String(32), nullable=False),
)

sessions = Table(
    "ms_citizen_sessions",
    metadata,
    # SHA-256 of the cookie's value: a read of the store gives no one a usable cookie.
    Column("id", String(64), primary_key=True),
    Column("uid", String(11), nullable=False),
    Column("level", Integer, nullable=False),
    Column("method", String(32), nullable=False),
    Column("name_id", String(256), nullable=False),
    Column("session_index", String(256), nullable=False),
    Column("csrf", String(64), nullable=False),  # the token every POST form carries
    Column("expires", String(32), nullable=False),
)

ALL = (key, requests, seen, sessions)
