"""The reference MinSide client and ``tpn eservice``: jobs read as hostile input, each action
done against MinSide, exit 0 done, 1 not done, 2 a job or option that cannot be used, always
in one line and never with a traceback; and the minside-client profile's own options."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from minsideclient_support import TIMEOUT, act, minside, steps
from served import tpn_command

from tpn.conformance.minsideclient.plan import receipt_pdf
from tpn.conformance.minsideclient.reference import reference_asker
from tpn.conformance.minsideclient.run import Runner, services
from tpn.conformance.options import OptionError
from tpn.conformance.profiles import get
from tpn.mocks.minsideclient import JobError, parse_job


def tpn(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*tpn_command(), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        check=False,
    )


def job_json(tmp_path: Path, base: str, step_id: str) -> dict[str, Any]:
    """The suite's job for the plan's ``step_id``, as the suite writes it."""
    (step,) = [s for s in steps("full") if s.id == step_id]
    runner = Runner(
        mocks=None,  # type: ignore[arg-type]  # only the job is made
        asker=reference_asker(TIMEOUT, ())[0],
        contents=dict,  # type: ignore[arg-type]
        services=services(base, None, None),
        run_id="test",
        files=tmp_path,
        client_timeout=TIMEOUT,
        deadline=30.0,
    )
    return runner.job(step).to_json()


def write(tmp_path: Path, job: dict[str, Any], name: str = "job.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(job), encoding="utf-8")
    return path


# ------------------------------------------------------------------ the jobs


def test_each_action_is_done_once_against_minside(tmp_path: Path) -> None:
    with minside() as mock:
        done = act(
            mock, tmp_path, steps("core", ids=("ms-register-", "ms-receipt-1", "ms-update-1"))
        )
        contents = mock.minside.contents()
    assert [a.reply.success for a in done] == [True] * 4
    assert len(contents["tjenester"]) == 2
    (message,) = contents["meldinger"]
    (case,) = contents["saker"]
    receipt = done[2].step
    assert message["mottaker"] == case["mottaker"] == receipt.inputs["mottaker"]
    assert receipt.inputs["saksnummer"] in message["tittel"]
    assert message["lenke"] == case["lenke"] == receipt.inputs["lenke"]
    assert message["vedlegg"][0]["data"] == receipt.application.kvittering  # type: ignore[union-attr]
    assert [h["status"] for h in case["historikk"]] == ["MOTTATT", "UNDER_BEHANDLING"]


def test_the_receipt_pdf_is_a_pdf() -> None:
    pdf = receipt_pdf("Kvittering (MS-1) sak 2007/1 \\ æ")
    assert pdf.startswith(b"%PDF-1.4\n") and pdf.endswith(b"%%EOF\n")
    assert b"/Type /Catalog" in pdf and b"xref" in pdf


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda j: j.update(tpn_job=2), "tpn_job must be 1"),
        (lambda j: j.update(action="delete-all"), "action must be one of register-service"),
        (lambda j: j["inputs"].pop("saksnummer"), "inputs.saksnummer must be a text"),
        (lambda j: j["inputs"].update(sikkerhetsnivaa="3"), "inputs.sikkerhetsnivaa must be"),
        (lambda j: j["inputs"].update(tidspunkt="2007-03-05T09:00:00"), "name its offset"),
        (lambda j: j["inputs"].update(tidspunkt="tomorrow"), "must be an ISO 8601 time"),
        (lambda j: j["files"].update(kvittering="kvittering.pdf"), "must be an absolute path"),
        (lambda j: j["services"].pop("minesaker"), "services.minesaker is missing"),
        (lambda j: j["services"]["meldingsboks"].update(url="ftp://x"), "http or https URL"),
        (lambda j: j.update(deadline_seconds=1e9), "deadline_seconds must be more than 0"),
    ],
)
def test_a_job_that_cannot_be_done_is_refused_naming_the_field(
    tmp_path: Path, change: Any, message: str
) -> None:
    job = job_json(tmp_path, "http://127.0.0.1:9", "ms-receipt-1")
    change(job)
    with pytest.raises(JobError, match=message):
        parse_job(json.dumps(job).encode())


def test_hostile_bytes_are_refused_in_one_line() -> None:
    for data in (b"\xff\xfe", b"[" * 100_000, b"NaN", b"{" + b" " * (2 * 1024 * 1024) + b"}"):
        with pytest.raises(JobError) as caught:
            parse_job(data)
        assert "\n" not in str(caught.value)


# ------------------------------------------------------------------ tpn eservice


def test_tpn_eservice_act_does_a_job_and_says_so(tmp_path: Path) -> None:
    with minside() as mock:
        base = mock.base_url
        reg = write(tmp_path, job_json(tmp_path, base, "ms-register-k1001-barnehage"), "r.json")
        rec = write(tmp_path, job_json(tmp_path, base, "ms-receipt-1"), "m.json")
        first = tpn("eservice", "act", str(reg))
        second = tpn("eservice", "act", "--json", env={"TPN_JOB": str(rec)})
        again = tpn("eservice", "act", str(rec))
        counts = mock.minside.counts()
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stdout == "the service k1001-barnehage is in the tjenestekatalog\n"
    assert second.returncode == 0 and json.loads(second.stdout)["success"] is True
    assert again.returncode == 0 and again.stdout.startswith("the receipt was sent (meldingId ")
    assert counts["minside_meldinger"] == 1  # asked again: the same message


def test_tpn_eservice_act_exits_1_when_minside_is_not_there(tmp_path: Path) -> None:
    job = write(tmp_path, job_json(tmp_path, "http://127.0.0.1:9", "ms-update-1"))
    done = tpn("eservice", "act", "--retries", "0", str(job))
    assert done.returncode == 1 and done.stderr == ""
    assert done.stdout == (
        "not done: OppdaterSaksstatus failed after 1 attempt(s): connection failed "
        "(ConnectionRefusedError)\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("act",), "give the job file, or its path in $TPN_JOB"),
        (("act", "--timeout", "0", "j"), "--timeout must be more than 0"),
        (("act", "--retries", "x", "j"), "--retries must be a whole number"),
        (("act", "--defect", "nope", "j"), "unknown defect 'nope'"),
        (("act", "/nonexistent/job.json"), "/nonexistent/job.json"),
    ],
)
def test_tpn_eservice_act_exits_2_in_one_line(args: tuple[str, ...], message: str) -> None:
    done = tpn("eservice", *args, env={"TPN_JOB": ""})
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith("tpn eservice: error: ") and message in done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_tpn_eservice_defects_lists_the_catalogue() -> None:
    done = tpn("eservice", "defects")
    assert done.returncode == 0
    names = [line.split("\t")[0] for line in done.stdout.splitlines()]
    assert names[0] == "new-reference-on-retry" and len(names) >= 10


# ------------------------------------------------------------------ the profile's options


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"target": "http://x"}, "minside-client takes no --tpn-target: the client is the client"),
        ({"engine-cmd": "x", "manual": True}, "choose one way of asking the client"),
        ({"engine-cmd": "x {nope}"}, "unknown placeholder {nope}"),
        ({"engine-webhook": "ftp://x"}, "--tpn-engine-webhook must be an http(s) URL"),
        ({"manual": True, "defect": ["no-retry"]}, "--tpn-defect gives the reference client"),
    ],
)
def test_the_profile_refuses_options_that_make_no_run(values: dict[str, Any], message: str) -> None:
    with pytest.raises(OptionError, match=re.escape(message)):
        get("minside-client").validate(values)


def test_the_placeholders_name_minside_services() -> None:
    get("minside-client").validate(
        {
            "engine-cmd": "my-eservice {job} {meldingsboks_url} {minesaker_url} {tjenestekatalog_url}"
            " {user} {password} {referanse} {kvittering} {inputs.saksnummer} {inputs.tjenesteId}"
        }
    )
