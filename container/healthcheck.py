"""The image's HEALTHCHECK: exit 0 when ``tpn serve`` answers ``/isalive`` with 200 ``ok``.

Slim images have no curl, and the interpreter is there anyway. The address is the one the
server was started with: the last ``--host``/``--port`` on the main process's command line
(``serve --port 9000`` after the image name), else ``TPN_HOST``/``TPN_PORT``, else the image's
defaults. ``/isalive`` asks for no credentials, also when the rest does.
"""

from __future__ import annotations

import os
import sys
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

# The script's own folder is on sys.path when it runs as a script: the defaults are written once.
from entrypoint import VARIABLES

DEFAULTS = {v.name: v.default for v in VARIABLES}
TIMEOUT = 3.0  # seconds; the HEALTHCHECK's own --timeout is longer


def option(argv: Sequence[str], name: str) -> str | None:
    """The value of the last ``name VALUE`` or ``name=VALUE`` in ``argv``."""
    found = None
    for i, word in enumerate(argv):
        if word == name and i + 1 < len(argv):
            found = argv[i + 1]
        elif word.startswith(name + "="):
            found = word[len(name) + 1 :]
    return found


def main_process_argv() -> list[str]:
    try:
        raw = Path("/proc/1/cmdline").read_bytes()[:65536]
    except OSError:
        return []
    return [part.decode("utf-8", "replace") for part in raw.split(b"\0") if part]


def url(argv: Sequence[str], environ: Mapping[str, str]) -> str:
    """Where ``/isalive`` is, from the server's arguments or the environment."""
    serving = "serve" in argv

    def setting(opt: str, var: str) -> str:
        given = option(argv, opt) if serving else None
        return given or environ.get(var, "").strip() or DEFAULTS[var]

    host, port = setting("--host", "TPN_HOST"), setting("--port", "TPN_PORT")
    # A server on every address is reached on loopback, of the same family.
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/isalive"


def check(address: str) -> str | None:
    """None when healthy, else why not (one line)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy
    try:
        with opener.open(address, timeout=TIMEOUT) as answer:
            body = answer.read(64)
            status = answer.status
    except Exception as exc:  # anything at all is "not healthy", said in one line
        return f"{address}: {type(exc).__name__}: {exc}"
    if status != 200 or body.strip() != b"ok":
        return f"{address}: HTTP {status} {body[:40]!r}"
    return None


def main() -> int:
    problem = check(url(main_process_argv(), os.environ))
    if problem:
        print(f"unhealthy: {problem}", file=sys.stderr)
        return 1
    print("healthy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
