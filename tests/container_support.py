"""The project's container image, built from the repository's Dockerfile and run with podman,
for tests/test_container.py; and the readers of the Dockerfile, .dockerignore and compose.yaml
its fast tests use.

These machines have no Docker engine and reach no image registry (../shared/engineering-notes
"Containers"). Debian's podman builds and runs images as root once runc is there and
containers.conf sets ``runtime = "runc"`` and ``default_ulimits`` (.ci/run sees to both); the
base image is Debian bookworm made by debootstrap (minbase, python3, python3-venv), cached under
``~/.cache/tpn-image`` (``$TPN_IMAGE_CACHE``) as a tarball and a local image, so it is made once
per machine; the wheels are built on the host, where the package index is in reach, and the
build runs with ``--network=none``. :func:`missing` says what is absent, for a skip.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
COMPOSE = ROOT / "compose.yaml"
CACHE = Path(os.environ.get("TPN_IMAGE_CACHE") or Path.home() / ".cache" / "tpn-image")
BASE = "localhost/tpn-base:bookworm-python3"
MIRROR = os.environ.get("TPN_DEBIAN_MIRROR", "http://deb.debian.org/debian")
CONTAINERS_CONF = Path("/etc/containers/containers.conf")
PORT = 8086  # the image's port inside the container
BASE_PYTHON = (3, 11)  # bookworm's python3: the host's wheels must be for it


# ---------------------------------------------------------------- reading the files


def instructions(text: str) -> list[tuple[str, str]]:
    """A Dockerfile's instructions, ``(KEYWORD, arguments)``, continuation lines joined and
    comments dropped."""
    out: list[tuple[str, str]] = []
    current = ""
    for line in text.splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if current and line.lstrip().startswith("#"):
            continue  # a comment inside a continued instruction
        current += line.rstrip().removesuffix("\\") + " "
        if not line.rstrip().endswith("\\"):
            keyword, _, rest = current.strip().partition(" ")
            out.append((keyword.upper(), " ".join(rest.split())))
            current = ""
    return out


def stages(text: str) -> dict[str, list[tuple[str, str]]]:
    """The instructions of each named stage (``FROM ... AS name``)."""
    found: dict[str, list[tuple[str, str]]] = {}
    name = ""
    for keyword, args in instructions(text):
        if keyword == "FROM":
            words = args.split()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else f"#{len(found)}"
            found[name] = []
        elif name:
            found[name].append((keyword, args))
    return found


def copied_sources(instructions: list[tuple[str, str]]) -> set[str]:
    """The build-context paths a stage's COPY instructions take (``--from`` ones take none)."""
    sources: set[str] = set()
    for keyword, args in instructions:
        words = shlex.split(args)
        if keyword != "COPY" or any(w.startswith("--from") for w in words):
            continue
        paths = [w for w in words if not w.startswith("--")]
        sources.update(w.rstrip("/") for w in paths[:-1])
    return sources


def healthcheck(text: str) -> list[str]:
    """The exec form of the Dockerfile's HEALTHCHECK command."""
    [args] = [a for k, a in instructions(text) if k == "HEALTHCHECK"]
    _, _, command = args.partition(" CMD ")
    parsed: Any = yaml.safe_load(command)  # a JSON array is YAML too
    assert isinstance(parsed, list), f"HEALTHCHECK is not in exec form: {command!r}"
    return [str(word) for word in parsed]


def _ignore_pattern(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern as Go's filepath.Match reads it, with Docker's ``**``."""
    out = ""
    i = 0
    pattern = pattern.strip("/")
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
        elif pattern.startswith("**", i):
            out += ".*"
            i += 2
        elif pattern[i] == "*":
            out += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            out += "[^/]"
            i += 1
        else:
            out += re.escape(pattern[i])
            i += 1
    return re.compile(out + r"\Z")


def ignored(path: str, rules: list[str]) -> bool:
    """Whether Docker leaves ``path`` (relative, with ``/``) out of the build context: the last
    rule that matches the path or a folder above it decides, ``!`` taking it back in."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    left_out = False
    for rule in rules:
        negated = rule.startswith("!")
        matcher = _ignore_pattern(rule[1:] if negated else rule)
        if any(matcher.match(p) for p in prefixes):
            left_out = not negated
    return left_out


def ignore_rules(text: str) -> list[str]:
    return [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


_VARIABLE = re.compile(r"\$\{(\w+)(?::-([^}]*))?\}|\$(\w+)")


def interpolate(value: Any, environ: Mapping[str, str]) -> Any:
    """Compose's ``${NAME}`` and ``${NAME:-default}`` in every string of ``value``; any other
    form is refused rather than read wrong."""
    if isinstance(value, str):
        if "${" in value and re.search(r"\$\{\w+[^}:]*:?[?+=]", value):
            raise ValueError(f"an interpolation this reader does not know: {value!r}")

        def one(m: re.Match[str]) -> str:
            name = m.group(1) or m.group(3)
            given = environ.get(name, "")
            return given if given or m.group(2) is None else m.group(2)

        return _VARIABLE.sub(one, value)
    if isinstance(value, list):
        return [interpolate(v, environ) for v in value]
    if isinstance(value, dict):
        return {k: interpolate(v, environ) for k, v in value.items()}
    return value


def compose(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """compose.yaml as Compose reads it with ``environ`` (none by default)."""
    loaded: Any = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    result: dict[str, Any] = interpolate(loaded, environ or {})
    return result


def package_dirs() -> dict[str, str]:
    """pyproject.toml's ``package-dir``: package name to folder."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    dirs: dict[str, str] = project["tool"]["setuptools"]["package-dir"]
    return dirs


def container_module(name: str) -> ModuleType:
    """``container/NAME.py`` imported as the module ``NAME``, as the image runs it (the
    healthcheck imports ``entrypoint`` from beside it)."""
    if name in sys.modules:
        return sys.modules[name]
    if name == "healthcheck":
        container_module("entrypoint")
    spec = importlib.util.spec_from_file_location(name, ROOT / "container" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------- podman


def missing() -> str | None:
    """Why the image cannot be built and run here, or None."""
    if os.geteuid() != 0:
        return "podman builds and runs images here as root only"
    for tool, package in (("podman", "podman"), ("runc", "runc"), ("debootstrap", "debootstrap")):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Debian: apt-get install {package}; .ci/run does)"
    conf = CONTAINERS_CONF.read_text(encoding="utf-8") if CONTAINERS_CONF.is_file() else ""
    for setting in ("runtime", "default_ulimits"):
        if not re.search(rf"^\s*{setting}\s*=", conf, re.M):
            return f"{CONTAINERS_CONF} does not set {setting} (.ci/run writes it)"
    if sys.version_info[:2] != BASE_PYTHON:
        return (
            f"the base image's Python is {BASE_PYTHON[0]}.{BASE_PYTHON[1]}: the wheels built "
            f"here by Python {sys.version_info[0]}.{sys.version_info[1]} would not install in it"
        )
    return None


class PodmanError(RuntimeError):
    pass


def podman(
    *args: str, timeout: float = 120, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """``podman ARGS``, output captured; a failure raises with what podman said."""
    done = subprocess.run(
        ["podman", *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and done.returncode != 0:
        raise PodmanError(
            f"podman {shlex.join(args)} exited {done.returncode}:\n"
            f"{done.stdout[-3000:]}{quiet(done.stderr)[-3000:]}"
        )
    return done


def quiet(stderr: str) -> str:
    # Without systemd, podman says on every run and stop that it cannot add or remove the
    # timer that would run the healthcheck; the test runs it itself (Container.wait_healthy).
    return "".join(
        line for line in stderr.splitlines(keepends=True) if "systemd connection" not in line
    )


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One process at a time (two test runs on one machine make the base once)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def base_image() -> str:
    """The local base image (Debian bookworm, minbase, python3 and python3-venv): the cached
    image, else imported from the cached tarball, else made by debootstrap (about a minute)."""
    with _locked(CACHE / "lock"):
        if podman("image", "exists", BASE, check=False).returncode == 0:
            return BASE
        tarball = CACHE / "bookworm-python3.tar"
        if not tarball.is_file():
            _debootstrap(tarball)
        podman("import", str(tarball), BASE, timeout=300)
    return BASE


def _debootstrap(tarball: Path) -> None:
    root = CACHE / "rootfs"
    shutil.rmtree(root, ignore_errors=True)
    command = [
        "debootstrap", "--variant=minbase", "--include=python3,python3-venv",
        "bookworm", str(root), MIRROR,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    if done.returncode != 0:
        raise PodmanError(f"debootstrap exited {done.returncode}:\n{done.stdout[-3000:]}")
    # What a slim image leaves out too: apt's downloads and lists, documentation, translations.
    for folder in ("var/cache/apt", "var/lib/apt/lists", "usr/share/doc", "usr/share/man",
                   "usr/share/locale"):  # fmt: skip
        for child in (root / folder).glob("*"):
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    partial = tarball.with_suffix(".partial")
    subprocess.run(
        ["tar", "--numeric-owner", "-C", str(root), "-cf", str(partial), "."],
        check=True,
        timeout=300,
    )
    partial.rename(tarball)  # whole or not at all
    shutil.rmtree(root)


def build_context(folder: Path) -> Path:
    """The repository as a build context, with the wheels of every dependency (and of
    setuptools and wheel, to build the harness's own) in container/wheels/, built here."""
    context = folder / "context"
    left_out = [
        ".git", ".tox", ".venv", "*.egg-info", "__pycache__", "node_modules", ".*_cache",
        "wheels", "reports", "build", "dist",
    ]  # fmt: skip
    shutil.copytree(ROOT, context, ignore=shutil.ignore_patterns(*left_out))
    wheels = context / "container" / "wheels"
    command = [
        sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check",
        "--wheel-dir", str(wheels), str(ROOT), "setuptools>=69", "wheel",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    if done.returncode != 0:
        raise PodmanError(f"pip wheel exited {done.returncode}:\n{done.stderr[-3000:]}")
    for own in wheels.glob("tpn_harness-*.whl"):
        own.unlink()  # the build stage makes it from the sources it copies
    return context


def build(context: Path, tag: str) -> None:
    """The image from the repository's Dockerfile, offline, on the local base. ``docker`` format:
    the OCI format has no HEALTHCHECK. No intermediate images are kept (``--layers=false``)."""
    podman(
        "build", "--quiet", "--format", "docker", "--layers=false", "--network=none",
        "--build-arg", f"BASE_IMAGE={base_image()}", "--build-arg", "PIP_NO_INDEX=1",
        "--file", str(context / "Dockerfile"), "--tag", tag, str(context),
        timeout=900,
    )  # fmt: skip


def image_size(tag: str) -> int:
    return int(podman("image", "inspect", "--format", "{{.Size}}", tag).stdout.strip())


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@dataclass
class Container:
    """A container of the image, publishing its port on 127.0.0.1 at a port the OS chooses."""

    image: str
    volume: str
    env: dict[str, str] = field(default_factory=dict)
    name: str = field(default_factory=lambda: unique("tpn-test"))

    def start(self) -> None:
        env = [f"--env={k}={v}" for k, v in self.env.items()]
        podman(
            "run", "--detach", "--name", self.name, "--publish", f"127.0.0.1::{PORT}",
            "--volume", f"{self.volume}:/data", *env, self.image,
        )  # fmt: skip

    @property
    def base_url(self) -> str:
        published = podman("port", self.name, str(PORT)).stdout.strip().splitlines()[0]
        return f"http://{published}"

    def health(self) -> str:
        return podman("inspect", "--format", "{{.State.Health.Status}}", self.name).stdout.strip()

    def wait_healthy(self, timeout: float = 90) -> float:
        """Run the image's healthcheck (podman would from a systemd timer) until it passes;
        the seconds it took."""
        started = time.monotonic()
        while True:
            done = podman("healthcheck", "run", self.name, check=False)
            if done.returncode == 0 and self.health() == "healthy":
                return time.monotonic() - started
            if time.monotonic() - started > timeout:
                raise PodmanError(
                    f"{self.name} not healthy after {timeout:.0f} s ({self.health()}): "
                    f"{quiet(done.stderr)}\n{self.logs()}"
                )
            time.sleep(0.5)

    def exec(self, *command: str) -> str:
        return podman("exec", self.name, *command).stdout

    def stop(self) -> float:
        """Stop (SIGTERM, SIGKILL after 10 s); the seconds it took."""
        started = time.monotonic()
        podman("stop", "--time", "10", self.name, timeout=60)
        return time.monotonic() - started

    def logs(self) -> str:
        done = podman("logs", self.name, check=False)
        return (done.stdout + quiet(done.stderr))[-4000:]

    def remove(self) -> None:
        podman("rm", "--force", "--volumes", self.name, check=False, timeout=60)
