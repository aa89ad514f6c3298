"""Signing and verifying report folders (``tpn keygen``, ``tpn report verify``)."""

from __future__ import annotations

import base64
import hashlib
import json
import stat
import warnings
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tpn.harness.certificate import (
    SIGNATURE_MISMATCH,
    CertificateError,
    Verification,
    generate_keypair,
    key_fingerprint,
    load_private_key,
    load_public_key,
    sign_report,
    verify_report,
)
from tpn.harness.cli import main

SIGNED_AT = datetime(2026, 11, 28, 16, 30, tzinfo=timezone(timedelta(hours=1)))
JUNIT = b'<?xml version="1.0"?>\n<testsuite name="noark4ws-archive" tests="3"/>\n'


def make_report(folder: Path, **changes: Any) -> Path:
    """A small report folder as `tpn certify` writes it; `changes` replace top-level keys."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "junit.xml").write_bytes(JUNIT)
    (folder / "report.html").write_text("<html></html>\n", encoding="utf-8")
    report: dict[str, Any] = {
        "format": "tpn-report/1",
        "suite": {"name": "tpn-harness", "version": "0.1.0"},
        "profile": "noark4ws-archive",
        "standard": {"name": "Noark-4 WS", "version": "1.1"},
        "target": "http://127.0.0.1:8086/noark4ws",
        "reference": False,
        "vendor": "Ærlig Arkiv AS",
        "product": "ArkivX",
        "product_version": "4.2",
        "level": "core",
        "seed": 12345,
        "started": "2026-11-28T14:00:00+00:00",
        "finished": "2026-11-28T14:05:00+00:00",
        "summary": {
            "passed": 2,
            "failed": 0,
            "not_applicable": 1,
            "waived": 0,
            "not_run": 0,
            "total": 3,
            "result": "passed",
        },
        "requirements": [
            {"id": "N4WS-NUM-001", "level": "core", "result": "passed"},
            {"id": "N4WS-NUM-002", "level": "core", "result": "passed"},
            {"id": "N4WS-DOC-001", "level": "core", "result": "not_applicable"},
        ],
        "artefacts": {
            "junit.xml": {"sha256": hashlib.sha256(JUNIT).hexdigest(), "size": len(JUNIT)}
        },
        "opaque": {"kept": ["as", "is"]},
        "attestation": None,
    }
    report.update(changes)
    (folder / "report.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    return folder


def make_keys(folder: Path, name: str = "tpn-signing") -> tuple[Path, Path]:
    private, public = folder / f"{name}.key", folder / f"{name}.pub"
    generate_keypair(private, public)
    return private, public


def signed_report(tmp_path: Path, **changes: Any) -> tuple[Path, Path]:
    """(report folder, public key) of a report signed as a witnessed run."""
    private, public = make_keys(tmp_path)
    folder = make_report(tmp_path / "run", **changes)
    sign_report(folder, private, signer="Testhuset AS", witnessed=True, now=SIGNED_AT)
    return folder, public


def edit_report(folder: Path, edit: Any) -> None:
    path = folder / "report.json"
    report = json.loads(path.read_text(encoding="utf-8"))
    edit(report)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# ---- keys ----


def test_keygen_writes_a_matching_pair_and_keeps_the_private_key_private(tmp_path: Path) -> None:
    private, public = make_keys(tmp_path)
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert private.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----\n")
    assert public.read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----\n")
    assert key_fingerprint(load_private_key(private).public_key()) == key_fingerprint(
        load_public_key(public)
    )


def test_keygen_refuses_to_overwrite_either_file(tmp_path: Path) -> None:
    private, public = make_keys(tmp_path)
    before = private.read_bytes()
    with pytest.raises(CertificateError) as error:
        generate_keypair(private, tmp_path / "other.pub")
    assert str(error.value) == f"{private} exists; refusing to overwrite a key file"
    assert error.value.path == private
    assert private.read_bytes() == before
    with pytest.raises(CertificateError, match="exists; refusing to overwrite a key file"):
        generate_keypair(tmp_path / "other.key", public)
    assert not (tmp_path / "other.key").exists()


# ---- signing and verifying ----


def test_sign_then_verify_reports_what_was_signed(tmp_path: Path) -> None:
    folder, public = signed_report(tmp_path)
    sig = (folder / "report.json.sig").read_bytes()
    assert sig.endswith(b"\n") and len(base64.b64decode(sig[:-1], validate=True)) == 64

    text = (folder / "report.json").read_text(encoding="utf-8")
    assert text.endswith("}\n") and "Ærlig Arkiv AS" in text  # ensure_ascii=False
    report = json.loads(text)
    assert report["opaque"] == {"kept": ["as", "is"]}
    assert report["attestation"] == {
        "signer": "Testhuset AS",
        "witnessed": True,
        "signed_at": "2026-11-28T15:30:00+00:00",
        "public_key_sha256": key_fingerprint(load_public_key(public)),
    }

    assert verify_report(folder, public) == Verification(
        ok=True,
        problems=(),
        signer="Testhuset AS",
        witnessed=True,
        signed_at="2026-11-28T15:30:00+00:00",
        target="http://127.0.0.1:8086/noark4ws",
        reference=False,
        vendor="Ærlig Arkiv AS",
        product="ArkivX",
        product_version="4.2",
        profile="noark4ws-archive",
        level="core",
        result="passed",
        passed=2,
        failed=0,
        not_applicable=1,
        waived=0,
        total=3,
        started="2026-11-28T14:00:00+00:00",
        finished="2026-11-28T14:05:00+00:00",
    )


def test_a_flipped_result_is_detected(tmp_path: Path) -> None:
    folder, public = signed_report(tmp_path)
    edit_report(folder, lambda r: r["requirements"][0].update(result="failed"))
    assert verify_report(folder, public).problems == (
        SIGNATURE_MISMATCH,
        "the summary counts 2 passed, but the requirements list has 1",
        "the summary counts 0 failed, but the requirements list has 1",
        "the summary's result is 'passed', but 1 requirement failed",
    )


def test_a_self_test_cannot_be_relabelled_as_witnessed(tmp_path: Path) -> None:
    private, public = make_keys(tmp_path)
    folder = make_report(tmp_path / "run")
    sign_report(folder, private, signer="Acme", witnessed=False)
    edit_report(folder, lambda r: r["attestation"].update(witnessed=True, signer="Testhuset AS"))
    verification = verify_report(folder, public)
    assert (verification.ok, verification.problems) == (False, (SIGNATURE_MISMATCH,))


def test_the_signature_message_is_the_documented_one() -> None:
    assert SIGNATURE_MISMATCH == (
        "the signature does not match report.json: the file was changed after signing, "
        "or it was signed with another key"
    )


def test_a_changed_junit_xml_is_detected(tmp_path: Path) -> None:
    folder, public = signed_report(tmp_path)
    changed = JUNIT.replace(b'tests="3"', b'tests="4"')
    (folder / "junit.xml").write_bytes(changed)
    assert verify_report(folder, public).problems == (
        f"junit.xml was changed after the run: it has {len(changed)} bytes and sha256 "
        f"{hashlib.sha256(changed).hexdigest()}, report.json records {len(JUNIT)} bytes and "
        f"sha256 {hashlib.sha256(JUNIT).hexdigest()}",
    )
    (folder / "junit.xml").unlink()
    assert verify_report(folder, public).problems == ("junit.xml is missing",)


def test_an_artefact_outside_the_folder_is_refused(tmp_path: Path) -> None:
    outside = {"../secret": {"sha256": "00", "size": 0}}
    folder, public = signed_report(tmp_path, artefacts=outside)
    assert verify_report(folder, public).problems == (
        "the artefact '../secret' lies outside the report folder",
    )


def test_another_key_is_detected(tmp_path: Path) -> None:
    folder, public = signed_report(tmp_path)
    _, other = make_keys(tmp_path, "other")
    fingerprints = [key_fingerprint(load_public_key(key)) for key in (public, other)]
    assert verify_report(folder, other).problems == (
        SIGNATURE_MISMATCH,
        f"the attestation names the key with sha256 {fingerprints[0]}, "
        f"but the given public key has sha256 {fingerprints[1]}",
    )


def test_a_summary_that_disagrees_with_the_requirements_is_detected(tmp_path: Path) -> None:
    requirements = [
        {"id": "N4WS-NUM-001", "result": "passed"},
        {"id": "N4WS-NUM-002", "result": "failed"},
        {"id": "N4WS-DOC-001", "result": "skipped"},
    ]
    folder, public = signed_report(tmp_path, requirements=requirements)
    assert verify_report(folder, public).problems == (
        "requirement N4WS-DOC-001 has result 'skipped', "
        "which is none of passed, failed, not_applicable, waived, not_run",
        "the summary counts 2 passed, but the requirements list has 1",
        "the summary counts 0 failed, but the requirements list has 1",
        "the summary counts 1 not applicable, but the requirements list has 0",
        "the summary's result is 'passed', but 1 requirement failed",
    )


def test_a_failed_result_needs_a_failed_requirement(tmp_path: Path) -> None:
    summary = {
        "passed": 2,
        "failed": 0,
        "not_applicable": 1,
        "waived": 0,
        "not_run": 0,
        "total": 3,
        "result": "failed",
    }
    folder, public = signed_report(tmp_path, summary=summary)
    assert verify_report(folder, public).problems == (
        "the summary's result is 'failed', but no requirement failed",
    )


@pytest.mark.parametrize(
    ("sig", "problem"),
    [
        (None, "report.json.sig is missing: the report was not signed"),
        (b"not base64!\n", "report.json.sig is not base64"),
        (
            base64.b64encode(b"x" * 32) + b"\n",
            "report.json.sig holds 32 bytes, not the 64 of an Ed25519 signature",
        ),
    ],
)
def test_a_missing_or_malformed_signature_is_detected(
    tmp_path: Path, sig: bytes | None, problem: str
) -> None:
    folder, public = signed_report(tmp_path)
    if sig is None:
        (folder / "report.json.sig").unlink()
    else:
        (folder / "report.json.sig").write_bytes(sig)
    verification = verify_report(folder, public)
    assert (verification.ok, verification.problems) == (False, (problem,))
    assert verification.signer == "Testhuset AS"  # still shown, as a claim


def test_an_unsigned_report_has_no_attestation(tmp_path: Path) -> None:
    _, public = make_keys(tmp_path)
    folder = make_report(tmp_path / "run")
    assert verify_report(folder, public).problems == (
        "report.json.sig is missing: the report was not signed",
        "report.json has no attestation: it was not signed with `tpn certify --sign-key`",
    )


def test_verify_reports_an_unusable_folder_without_raising(tmp_path: Path) -> None:
    _, public = make_keys(tmp_path)
    assert verify_report(tmp_path / "nowhere", public).problems == (
        f"{tmp_path / 'nowhere'} is not a folder",
    )
    (tmp_path / "empty").mkdir()
    assert verify_report(tmp_path / "empty", public).problems == ("report.json is missing",)
    folder = make_report(tmp_path / "run")
    (folder / "report.json").write_text("[1, 2]", encoding="utf-8")
    assert verify_report(folder, public).problems == (
        "report.json.sig is missing: the report was not signed",
        "report.json is not a tpn report: it holds a JSON list, not an object",
    )


# ---- errors when signing ----


def rsa_private_pem() -> bytes:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def test_signing_refuses_keys_of_the_wrong_kind(tmp_path: Path) -> None:
    private, public = make_keys(tmp_path)
    folder = make_report(tmp_path / "run")
    rsa_key = tmp_path / "rsa.key"
    rsa_key.write_bytes(rsa_private_pem())
    encrypted = tmp_path / "encrypted.key"
    encrypted.write_bytes(
        load_private_key(private).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret"),
        )
    )
    garbage = tmp_path / "garbage.key"
    garbage.write_text("hello\n", encoding="utf-8")
    cases = {
        rsa_key: f"{rsa_key} holds an RSA key; tpn signs with Ed25519 (make one with `tpn keygen`)",
        public: f"{public} is a public key; signing needs the private key "
        "(as `tpn keygen` writes to tpn-signing.key)",
        encrypted: f"{encrypted} is encrypted; tpn needs an unencrypted PKCS8 PEM private key",
        garbage: f"{garbage} is not a PEM private key",
        tmp_path / "absent.key": f"{tmp_path / 'absent.key'} cannot be read as the private key: "
        "No such file or directory",
    }
    for key, message in cases.items():
        with pytest.raises(CertificateError) as error:
            sign_report(folder, key, signer="Testhuset AS", witnessed=True)
        assert (str(error.value), error.value.path) == (message, key)
    assert not (folder / "report.json.sig").exists()


def test_verifying_refuses_keys_of_the_wrong_kind(tmp_path: Path) -> None:
    folder, _ = signed_report(tmp_path)
    private = tmp_path / "tpn-signing.key"
    ec_public = tmp_path / "ec.pub"
    ec_public.write_bytes(
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    cases = {
        private: f"{private} is a private key; verifying needs the signer's public key (as "
        "`tpn keygen` writes to tpn-signing.pub), and the private key should not be handed around",
        ec_public: f"{ec_public} holds an elliptic-curve (ECDSA) key; "
        "tpn reports are signed with Ed25519",
    }
    for key, message in cases.items():
        with pytest.raises(CertificateError) as error:
            verify_report(folder, key)
        assert str(error.value) == message


def test_signing_refuses_what_is_not_a_tpn_report(tmp_path: Path) -> None:
    private, _ = make_keys(tmp_path)
    folder = tmp_path / "run"
    folder.mkdir()
    report = folder / "report.json"
    cases = {
        None: f"{report} is missing; run `tpn certify` first",
        "{oops": f"{report} is not JSON (Expecting property name enclosed in double quotes "
        "at line 1, column 2)",
        '{"format": "junit"}': f"{report} is not a tpn report: its format is 'junit', "
        "not 'tpn-report/1'",
        "{}": f"{report} is not a tpn report: it has no format key (expected 'tpn-report/1')",
    }
    for text, message in cases.items():
        if text is not None:
            report.write_text(text, encoding="utf-8")
        with pytest.raises(CertificateError) as error:
            sign_report(folder, private, signer="Testhuset AS", witnessed=True)
        assert (str(error.value), error.value.path) == (message, report)


def test_signing_needs_a_signer_and_an_aware_time(tmp_path: Path) -> None:
    private, _ = make_keys(tmp_path)
    folder = make_report(tmp_path / "run")
    with pytest.raises(CertificateError, match=r"^the signer is empty; give the name of the"):
        sign_report(folder, private, signer="  ", witnessed=True)
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        sign_report(folder, private, signer="X", witnessed=True, now=datetime(2026, 1, 1))
    assert json.loads((folder / "report.json").read_bytes())["attestation"] is None
    sign_report(folder, private, signer="X", witnessed=True, now=datetime(2026, 1, 1, tzinfo=UTC))


# ---- command line ----


def test_cli_keygen_writes_the_defaults_and_refuses_to_overwrite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["keygen"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "wrote private key tpn-signing.key (mode 600; keep it secret)",
        "wrote public key  tpn-signing.pub",
        "Verifiers need only the public key: tpn report verify DIR --public-key tpn-signing.pub",
    ]
    load_private_key(tmp_path / "tpn-signing.key")
    assert main(["keygen", "--public-key", "other.pub"]) == 2
    out = capsys.readouterr()
    assert (out.out, out.err) == (
        "",
        "tpn keygen: error: tpn-signing.key exists; refusing to overwrite a key file\n",
    )


def test_cli_verify_prints_what_was_signed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, public = signed_report(tmp_path, reference=True)
    assert main(["report", "verify", str(folder), "--public-key", str(public)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"VALID: {folder} is signed and intact",
        "  signed by  Testhuset AS",
        "  signed at  2026-11-28T15:30:00+00:00",
        "  kind       witnessed run",
        "  target     http://127.0.0.1:8086/noark4ws (the embedded reference archive, "
        "not a vendor's product)",
        "  product    Ærlig Arkiv AS ArkivX 4.2",
        "  profile    noark4ws-archive, level core",
        "  result     passed: 2 passed, 0 failed, 1 not applicable, 0 waived; 3 in total",
        "  run        2026-11-28T14:00:00+00:00 to 2026-11-28T14:05:00+00:00",
        "  covers     report.json (signed); junit.xml, report.html (by their sha256 in "
        "report.json)",
    ]


def test_cli_verify_lists_each_problem_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    private, public = make_keys(tmp_path)
    folder = make_report(tmp_path / "run", vendor=None, product=None, product_version=None)
    sign_report(folder, private, signer="Acme", witnessed=False, now=SIGNED_AT)
    (folder / "junit.xml").unlink()
    edit_report(folder, lambda r: r["summary"].update(waived=1))
    assert main(["report", "verify", str(folder), "--public-key", str(public)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[:5] == [
        f"INVALID: {folder} has 3 problems",
        f"  problem: {SIGNATURE_MISMATCH}",
        "  problem: junit.xml is missing",
        "  problem: the summary counts 1 waived, but the requirements list has 0",
        "What report.json claims (not to be trusted):",
    ]
    assert "  kind       vendor's self-test" in lines
    assert "  product    (not recorded)" in lines


def test_cli_verify_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder, public = signed_report(tmp_path)
    assert main(["report", "verify", str(tmp_path / "nowhere"), "--public-key", str(public)]) == 2
    assert (
        capsys.readouterr().err
        == f"tpn report verify: error: {tmp_path / 'nowhere'} is not a folder\n"
    )
    absent = tmp_path / "absent.pub"
    assert main(["report", "verify", str(folder), "--public-key", str(absent)]) == 2
    assert capsys.readouterr().err == (
        f"tpn report verify: error: {absent} cannot be read as the public key: No such file or directory\n"
    )
    with pytest.raises(SystemExit) as exit_:
        main(["report", "verify", str(folder)])
    assert exit_.value.code == 2
    assert "--public-key" in capsys.readouterr().err


def test_a_dsa_key_is_named_without_a_deprecation_warning(tmp_path: Path) -> None:
    """cryptography 51 deprecated DSA: the refusal still names the kind, and warns of nothing
    (warnings are errors here)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from cryptography.hazmat.primitives.asymmetric import dsa

        private = dsa.generate_private_key(2048)
        private_pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        public_pem = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    folder, _ = signed_report(tmp_path)
    public = tmp_path / "dsa.pub"
    public.write_bytes(public_pem)
    with pytest.raises(CertificateError) as error:
        verify_report(folder, public)
    assert str(error.value) == f"{public} holds a DSA key; tpn reports are signed with Ed25519"
    key = tmp_path / "dsa.key"
    key.write_bytes(private_pem)
    with pytest.raises(CertificateError) as error:
        sign_report(make_report(tmp_path / "run"), key, signer="Testhuset AS", witnessed=True)
    assert str(error.value).startswith(f"{key} holds a DSA key; tpn signs with Ed25519")
