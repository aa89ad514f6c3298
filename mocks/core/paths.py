"""Where mocks keep their files; light to import (the CLI reads it to write its help)."""

from __future__ import annotations

import os
from pathlib import Path


def default_db_path() -> Path:
    """Where ``tpn serve`` keeps its database unless told otherwise (XDG data home)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "tpn-harness" / "mocks.sqlite3"
