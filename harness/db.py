"""``--db``: the store's URL, checked before anything starts and shown without its password.

A mistyped URL, a database kind with no driver installed or a SQLite file in a folder that does
not exist would otherwise surface deep inside SQLAlchemy, as a traceback, after ``tpn serve`` has
printed its banner. Errors that only connecting can find (a server that refuses, a file without
permission) are SQLAlchemy errors, which ``tpn.harness.errors.run`` turns into one line.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from tpn.fixtures.files import printable
from tpn.harness.errors import CliError

EXAMPLES = "e.g. sqlite:///path/to/mocks.sqlite3 or postgresql://host/dbname"


def default_url() -> str:
    """``tpn serve``'s default store: a SQLite file in the XDG data home (its folder made)."""
    from tpn.mocks.core.paths import default_db_path

    path = default_db_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CliError(
            f"cannot make the folder of the default store {printable(str(path.parent))}: "
            f"{exc.strerror or exc}; give --db"
        ) from None
    return f"sqlite:///{path}"


def checked(db: str | None) -> str:
    """The URL to use for ``--db DB`` (None: the default), or a ``CliError`` saying what is wrong.

    The URL itself is never quoted in a message: it may hold a password.
    """
    if db is None:
        return default_url()
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        url = make_url(db)
    except (ArgumentError, ValueError):
        raise CliError(f"--db is not a database URL ({EXAMPLES})") from None
    try:
        dialect = url.get_dialect()
    except NoSuchModuleError:
        raise CliError(
            f"--db names the database kind {printable(url.drivername)!r}, which SQLAlchemy does "
            f"not know ({EXAMPLES})"
        ) from None
    try:
        dialect.import_dbapi()
    except ImportError as exc:
        raise CliError(
            f"--db: the driver for {printable(url.drivername)} is not installed "
            f"({exc.name or exc}); install it into tpn's environment"
        ) from None
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        _check_sqlite_file(Path(url.database))
    return db


def _check_sqlite_file(path: Path) -> None:
    folder = path.parent
    if not folder.is_dir():
        raise CliError(f"--db: the folder {printable(str(folder))} does not exist")
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return  # SQLite makes it
    except OSError as exc:
        raise CliError(f"--db: {printable(str(path))}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(mode):
        # SQLite would open a FIFO and wait, or read /dev/zero as a database.
        raise CliError(f"--db: {printable(str(path))} is not a regular file")


def is_memory(db: str) -> bool:
    """Whether ``db`` is a SQLite memory database, which only one process can see."""
    from sqlalchemy.engine import make_url

    url = make_url(db)
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def shown(db: str) -> str:
    """The URL as ``tpn serve`` prints it: any password replaced by ``***``."""
    from sqlalchemy.engine import make_url

    return printable(make_url(db).render_as_string(hide_password=True))
