"""Rule variants: the lenient or broken business rules of the rule defects.

Each is a function with the signature of the ``RuleSet`` field it replaces (``registry.py``
says which); the reference rules are in ``tpn.mocks.noark4ws.rules``.
"""

from __future__ import annotations

from typing import Any

from tpn.mocks.noark4ws import rules
from tpn.mocks.noark4ws.codes import CodeLists
from tpn.mocks.noark4ws.rules import Rejected


def accept(*args: Any, **kwargs: Any) -> None:
    """The check the vendor never wrote."""


def accept_any_code(codes: CodeLists, field: str, value: str | None, where: str) -> None:
    """closed-codes-unchecked: any value is taken."""


def _known(codes: CodeLists, field: str, *values: str) -> bool:
    return all(v in codes.closed[field] for v in values)


def journpost_start_if_known(codes: CodeLists, ndoktype: str, status: str) -> None:
    # closed-codes-unchecked: the state table only knows the known codes, and the vendor's
    # archive applies it only to them (an unknown type or status has no row to check).
    if _known(codes, "jpNdoktype", ndoktype) and _known(codes, "jpStatus", status):
        rules.journpost_start(codes, ndoktype, status)


def journpost_change_if_known(codes: CodeLists, ndoktype: str, old: str, new: str) -> None:
    if _known(codes, "jpNdoktype", ndoktype) and _known(codes, "jpStatus", old, new):
        rules.journpost_change(codes, ndoktype, old, new)


def sak_update_if_known(codes: CodeLists, old: str, new: str) -> None:
    if _known(codes, "saStatus", old, new):
        rules.sak_update(codes, old, new)


# old-code-list: the values added last to the closed lists.
_NEWEST_CODES = frozenset({("jpNdoktype", "S"), ("jpStatus", "G")})


def old_code(codes: CodeLists, field: str, value: str | None, where: str) -> None:
    """old-code-list: the closed lists without their newest values."""
    if value is not None and (field, value) in _NEWEST_CODES:
        allowed = {k: v for k, v in codes.closed[field].items() if (field, k) not in _NEWEST_CODES}
        listed = ", ".join(f"{k} ({v})" for k, v in allowed.items())
        raise Rejected(
            "INVALID_CODE", f"{where} {value!r} is not in the code list {field}: {listed}"
        )
    rules.code(codes, field, value, where)


def only_final_stays(codes: CodeLists, ndoktype: str, old: str, new: str) -> None:
    """state-rules-unchecked: the vendor implemented the final statuses and nothing else."""
    if old != new and old in codes.jp_final:
        rules.journpost_change(codes, ndoktype, old, new)


def title_may_be_empty(value: str | None, where: str) -> None:
    """empty-required-accepted: only a missing title is refused, not an empty one."""
    if value is None:
        rules.required(value, where)
