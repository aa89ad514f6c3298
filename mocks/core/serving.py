"""Serving the mocks for load: several worker processes over one store.

``serve()`` runs in the foreground (``tpn serve``); each worker builds the composition root's
app (``tpn.mocks.compose``: every mock) from the ``MockConfig`` passed in ``TPN_MOCK_CONFIG``.
(The one place in ``tpn.mocks.core`` that names what it serves; imported inside the functions
a worker and the parent call, so the machinery loads without any mock.) Two servers are
supported: granian (Rust HTTP, its RSGI interface; the default, see
``benchmarks/bench_noark4ws.py`` for the figures) and gunicorn's asyncio (ASGI) workers. Either
serves the WSGI app behind ``tpn.mocks.core.front``, which reads each body whole under a
deadline before the app sees it. The parent creates the database schema before any worker
starts, so workers never race to create tables. A worker that dies is replaced; the store keeps
every acknowledged write.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from typing import Any

from tpn.mocks.core.config import ENV_VAR, MockConfig

SERVERS = ("granian", "gunicorn")


_UNSET = f"{ENV_VAR} is not set; start workers through tpn.mocks.core.serving.serve"


def wsgi_app() -> Any:
    """The WSGI app of one worker, built from ``TPN_MOCK_CONFIG``."""
    from tpn.mocks.compose import compose

    raw = os.environ.get(ENV_VAR)
    if not raw:
        raise RuntimeError(_UNSET)
    return compose(MockConfig.from_json(raw), create_schema=False).app


def front_app() -> Any:
    """What a worker serves (a granian/gunicorn factory): the WSGI app behind the buffering
    front (``tpn.mocks.core.front``), so that no worker ever waits on one client's socket."""
    from tpn.mocks.core.front import BufferedFront

    raw = os.environ.get(ENV_VAR)
    if not raw:
        raise RuntimeError(_UNSET)
    config = MockConfig.from_json(raw)
    app = wsgi_app()
    return BufferedFront(
        app,
        max_body_bytes=config.limits.max_body_bytes,
        body_seconds=config.body_seconds,
        refusal=app.refusal,
        body_limit=app.body_limit,
        admit=app.admit,
    )


def free_port(host: str = "127.0.0.1") -> int:
    """A port the OS just chose as free (for servers that cannot report a port-0 bind)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        port: int = s.getsockname()[1]
        return port


def descendants(pid: int) -> list[int]:
    """The processes below ``pid`` (a server's workers), read from /proc; Linux only.

    For tests and benchmarks that kill or measure workers; psutil is not a dependency.
    """
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # the process ended while we looked
        # The command name may hold spaces and parentheses; fields resume after the last ')'.
        ppid = int(stat.rpartition(")")[2].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found: list[int] = []
    stack = list(children.get(pid, []))
    while stack:
        child = stack.pop()
        found.append(child)
        stack.extend(children.get(child, []))
    return found


def prepare(config: MockConfig) -> None:
    """Create the schema once, in the parent, before workers start."""
    from tpn.mocks.compose import compose

    if config.db.startswith("sqlite") and config.db in ("sqlite://", "sqlite:///:memory:"):
        raise ValueError(
            "a memory database cannot be shared by worker processes; give --db a file or URL"
        )
    compose(config).store.dispose()


def serve(
    config: MockConfig, *, host: str, port: int, workers: int, server: str = "granian"
) -> None:
    """Serve until interrupted. Blocks."""
    if server not in SERVERS:
        raise ValueError(f"server must be one of {', '.join(SERVERS)}, got {server!r}")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    prepare(config)
    os.environ[ENV_VAR] = config.to_json()
    if server == "granian":
        _serve_granian(host, port, workers)
    else:
        _serve_gunicorn(host, port, workers)


def _serve_granian(host: str, port: int, workers: int) -> None:
    from granian import Granian
    from granian.constants import Interfaces

    Granian(
        "tpn.mocks.core.serving:front_app",
        factory=True,
        address=host,
        port=port,
        # RSGI, granian's own asynchronous interface: the front awaits each body under its
        # deadline (tpn.mocks.core.front); under WSGI a slow client holds the worker's one thread.
        interface=Interfaces.RSGI,
        # One Rust thread beside the worker's one Python thread: measured here, the
        # multi-threaded runtime cost RSGI about 4 % more CPU per request.
        runtime_mode="st",  # type: ignore[arg-type]
        workers=workers,
        # One Python thread per worker, running the event loop (uvloop where installed) and the
        # CPU-bound app in turn: more threads would only contend for the GIL.
        blocking_threads=1,
        respawn_failed_workers=True,
        respawn_interval=0.5,
        # A stop that reaches a worker still starting up can leave it waiting forever (seen
        # here: Ctrl+C in the first second under load hung `tpn serve` in ~1 of 8 starts).
        # Workers that have not stopped after this long are killed, so a stop always ends.
        workers_kill_timeout=3,
        log_level="warning",  # type: ignore[arg-type]
    ).serve()


def _serve_gunicorn(host: str, port: int, workers: int) -> None:
    from gunicorn.app.base import BaseApplication

    class _App(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            # gunicorn's asyncio worker (24.0 and later) serves the same buffering front as
            # granian: a sync worker would wait on a slow client's socket.
            self.cfg.set("worker_class", "asgi")
            # asyncio's own loop, not uvloop: a Ctrl+C that reaches a worker while it is still
            # building the app (before its loop runs) is lost under uvloop, and gunicorn then
            # waits for that worker (measured here: 3 of 12 early stops hung; 0 of 12 on asyncio).
            self.cfg.set("asgi_loop", "asyncio")
            # and a worker that still has not stopped is killed after this long, as granian's
            # workers_kill_timeout does, so a stop always ends
            self.cfg.set("graceful_timeout", 3)
            self.cfg.set("timeout", 120)
            self.cfg.set("loglevel", "warning")

        def load(self) -> Any:
            return front_app()

    _App().run()


if __name__ == "__main__":  # pragma: no cover - used as `python -m tpn.mocks.core.serving` in tests
    sys.exit("use `tpn serve`")
