"""Small named values the shared machinery keeps in the store (the test clock, the journal
log's progress), one row each, so that every worker process reads the same."""

from __future__ import annotations

from sqlalchemy import Column, String, Table, Text

from tpn.mocks.core.store import metadata

settings_table = Table(
    "tpn_settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
