"""The portal's tables: its signing key, the registered SPs, logins under way, artifacts, and
the AuthnRequest IDs seen lately (to refuse a replay).

All in the store, so that every worker process and a restart see the same portal: an SP that
trusted the key yesterday still can, and an artifact issued by one worker resolves at another.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Integer, LargeBinary, String, Table, Text

from tpn.mocks.core.store import metadata

keys = Table(
    "sp_portal_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("pem", LargeBinary, nullable=False),  # private key and certificate
)

providers = Table(
    "sp_portal_providers",
    metadata,
    Column("entity_id", String(1024), primary_key=True),
    Column("metadata", LargeBinary, nullable=False),
)

requests = Table(
    "sp_portal_requests",
    metadata,
    Column("id", String(256), primary_key=True),  # the AuthnRequest's ID
    Column("sp", String(1024), nullable=False),
    Column("acs_url", Text, nullable=False),
    Column("level", Integer, nullable=False),
    Column("relay_state", Text),
    Column("binding", String(128), nullable=False),
    Column("force_authn", Boolean, nullable=False, default=False),
    Column("created", String(32), nullable=False),
)

artifacts = Table(
    "sp_portal_artifacts",
    metadata,
    Column("artifact", String(128), primary_key=True),
    Column("sp", String(1024), nullable=False),  # only this SP may resolve it
    Column("response", LargeBinary, nullable=False),
    # True: the bytes are a whole SOAP answer, sent as they are (the SP suite's hostile ones).
    Column("raw", Boolean, nullable=False, default=False),
    Column("resolved", Boolean, nullable=False, default=False),
    Column("created", String(32), nullable=False),
)

sessions = Table(
    "sp_portal_sessions",
    metadata,
    Column("id", String(64), primary_key=True),  # the browser's SSO cookie
    Column("uid", String(11), nullable=False),
    Column("level", Integer, nullable=False),
    Column("method", String(32), nullable=False),
    Column("culture", String(8), nullable=False),
    Column("created", String(32), nullable=False),
)

participants = Table(
    "sp_portal_participants",
    metadata,
    Column("session", String(64), primary_key=True),
    Column("sp", String(1024), primary_key=True),
    Column("name_id", String(64), nullable=False),
    Column("session_index", String(64), nullable=False),
)

logouts = Table(
    "sp_portal_logouts",
    metadata,
    Column("id", String(64), primary_key=True),  # the RelayState of the chain's requests
    Column("origin", String(1024), nullable=False),  # the SP that asked to log out
    Column("origin_request", String(256), nullable=False),
    Column("origin_relay", Text),
    Column("remaining", Text, nullable=False),  # JSON: [[sp, name_id, session_index], ...]
    Column("failed", Text, nullable=False, default="[]"),  # JSON: SPs that did not confirm
)

seen_requests = Table(
    "sp_portal_seen_requests",
    metadata,
    # An AuthnRequest is its issuer's: another SP's request with the same ID is not a replay.
    Column("sp", String(1024), primary_key=True),
    Column("id", String(256), primary_key=True),
    # When the request falls out of the freshness window, in seconds since 1970 UTC (a number:
    # any year a request can name compares right); the row is useless after that and deleted.
    Column("until", BigInteger, nullable=False, index=True),
)
