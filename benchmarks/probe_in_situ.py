#!/usr/bin/env python3
"""What each stage of a request costs inside the request, against the same stage run alone in a
loop: why shaving one stage saves less than its time alone promises.

A request runs its stages once each, one after another, and each finds the processor's caches
full of the others' code and data; a stage timed alone in a loop finds them full of its own.
This times the archive's stages both ways on the benchmark's requests (``bench_noark4ws.py``:
the same case, entries, GetJournpost and PutJournpost), in process, journal on, as a worker
builds the app (``profile_noark4ws.py``):

- in a request: the app called as a server would, each stage's time taken around it;
- alone: the stage called again with the arguments it last had in a request, in a loop.

The stages are the SOAP endpoint's own (the intake guard and the Body, the XSD check, the
request's objects, the archive's handling with its transaction, the answer's envelope, the
journal's record); "rest" is the request's time outside them. Each figure is the median of
``--rounds`` rounds of ``--calls`` calls, the two ways alternating within each round.

Last, the first stage alone again, each call after copying a buffer of 0.25 to 8 MiB that it
never uses: what a stage costs when the work before it has filled the caches with other data
(this machine's processor has 2 MiB of L2 cache a core; a copy of n MiB reads n and writes n).

    python benchmarks/probe_in_situ.py [--rounds 3] [--calls 2000]

Measured 2026-12-06 on the 2-core machine, three runs: every stage slower inside a request,
about 1.55 times in all (a GetJournpost's stages 188-195 µs against 122-126 alone, a
PutJournpost's 611-630 against 388-402), the parse of a PutJournpost most (87-90 µs against
27-28); that parse alone about 29 µs, 48-60 after copying 1 MiB, 76-95 after 2 MiB.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

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

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.last = (args, kwargs)
        started = time.perf_counter()
        try:
            return self.inner(*args, **kwargs)
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
    assert endpoint.journal is not None, "the probe needs the journal on"
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
    # timed, so that only the endpoint's call is.
    endpoint._body_element = stages["parse"]  # type: ignore[method-assign]
    endpoint._validate = stages["XSD"]  # type: ignore[method-assign]
    endpoint_module.codec = _Codec(stages["objects"])  # type: ignore[attr-defined,assignment]
    endpoint._handler = _Handler(stages["handler"])
    endpoint.envelope = stages["answer"]  # type: ignore[method-assign]
    endpoint.journal.record = stages["journal"]  # type: ignore[method-assign]
    return stages


def _archive_endpoint(assembly: Assembly) -> SoapEndpoint:
    for part in assembly.parts:
        found = part.endpoints.get("/noark4ws")
        if isinstance(found, SoapEndpoint):
            return found
    raise RuntimeError("no archive endpoint at /noark4ws")


def one_round(
    app: App, body: bytes, stages: dict[str, Stage], calls: int
) -> tuple[float, dict[str, float], dict[str, float]]:
    """(µs a request, each stage's µs in a request, each stage's µs alone)."""
    for stage in stages.values():
        stage.seconds = 0.0
    started = time.perf_counter()
    for _ in range(calls):
        call(app, body)
    request = (time.perf_counter() - started) / calls * 1e6
    within = {name: stage.seconds / calls * 1e6 for name, stage in stages.items()}
    alone = {name: stage.alone(calls) for name, stage in stages.items()}
    return request, within, alone


MIB = 1024 * 1024


def after_copying(stage: Stage, size: int, calls: int) -> float:
    """µs per call of ``stage`` alone (its last arguments), each call after copying ``size``
    bytes into a buffer it never uses; the median of five rounds."""
    source, target = bytes(size), bytearray(size)
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


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--calls", type=int, default=2000)
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="probe-in-situ-") as tmp:
        assembly = compose(MockConfig(db=f"sqlite:///{tmp}/p.sqlite3", engine="fast"))
        get, put = seed(assembly.app, 20)
        stages = _instrument(_archive_endpoint(assembly))
        for name, body in (("GetJournpost", get), ("PutJournpost", put)):
            for _ in range(200):  # warm: plans, statement cache, schema
                call(assembly.app, body)
            runs = [one_round(assembly.app, body, stages, args.calls) for _ in range(args.rounds)]
            request = statistics.median(r[0] for r in runs)
            rounds = "1 round" if args.rounds == 1 else f"median of {args.rounds} rounds"
            print(f"\n{name}: {request:,.0f} µs a request ({rounds})")
            print(f"  {'stage':<10} {'in a request':>13} {'alone':>8} {'ratio':>6}")
            total_in = total_alone = 0.0
            for stage in STAGES:
                within = statistics.median(r[1][stage] for r in runs)
                alone = statistics.median(r[2][stage] for r in runs)
                total_in += within
                total_alone += alone
                print(f"  {stage:<10} {within:10,.1f} µs {alone:6,.1f} {within / alone:6.2f}")
            print(f"  {'rest':<10} {request - total_in:10,.1f} µs")
            print(
                f"  {'stages':<10} {total_in:10,.1f} µs {total_alone:6,.1f} "
                f"{total_in / total_alone:6.2f}"
            )
        parse = stages["parse"]
        print("\nthe PutJournpost's parse alone, each call after copying a buffer of:")
        for mib in (0, 0.25, 0.5, 1, 2, 4, 8):
            print(f"  {mib:>4} MiB {after_copying(parse, int(mib * MIB), args.calls):7.1f} µs")
        assembly.store.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
