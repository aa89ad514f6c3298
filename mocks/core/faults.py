"""Fault injection: a mock told to misbehave on purpose, so that a client's handling of failure
can be judged (a form engine must deliver exactly once to an archive that fails under it).

A fault says what the mock does (``kind``), where (``path``: which mock; ``operation``: which
of its operations, any when None) and how often (``times``: the next so many matching requests).
A matching request is a valid request of that operation: one the mock refuses for what it is
(a schema violation, a wrong content type) is answered as always and uses up no fault.

Faults live in the store, like all mock state, so every worker process of ``tpn serve`` sees one
set of them, and a request claims one hit with a conditional UPDATE (``remaining > 0``) inside a
write transaction, so two workers never both take the last one. ``POST /__admin/reset`` clears
them; each hit is written to the journal with the exchange it acted on (``fault_id``,
``fault_kind``).

This module holds what every mock shares: the kinds, the table, their checks and the admin
routes. What a kind means in a protocol (a ``soap:Server`` fault, a status ERROR) is the
endpoint's (``tpn.mocks.soap.endpoint``); what it means for a connection (a delay, a drop) is
the server's (``tpn.mocks.core.transport``). An endpoint takes faults by offering
``fault_operations``, ``fault_kinds`` and ``use_faults``; the assembly (``parts.Assembly``)
hands each such endpoint its ``FaultPoint``.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from sqlalchemy import Column, Float, Integer, String, Table, bindparam, func, or_, select
from sqlalchemy.engine import Row

from tpn.mocks.core.notice import Notice
from tpn.mocks.core.store import Store, metadata

__all__ = [
    "AFTER_COMMIT",
    "DROPS",
    "KINDS",
    "MAX_FAULTS",
    "MAX_SECONDS",
    "MAX_TIMES",
    "FaultError",
    "FaultPoint",
    "FaultTarget",
    "Faults",
    "InjectedFault",
]

# kind -> what a request it hits gets (for the admin side's answer and the README).
KINDS: dict[str, str] = {
    "delay-after-commit": "handled and committed, then its answer is held {seconds:g} s before "
    "it is sent",
    "drop-before-commit": "not handled: the connection is closed without an answer",
    "drop-after-commit": "handled and committed, then the connection is closed without an answer",
    "http-500": "not handled: HTTP 500 with a plain-text body, not a SOAP message",
    "soap-server-fault": "not handled: a soap:Server fault (HTTP 500)",
    "error-status": "not handled: the operation's answer with status ERROR, code INTERNAL_ERROR",
}
AFTER_COMMIT = frozenset({"delay-after-commit", "drop-after-commit"})  # the request is handled
DROPS = frozenset({"drop-before-commit", "drop-after-commit"})  # no answer at all
MAX_SECONDS = 300.0  # a delay holds a connection (never a worker) at most this long
MAX_TIMES = 1_000_000
MAX_FAULTS = 1000  # held at once, spent ones included; DELETE /__admin/faults forgets them
_FIELDS = ("kind", "path", "operation", "times", "seconds")
EXAMPLE = '{"kind": "drop-after-commit", "operation": "PutJournpost", "times": 1}'

faults_table = Table(
    "tpn_faults",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),
    Column("path", String(256), nullable=False),
    Column("operation", String(128), nullable=True),  # None: every operation of the path
    Column("times", Integer, nullable=False),
    Column("remaining", Integer, nullable=False),
    Column("seconds", Float, nullable=True),  # delay-after-commit only
    Column("created", Float, nullable=False),  # Unix time
    # Ids are never reused, so a fault's id names one fault for as long as the store lives.
    sqlite_autoincrement=True,
)

_t = faults_table
# Built once: the first runs on every valid request of an endpoint that takes faults.
_CANDIDATE = (
    select(_t.c.id)
    .where(
        _t.c.remaining > 0,
        _t.c.path == bindparam("at_path"),
        or_(_t.c.operation.is_(None), _t.c.operation == bindparam("at_operation")),
    )
    .order_by(_t.c.id)
    .limit(1)
)
_TAKE = (
    _t.update()
    .where(_t.c.id == bindparam("fault"), _t.c.remaining > 0)
    .values(remaining=_t.c.remaining - 1)
)
_ONE = select(_t).where(_t.c.id == bindparam("fault"))
_ANY_LIVE = f"SELECT 1 FROM {faults_table.name} WHERE remaining > 0 LIMIT 1"


_log = logging.getLogger("tpn.mocks")


class FaultError(ValueError):
    """A fault that cannot be injected, saying which argument and why (the admin side's 400)."""


@dataclass(frozen=True)
class InjectedFault:
    """One injected fault, as the store holds it."""

    id: int
    kind: str
    path: str
    operation: str | None
    times: int
    remaining: int
    seconds: float | None
    created: float

    @property
    def does(self) -> str:
        """What it does, in one sentence."""
        which = f"{self.operation} request" if self.operation else "request"
        count = f"the next {which}" if self.times == 1 else f"the next {self.times} {which}s"
        return f"{count} to {self.path}: {KINDS[self.kind].format(seconds=self.seconds or 0)}"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "path": self.path,
            "operation": self.operation,
            "times": self.times,
            "remaining": self.remaining,
            "seconds": self.seconds,
            "created": self.created,
            "does": self.does,
        }

    @classmethod
    def of(cls, row: Row[Any]) -> InjectedFault:
        return cls(**row._mapping)


@runtime_checkable
class FaultTarget(Protocol):
    """An endpoint that takes faults (``SoapEndpoint``)."""

    @property
    def fault_operations(self) -> Collection[str]:
        """The operations a fault may name."""

    @property
    def fault_kinds(self) -> Collection[str]:
        """The kinds it can act out (``error-status`` needs an answer with a status)."""

    def use_faults(self, point: FaultPoint) -> None:
        """Claim faults at ``point`` from now on."""


@dataclass(frozen=True)
class FaultPoint:
    """One endpoint's view of the faults: ``claim(operation)`` for each valid request."""

    faults: Faults
    path: str

    def claim(self, operation: str) -> InjectedFault | None:
        return self.faults.claim(self.path, operation)


@dataclass(frozen=True)
class _Target:
    operations: tuple[str, ...]
    kinds: frozenset[str]


class Faults:
    """The faults of one store, and the endpoints (by path) that act on them."""

    def __init__(self, store: Store, targets: Mapping[str, FaultTarget] | None = None) -> None:
        self.store = store
        # Given by every injection, so that each process asks the store whether any fault is
        # live only when one may have been injected since it last found none (``claim``).
        self._injected = Notice(store.beside("-faults"))
        self._none_since: object = None  # the notice's look when no fault was live
        self._targets = {
            path: _Target(tuple(t.fault_operations), frozenset(t.fault_kinds))
            for path, t in (targets or {}).items()
        }
        for path, target in (targets or {}).items():
            target.use_faults(FaultPoint(self, path))

    @property
    def paths(self) -> tuple[str, ...]:
        """The paths of the endpoints that take faults; the first is the default."""
        return tuple(self._targets)

    # ------------------------------------------------------------------ injecting

    def inject(
        self,
        kind: str,
        *,
        path: str | None = None,
        operation: str | None = None,
        times: int = 1,
        seconds: float | None = None,
    ) -> InjectedFault:
        """Inject one fault (checked: ``FaultError`` says which argument is wrong and why)."""
        path = self._check(kind, path, operation, times, seconds)
        row = {
            "kind": kind,
            "path": path,
            "operation": operation,
            "times": times,
            "remaining": times,
            "seconds": None if seconds is None else float(seconds),
            "created": time.time(),
        }
        with self.store.write() as conn:
            held = conn.execute(select(func.count()).select_from(_t)).scalar_one()
            if held >= MAX_FAULTS:
                raise FaultError(
                    f"{held} faults are held, the most there may be; forget them first "
                    "(DELETE /__admin/faults)"
                )
            key = conn.execute(_t.insert(), row).inserted_primary_key
            assert key is not None
            fault = InjectedFault.of(conn.execute(_ONE, {"fault": key[0]}).one())
            # Before the commit, so that a notice that cannot be given injects nothing ...
            self._injected.give()
        # ... and after it: a process that looked in between found no fault committed yet.
        try:
            self._injected.give()
        except OSError as e:
            _log.warning(
                "fault %d is injected, but other workers and threads may not see it before the "
                "next injection: %s",
                fault.id,
                e,
            )
        return fault

    def inject_json(self, data: Any) -> InjectedFault:
        """Inject the fault a JSON body describes (``POST /__admin/faults``)."""
        if not isinstance(data, dict):
            raise FaultError(f"the body must be a JSON object like {EXAMPLE}")
        unknown = sorted(set(data) - set(_FIELDS))
        if unknown:
            raise FaultError(
                f"unknown field {_shown(unknown[0])}; the fields are {', '.join(_FIELDS)}"
            )
        if "kind" not in data:
            raise FaultError(f'"kind" is required; the body is like {EXAMPLE}')
        return self.inject(
            data["kind"],
            path=data.get("path"),
            operation=data.get("operation"),
            times=data.get("times", 1),
            seconds=data.get("seconds"),
        )

    def _check(self, kind: Any, path: Any, operation: Any, times: Any, seconds: Any) -> str:
        """The fault's path (the default filled in), once every argument is checked."""
        kinds = ", ".join(KINDS)
        if not isinstance(kind, str) or kind not in KINDS:
            raise FaultError(f'"kind" must be one of {kinds}; got {_shown(kind)}')
        if not self._targets:
            raise FaultError("no endpoint of this server takes faults")
        if path is None:
            path = self.paths[0]
        if not isinstance(path, str) or path not in self._targets:
            raise FaultError(
                f'"path" must be one of {", ".join(self._targets)}; got {_shown(path)}'
            )
        target = self._targets[path]
        if kind not in target.kinds:
            raise FaultError(
                f"{path} cannot act out {kind}; it takes {', '.join(sorted(target.kinds))}"
            )
        if operation is not None and (
            not isinstance(operation, str) or operation not in target.operations
        ):
            raise FaultError(
                f'"operation" must be null (any) or one of {", ".join(target.operations)}; '
                f"got {_shown(operation)}"
            )
        # bool is an int to Python, never to a JSON reader: true is not 1.
        if type(times) is not int or not 1 <= times <= MAX_TIMES:
            raise FaultError(
                f'"times" must be a whole number from 1 to {MAX_TIMES}; got {_shown(times)}'
            )
        if kind == "delay-after-commit":
            if (
                type(seconds) not in (int, float)
                or not math.isfinite(seconds)
                or not 0 < seconds <= MAX_SECONDS
            ):
                raise FaultError(
                    f'"seconds" must be a number over 0 and at most {MAX_SECONDS:g} for '
                    f"delay-after-commit; got {_shown(seconds)}"
                )
        elif seconds is not None:
            raise FaultError(f'"seconds" is for delay-after-commit only, not {kind}')
        return path

    # ------------------------------------------------------------------ reading, forgetting

    def list(self) -> list[InjectedFault]:
        """Every fault held, spent ones included (``remaining`` 0), oldest first."""
        with self.store.read() as conn:
            return [InjectedFault.of(r) for r in conn.execute(select(_t).order_by(_t.c.id))]

    def remove(self, fault_id: int) -> bool:
        """Forget one fault; False if there is none by that id."""
        with self.store.write() as conn:
            return bool(conn.execute(_t.delete().where(_t.c.id == fault_id)).rowcount)

    def clear(self) -> int:
        """Forget every fault; how many there were."""
        with self.store.write() as conn:
            return int(conn.execute(_t.delete()).rowcount)

    # ------------------------------------------------------------------ claiming

    def claim(self, path: str, operation: str) -> InjectedFault | None:
        """Take one hit of the oldest fault that matches, if any (with the hits it has left)."""
        # Most requests meet no fault: the notice says none was injected since this process
        # last found none live, or one plain query says so, at about a tenth of the cost of a
        # transaction; no writer's lock is taken unless a fault may match.
        seen = self._injected.look()
        if seen == self._none_since:
            return None
        if not self.store.any_row(_ANY_LIVE):
            self._none_since = seen
            return None
        where = {"at_path": path, "at_operation": operation}
        with self.store.read() as conn:
            if conn.execute(_CANDIDATE, where).first() is None:
                return None
        while True:
            with self.store.write() as conn:
                found = conn.execute(_CANDIDATE, where).first()
                if found is None:
                    return None  # another worker took the last hit
                # remaining > 0 again in the UPDATE: where writers are not serialised (PostgreSQL)
                # two may find the same fault, and only one of them takes its last hit.
                if conn.execute(_TAKE, {"fault": found.id}).rowcount == 1:
                    return InjectedFault.of(conn.execute(_ONE, {"fault": found.id}).one())


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 64 else text[:61] + "..."


_ID = re.compile(r"[0-9]{1,19}")


def fault_id(text: str) -> int | None:
    """A fault id from a path segment, None if it is not one."""
    return int(text) if _ID.fullmatch(text) else None
