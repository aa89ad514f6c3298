"""The CI templates vendors copy (``ci-templates/``): linted (actionlint, the CI systems' JSON
schemas, shellcheck on every script), and their steps, run in order in a shell as the CI system
would run them, pass against the reference, fail on a non-conformant product, and flag a target
that cannot be reached as a broken setup.

Only the install line is not run (the harness is installed in the test's environment): the test
checks it is exactly the one the templates document before it skips it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tpn.mocks.core.serving import free_port

ROOT = Path(__file__).resolve().parent.parent
GITHUB = ROOT / "ci-templates" / "github" / "tpn-conformance.yml"
GITLAB = ROOT / "ci-templates" / "gitlab" / "tpn-conformance.gitlab-ci.yml"
INSTALL = 'python -m pip install "$TPN_HARNESS"'
ACTIONLINT = Path(os.environ.get("TPN_ACTIONLINT", Path.home() / ".cache" / "tpn-actionlint"))

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Template:
    """A template's variables and its shell scripts in the order the CI system runs them; each
    script runs in a shell of its own (GitHub: one per step), or all in one (GitLab)."""

    variables: dict[str, str]
    scripts: list[str]
    one_shell: bool


def github() -> Template:
    workflow: Any = yaml.safe_load(GITHUB.read_text(encoding="utf-8"))
    [job] = workflow["jobs"].values()
    scripts = [step["run"] for step in job["steps"] if "run" in step]
    return Template({k: str(v) for k, v in workflow["env"].items()}, scripts, one_shell=False)


def gitlab() -> Template:
    pipeline: Any = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))
    job = pipeline["tpn-conformance"]
    variables = {k: str(v) for k, v in pipeline["variables"].items()}
    return Template(variables, list(job["script"]), one_shell=True)


TEMPLATES = {"github": github, "gitlab": gitlab}


# ---------------------------------------------------------------- lints


def test_the_github_workflow_passes_actionlint(tmp_path: Path) -> None:
    package = ACTIONLINT / "node_modules" / "actionlint" / "package.json"
    if shutil.which("node") is None or not package.is_file():
        pytest.skip(f"actionlint (npm) is not installed under {ACTIONLINT} (.ci/run installs it)")
    runner = tmp_path / "lint.cjs"
    runner.write_text(
        'const { createLinter } = require("actionlint");\n'
        'const fs = require("node:fs");\n'
        "(async () => {\n"
        "  const lint = await createLinter();\n"
        "  const path = process.argv[2];\n"
        '  const found = lint(fs.readFileSync(path, "utf8"), path);\n'
        "  for (const r of found) console.log(`${r.line}:${r.column}: ${r.message} [${r.kind}]`);\n"
        "  process.exit(found.length ? 1 : 0);\n"
        "})();\n",
        encoding="utf-8",
    )
    env = {**os.environ, "NODE_PATH": str(ACTIONLINT / "node_modules")}
    done = subprocess.run(
        ["node", str(runner), str(GITHUB)], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("path", "schema"),
    [(GITHUB, "vendor.github-workflows"), (GITLAB, "vendor.gitlab-ci")],
    ids=["github", "gitlab"],
)
def test_each_template_is_valid_by_its_ci_systems_schema(path: Path, schema: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_script_passes_shellcheck(name: str, tmp_path: Path) -> None:
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck is not installed (Debian: apt-get install shellcheck)")
    for number, script in enumerate(TEMPLATES[name]().scripts):
        path = tmp_path / f"{name}-{number}.sh"
        path.write_text(f"#!/bin/bash\n{script}\n", encoding="utf-8")
        done = subprocess.run(["shellcheck", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, f"{name} script {number}:\n{script}\n{done.stdout}"


# ---------------------------------------------------------------- run in order


@dataclass
class Run:
    status: int
    output: str
    folder: Path
    summary: str


def run(name: str, tmp_path: Path, **variables: str) -> Run:
    """The template's scripts in order, in a fresh folder, with its variables (and ``variables``
    over them), as its CI system runs them: GitHub a step per shell (``bash -e``), stopping at the
    first that fails; GitLab the whole script in one shell, stopping at the first failing line."""
    template = TEMPLATES[name]()
    assert template.scripts[0] == INSTALL, "the first script installs the harness"
    scripts = template.scripts[1:]  # the harness is installed here already
    folder = tmp_path / name
    folder.mkdir()
    summary = tmp_path / f"{name}-summary.md"
    env = {
        **os.environ,
        **template.variables,
        **variables,
        # The environment's own tpn and python first, as setup-python's or the image's would be.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(tmp_path / f"{name}-output"),
    }
    shells = ["\n".join(scripts)] if template.one_shell else scripts
    output, status, groups = "", 0, []
    try:
        for script in shells:
            process = subprocess.Popen(
                ["bash", "-eo", "pipefail", "-c", script],
                cwd=folder,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                start_new_session=True,  # its background server stays in its process group
            )
            groups.append(process.pid)
            said, _ = process.communicate(timeout=600)
            output += said
            status = process.returncode
            if status != 0:
                break
    finally:
        for group in groups:  # the CI system ends the job's processes; so does the test
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGTERM)
    return Run(status, output, folder, summary.read_text() if summary.is_file() else "")


@pytest.mark.parametrize("name", TEMPLATES)
def test_the_steps_in_order_certify_the_served_reference(name: str, tmp_path: Path) -> None:
    done = run(name, tmp_path, TPN_PORT=str(free_port()))
    assert done.status == 0, done.output[-4000:]
    assert "Conformant: noark4ws-archive at level core" in done.output
    reports = done.folder / "tpn-report"
    for kept in ("junit.xml", "report.html", "report.json"):
        assert (reports / kept).is_file(), f"{kept} is not where the template keeps it"
    assert json.loads((reports / "report.json").read_text())["summary"]["result"] == "passed"
    if name == "github":
        assert "### tpn certify: noark4ws-archive at level core: passed" in done.summary


@pytest.mark.parametrize("name", TEMPLATES)
def test_a_non_conformant_product_fails_the_job(name: str, tmp_path: Path) -> None:
    # A form engine's output with a document that is not a KS skjema-XML form: exit 1.
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "skjema.xml").write_text("<ikke-et-skjema/>", encoding="utf-8")
    done = run(
        name,
        tmp_path,
        TPN_PORT=str(free_port()),
        TPN_PROFILE="form-xml",
        TPN_TARGET=str(documents),
    )
    assert done.status == 1, done.output[-4000:]
    marker = "::error title=Not conformant::" if name == "github" else "NOT CONFORMANT:"
    assert marker in done.output
    assert (done.folder / "tpn-report" / "report.html").is_file()


@pytest.mark.parametrize("name", TEMPLATES)
def test_a_target_that_cannot_be_reached_is_flagged_as_a_broken_setup(
    name: str, tmp_path: Path
) -> None:
    nobody = free_port()  # chosen free, and nothing listens on it
    done = run(
        name,
        tmp_path,
        TPN_PORT=str(free_port()),
        TPN_TARGET=f"http://127.0.0.1:{nobody}/noark4ws",
    )
    assert done.status == 2, done.output[-4000:]
    marker = "::error title=Broken setup::" if name == "github" else "BROKEN SETUP: "
    assert f"{marker}tpn certify could not make the run" in done.output
