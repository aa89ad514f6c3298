"""The Noark-4 WS code lists and state rules, read from ``fixtures/standards/noark4ws/codelists.json``."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any

from tpn.fixtures import standard_file


@dataclass(frozen=True)
class CodeLists:
    closed: dict[str, dict[str, str]]
    open: dict[str, list[str]]
    jp_start: dict[str, frozenset[str]]
    jp_forward: dict[str, frozenset[tuple[str, str]]]
    jp_final: frozenset[str]
    jp_void: str
    sa_open: frozenset[str]
    sa_closed: str
    sa_reopen_to: str
    sa_void: str

    def allowed(self, field: str) -> list[str]:
        return list(self.closed[field])


@functools.cache
def code_lists() -> CodeLists:
    raw: dict[str, Any] = json.loads(standard_file("noark4ws", "codelists.json").read_text("utf-8"))
    rules = raw["state_rules"]
    jp = rules["journpost"]
    sa = rules["noarksak"]
    return CodeLists(
        closed=raw["closed"],
        open=raw["open"],
        jp_start={k: frozenset(v["start"]) for k, v in jp.items()},
        jp_forward={k: frozenset((a, b) for a, b in v["forward"]) for k, v in jp.items()},
        jp_final=frozenset(rules["journpost_final"]),
        jp_void=rules["journpost_void"],
        sa_open=frozenset(sa["open"]),
        sa_closed=sa["closed"],
        sa_reopen_to=sa["reopen_to"],
        sa_void=sa["void"],
    )
