"""Property-based checks: generated cases and entries round-trip, and a stateful model of
cases → entries → documents → status changes agrees with every answer.

Example counts are fixed (``--tpn-examples``, default 20), so a run against a vendor's archive
creates a bounded amount of data; the run's seed (``--tpn-seed``) replays the same examples.
Shrinking is off: against a remote archive it would cost hundreds of calls, and the seed
replays the failing sequence anyway.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    multiple,
    rule,
    run_state_machine_as_test,
)

from tpn.conformance.noark4ws import strategies as gen
from tpn.conformance.noark4ws.checks import describe, differences, expect_ok
from tpn.conformance.noark4ws.client import Archive
from tpn.conformance.results import Run

requirement = pytest.mark.requirement

ALL_SAK = {"returnSakspart": True, "returnKlassering": True, "returnTilleggsinfo": True}
ALL_JP = {
    "returnAvmot": True,
    "returnTilleggsinfo": True,
    "returnDokument": True,
    "returnFil": True,
}


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,  # nothing written into the vendor's working folder
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        stateful_step_count=12,
    )


def _replayable(run: Run, check: Callable[[], None]) -> None:
    """Run ``check``; a failure's message ends with how to replay it (a fault or a broken
    answer from the target as much as a wrong value)."""
    try:
        check()
    except Exception as exc:
        notes = "\n".join(getattr(exc, "__notes__", []))
        what = str(exc) if isinstance(exc, AssertionError) else f"{type(exc).__name__}: {exc}"
        raise AssertionError(f"{what}\n{notes}\n{run.replay()}".strip()) from None


@requirement("N4WS-PBT-001")
def test_generated_cases_round_trip(n4ws: Archive, tpn_run: Run) -> None:
    @seed(tpn_run.seed)
    @_settings(tpn_run.examples)
    @given(sak=gen.noarksak())
    def check(sak: dict[str, Any]) -> None:
        stored = n4ws.new_sak(**sak)
        got = n4ws.sak(stored.saId, **ALL_SAK)
        diff = differences(sak, got)
        assert not diff, f"a generated case did not come back as sent: {'; '.join(diff[:6])}"

    _replayable(tpn_run, check)


@requirement("N4WS-PBT-002")
def test_generated_entries_round_trip(n4ws: Archive, tpn_run: Run) -> None:
    sak = n4ws.new_sak()

    @seed(tpn_run.seed)
    @_settings(tpn_run.examples)
    @given(jp=gen.journpost())
    def check(jp: dict[str, Any]) -> None:
        stored = n4ws.new_jp(sak, **jp)
        got = n4ws.jp(stored.jpId, **ALL_JP)
        diff = differences(jp, got)
        assert not diff, f"a generated entry did not come back as sent: {'; '.join(diff[:6])}"

    _replayable(tpn_run, check)


# ------------------------------------------------------------------ the stateful model

# The profile's state rules, as the model knows them.
ENTRY_FORWARD = {
    "I": {("M", "S"), ("M", "J"), ("S", "J"), ("J", "A")},
    "U": {("R", "F"), ("F", "G"), ("F", "E"), ("G", "E"), ("E", "J"), ("J", "A")},
    **{t: {("R", "F"), ("F", "G"), ("F", "J"), ("G", "J"), ("J", "A")} for t in "NXS"},
}
FINAL = {"A", "U"}


def entry_change_allowed(doktype: str, old: str, new: str) -> bool:
    if old == new:
        return True
    if old in FINAL:
        return False
    return new == "U" or (old, new) in ENTRY_FORWARD[doktype]


def case_change_allowed(old: str, new: str) -> bool:
    if old == new:
        return True
    if old == "U":
        return False
    if old == "A":
        return new == "B"  # reopened; a closed case cannot be made void
    return True


class ArchiveModel(RuleBasedStateMachine):
    """What the archive must hold after each step, and what each answer must say."""

    n4ws: Archive  # set on the subclass the test builds

    cases = Bundle("cases")
    entries = Bundle("entries")

    def __init__(self) -> None:
        super().__init__()
        self.case_status: dict[str, str] = {}
        self.case_entries: dict[str, list[str]] = {}
        self.entry: dict[str, dict[str, Any]] = {}
        self.seknr: set[tuple[int, int]] = set()
        self.jpnr: set[tuple[int, int]] = set()

    @rule(target=cases, status=st.sampled_from("BRSFP"))
    def create_case(self, status: str) -> str:
        sak = self.n4ws.new_sak(saStatus=status)
        number = (sak.saSaar, sak.saSeknr)
        assert number not in self.seknr, f"PutNoarksak assigned saksnummer {number} twice"
        self.seknr.add(number)
        self.case_status[sak.saId] = status
        self.case_entries[sak.saId] = []
        return str(sak.saId)

    @rule(target=entries, said=cases, doktype=st.sampled_from(sorted(gen.START)), data=st.data())
    def create_entry(self, said: str, doktype: str, data: st.DataObject) -> Any:
        status = data.draw(st.sampled_from(gen.START[doktype]), label="jpStatus")
        sak = self.n4ws.sak(said)
        resp = self.n4ws.put_jp(
            jpInnhold=f"Journalpost {self.n4ws.token()}",
            jpSaar=sak.saSaar,
            jpSaseknr=sak.saSeknr,
            jpNdoktype=doktype,
            jpStatus=status,
            jpEksternNokkel=self.n4ws.key("pbt"),
        )
        if self.case_status[said] in FINAL:
            assert resp.status.type == "ERROR", (
                f"PutJournpost into a case in {self.case_status[said]}: expected ERROR, got {describe(resp)}"
            )
            return multiple()
        jp = expect_ok(resp, f"PutJournpost ({doktype} in {status})").journpost
        expected = len(self.case_entries[said]) + 1
        assert jp.jpJpostnr == expected, (
            f"jpJpostnr {jp.jpJpostnr}, expected {expected} in this case"
        )
        number = (jp.jpJaar, jp.jpSeknr)
        assert number not in self.jpnr, f"PutJournpost assigned løpenummer {number} twice"
        self.jpnr.add(number)
        self.case_entries[said].append(jp.jpId)
        self.entry[jp.jpId] = {"type": doktype, "status": status, "docs": []}
        return str(jp.jpId)

    @rule(jpid=entries, content=st.binary(min_size=1, max_size=256))
    def add_document(self, jpid: str, content: bytes) -> None:
        model = self.entry[jpid]
        # Unique content: whether re-adding an identical document adds it again is left open
        # by the profile (a repeated identical Put is harmless), so the model never asks.
        content = self.n4ws.token().encode() + content
        doc = {
            "veFilnavn": "vedlegg.bin",
            "veMimeType": "application/octet-stream",
            "fil": {"base64": content},
        }
        resp = self.n4ws.put_jp(jpId=jpid, jpInnhold=self.n4ws.jp(jpid).jpInnhold, dokument=[doc])
        if model["status"] in FINAL:
            assert resp.status.type == "ERROR", (
                f"a document added to an entry in {model['status']}: expected ERROR, got {describe(resp)}"
            )
        else:
            expect_ok(resp, "PutJournpost adding a document")
            model["docs"].append(content)
        docs = self.n4ws.jp(jpid, returnDokument=True, returnFil=True).dokument
        got = [d.fil.base64 if d.fil else None for d in docs]
        assert got == model["docs"], (
            f"the entry holds {len(got)} documents, the model {len(model['docs'])}"
        )

    @rule(jpid=entries, new=st.sampled_from("MSJFGEARU"))
    def change_entry_status(self, jpid: str, new: str) -> None:
        model = self.entry[jpid]
        old = model["status"]
        resp = self.n4ws.put_jp(jpId=jpid, jpInnhold=self.n4ws.jp(jpid).jpInnhold, jpStatus=new)
        if entry_change_allowed(model["type"], old, new):
            expect_ok(resp, f"PutJournpost jpStatus {old}→{new} (jpNdoktype {model['type']})")
            model["status"] = new
        else:
            assert resp.status.type == "ERROR", (
                f"PutJournpost jpStatus {old}→{new} (jpNdoktype {model['type']}): the state rules "
                f"forbid it, expected ERROR, got {describe(resp)}"
            )
        stored = self.n4ws.jp(jpid).jpStatus
        assert stored == model["status"], f"jpStatus is {stored}, expected {model['status']}"

    @rule(said=cases, new=st.sampled_from("BRSFPAU"))
    def change_case_status(self, said: str, new: str) -> None:
        old = self.case_status[said]
        sak = self.n4ws.sak(said)
        resp = self.n4ws.put_sak(saId=said, saTittel=sak.saTittel, saStatus=new)
        if case_change_allowed(old, new):
            expect_ok(resp, f"PutNoarksak saStatus {old}→{new}")
            self.case_status[said] = new
        else:
            assert resp.status.type == "ERROR", (
                f"PutNoarksak saStatus {old}→{new}: the state rules forbid it, expected ERROR, "
                f"got {describe(resp)}"
            )
        stored = self.n4ws.sak(said).saStatus
        assert stored == self.case_status[said], (
            f"saStatus is {stored}, expected {self.case_status[said]}"
        )


@requirement("N4WS-PBT-003")
def test_stateful_model_agrees_with_every_answer(n4ws: Archive, tpn_run: Run) -> None:
    machine = type("Model", (ArchiveModel,), {"n4ws": n4ws})
    runs = max(2, tpn_run.examples // 4)
    _replayable(
        tpn_run,
        lambda: run_state_machine_as_test(seed(tpn_run.seed)(machine), settings=_settings(runs)),
    )
