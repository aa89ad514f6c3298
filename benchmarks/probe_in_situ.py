#!/usr/bin/env python3
"""What each stage of a request costs inside the request, alone in a loop, and what the request
saves when the stage is left out: how far a stage's time alone predicts what changing it gives.

This times the archive's stages on the benchmark's requests (``bench_noark4ws.py``: the same
case, entries, GetJournpost and PutJournpost), in process, journal on, as a worker builds the
app (``profile_noark4ws.py``), three ways:

- in a request: the app called as a server would, each stage's time taken around it;
- alone: the stage called again with the arguments it last had in a request, in a loop;
- left out: the app called again with that one stage answering what it last answered without
  running (the parsed tree, no XSD check, the request's objects, the handler's answer, the
  answer's bytes, no journal record); the request's time against the plain one's is what the
  stage costs the request, effects on the stages after it included. Every answer is still
  checked to say OK.

The stages are the SOAP endpoint's own (the intake guard and the Body, the XSD check, the
request's objects, the archive's handling with its transaction, the answer's envelope, the
journal's record); "rest" is the request's time outside them. Each figure is the median of
``--rounds`` rounds of ``--calls`` calls, the ways alternating within each round, with the
rounds' range beside it. The store's checkpoint thread, woken by commits, runs beside every way.

Last, the first stage alone again, each call after copying a buffer of 0.25 to 8 MiB that it
never uses: what a stage costs when work before it has filled the caches with other data (this
machine's processor has 2 MiB of L2 cache a core; a copy of n MiB reads n and writes n).

    python benchmarks/probe_in_situ.py [--rounds 3] [--calls 2000]

Measured 2026-12-06 on the 2-core machine, three runs: inside a request each stage about 1.5
times its time alone (a PutJournpost's parse 91-97 µs against 28-31, its XSD check 21-23
against 5); left out, a PutJournpost's handler (378-394 µs inside) saves 494-505, its parse
(91-97) 123-157, its journal record (75-77) 95-111, the smaller stages within the noise; the
parse alone 28-31 µs, 61-92 after copying 1 MiB, 88-115 after 2 MiB.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_noark4ws import status_type
from profile_noark4ws import App, call, seed

from tpn.mocks.compose import compose
from tpn.mocks.core.config import MockConfig
from tpn.mocks.core.parts import Assembly
from tpn.mocks.soap import codec
from tpn.mocks.soap import endpoint as endpoint_module
from tpn.mocks.soap.endpoint import SoapEndpoint

STAGES = ("parse", "XSD", "objects", "handler", "answer", "journal")


class Stage:
    """One stage's callable, timed where the request calls it; its last arguments kept, so
    that it can be called alone with them."""

    def __init__(self, inner: Callable[..., Any]) -> None:
        self.inner = inner
        self.seconds = 0.0
        self.last: tuple[tuple[Any, ...], dict[str, Any]] = ((), {})
        self.result: Any = None
        self.left_out = False  # answer the last result without running

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.left_out:
            return self.result
        self.last = (args, kwargs)
        started = time.perf_counter()
        try:
            self.result = self.inner(*args, **kwargs)
            return self.result
        finally:
            self.seconds += time.perf_counter() - started

    def alone(self, calls: int) -> float:
        """µs per call, called ``calls`` times with its last arguments."""
        args, kwargs = self.last
        inner = self.inner
        for _ in range(min(200, calls)):
            inner(*args, **kwargs)
        started = time.perf_counter()
        for _ in range(calls):
            inner(*args, **kwargs)
        return (time.perf_counter() - started) / calls * 1e6


class _Handler:
    """The endpoint's handler with its ``handle`` timed."""

    def __init__(self, stage: Stage) -> None:
        self.handle = stage


class _Codec:
    """The codec module, with ``from_element`` timed."""

    def __init__(self, stage: Stage) -> None:
        self.from_element = stage

    def __getattr__(self, name: str) -> Any:
        return getattr(codec, name)


def _instrument(endpoint: SoapEndpoint) -> dict[str, Stage]:
    """Put a timer around each stage of ``endpoint`` (for this process's run only)."""
    if endpoint.journal is None:
        raise RuntimeError("the probe needs the journal on")
    stages = {
        "parse": Stage(endpoint._body_element),
        "XSD": Stage(endpoint._validate),
        "objects": Stage(codec.from_element),
        "handler": Stage(endpoint._handler.handle),
        "answer": Stage(endpoint.envelope),
        "journal": Stage(endpoint.journal.record),
    }
    # Instance attributes shadow the methods for this endpoint alone. ``from_element`` is
    # looked up on the codec module at each call, by the endpoint and by itself for each
    # nested element: the endpoint's module is given a codec whose ``from_element`` alone is
    # timed, so that only the endpoint's call is. Nothing is put back: the process ends with
    # the probe.
    endpoint._body_element = stages["parse"]  # type: ignore[method-assign]
    endpoint._validate = stages["XSD"]  # type: ignore[method-assign]
    endpoint_module.codec = _Codec(stages["objects"])  # type: ignore[attr-defined,assignment]
    endpoint._handler = _Handler(stages["handler"])
    endpoint.envelope = stages["answer"]  # type: ignore[method-assign]
    endpoint.journal.record = stages["journal"]  # type: ignore[method-assign]
    return stages


def archive_endpoint(assembly: Assembly) -> SoapEndpoint:
    for part in assembly.parts:
        found = part.endpoints.get("/noark4ws")
        if isinstance(found, SoapEndpoint):
            return found
    raise RuntimeError("no archive endpoint at /noark4ws")


@dataclass
class Round:
    """One round's figures, µs: a request; each stage in a request, alone; a request with the
    stage left out."""

    request: float
    within: dict[str, float]
    alone: dict[str, float]
    without: dict[str, float]


def timed_requests(run: Callable[[], bytes], calls: int) -> float:
    """µs a request, ``calls`` requests made by ``run``; the last answer must say OK."""
    started = time.perf_counter()
    for _ in range(calls):
        answer = run()
    took = (time.perf_counter() - started) / calls * 1e6
    if status_type(answer) != "OK":
        raise RuntimeError(f"the answer does not say OK: {answer[:600]!r}")
    return took


def one_round(app: App, body: bytes, stages: dict[str, Stage], calls: int) -> Round:
    for stage in stages.values():
        stage.seconds = 0.0
    request = timed_requests(partial(call, app, body), calls)
    within = {name: stage.seconds / calls * 1e6 for name, stage in stages.items()}
    alone = {name: stage.alone(calls) for name, stage in stages.items()}
    without = {}
    for name, stage in stages.items():
        stage.left_out = True
        try:
            without[name] = timed_requests(partial(call, app, body), calls)
        finally:
            stage.left_out = False
    return Round(request, within, alone, without)


def _spread(values: Iterable[float]) -> str:
    """The median, and the range when there is one: "28.3 (27.9-30.1)"."""
    found = sorted(values)
    median = statistics.median(found)
    if len(found) == 1:
        return f"{median:7,.1f}"
    return f"{median:7,.1f} ({found[0]:,.1f}-{found[-1]:,.1f})"


def report(name: str, runs: list[Round]) -> None:
    rounds = "1 round" if len(runs) == 1 else f"median of {len(runs)} rounds (range)"
    print(f"\n{name}: {_spread(r.request for r in runs).strip()} µs a request; {rounds}")
    print(f"  {'stage':<8} {'in a request':<22} {'alone':<22} {'left out, the request saves':<22}")
    for stage in STAGES:
        print(
            f"  {stage:<8} {_spread(r.within[stage] for r in runs):<22} "
            f"{_spread(r.alone[stage] for r in runs):<22} "
            f"{_spread(r.request - r.without[stage] for r in runs):<22}"
        )
    print(f"  {'rest':<8} {_spread(r.request - sum(r.within.values()) for r in runs):<22}")
    print(
        f"  {'stages':<8} {_spread(sum(r.within.values()) for r in runs):<22} "
        f"{_spread(sum(r.alone.values()) for r in runs):<22}"
    )


MIB = 1024 * 1024


def after_copying(stage: Stage, size: int, calls: int) -> float:
    """µs per call of ``stage`` alone (its last arguments), each call after copying ``size``
    bytes into a buffer it never uses; the median of five rounds."""
    # Written, so that the copy reads real pages (``bytes(size)`` is the kernel's one zero page).
    source, target = b"\x01" * size, bytearray(size)
    args, kwargs = stage.last
    rounds = []
    for _ in range(5):
        spent = 0.0
        for _ in range(calls):
            target[:] = source  # a memcpy: reads and writes every byte
            started = time.perf_counter()
            stage.inner(*args, **kwargs)
            spent += time.perf_counter() - started
        rounds.append(spent / calls * 1e6)
    return statistics.median(rounds)


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not 1 or more")
    return value


def arguments(doc: str, rounds: int) -> argparse.Namespace:
    """``--rounds`` and ``--calls``, described by the first paragraph of a probe's ``doc``."""
    p = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    p.add_argument("--rounds", type=positive, default=rounds)
    p.add_argument("--calls", type=positive, default=2000)
    return p.parse_args()


def assembled(folder: str) -> tuple[Assembly, bytes, bytes]:
    """The app as a worker builds it, over a file store in ``folder``, journal on, with the
    benchmark's case and entries; (the app's parts, GetJournpost body, PutJournpost body)."""
    assembly = compose(MockConfig(db=f"sqlite:///{folder}/p.sqlite3", engine="fast"))
    get, put = seed(assembly.app, 20)
    return assembly, get, put


def main() -> int:
    args = arguments(__doc__ or "", rounds=3)
    with tempfile.TemporaryDirectory(prefix="probe-in-situ-") as tmp:
        assembly, get, put = assembled(tmp)
        stages = _instrument(archive_endpoint(assembly))
        for name, body in (("GetJournpost", get), ("PutJournpost", put)):
            for _ in range(200):  # warm: plans, statement cache, schema
                call(assembly.app, body)
            report(
                name,
                [one_round(assembly.app, body, stages, args.calls) for _ in range(args.rounds)],
            )
        parse = stages["parse"]
        print("\nthe PutJournpost's parse alone, each call after copying a buffer of:")
        for mib in (0, 0.25, 0.5, 1, 2, 4, 8):
            print(f"  {mib:>4} MiB {after_copying(parse, int(mib * MIB), args.calls):7.1f} µs")
        assembly.store.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
