"""Signed certificates of conformance runs: Ed25519 over ``report.json``.

``tpn certify`` writes a report folder (``report.json``, ``junit.xml``, ``report.html``).
Signing it writes ``report.json.sig``: an Ed25519 signature over the exact bytes of
``report.json``, base64. Nothing else is signed directly; ``report.json`` records the sha256
and size of each file listed under ``artefacts`` (``junit.xml`` from the run, ``report.html``
added at signing), so those are covered through it (``tpn.harness.artefacts``). Verifying says
which files the signature covers and names any other file in the folder.

Who signed, when, with which key and whether the signer witnessed the run (rather than taking
a vendor's self-test on trust) is the ``attestation`` object *inside* ``report.json``, written
just before signing. Because it lies within the signed bytes, nobody can relabel a vendor's
self-test as a witnessed run, or change the signer's name, without breaking the signature;
a detached note beside the signature could be edited freely.

Verifying also checks what the signature cannot: that the signed attestation names the key
used, that the listed artefacts are unchanged, and that the summary agrees with the
requirement results (a report signed carelessly is still wrong).
"""

from __future__ import annotations

import argparse
import base64
import binascii
import contextlib
import dataclasses
import hashlib
import json
import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.utils import CryptographyDeprecationWarning

# The report's format and its results are the conformance package's; "not_run" (a run narrowed
# with -k) makes a report's result "incomplete".
from tpn.conformance.report_format import FORMAT, RESULTS
from tpn.fixtures.files import FileRefused, printable, read_regular
from tpn.harness import artefacts, limits
from tpn.harness.artefacts import REPORT, SIGNATURE
from tpn.harness.errors import fail, one_line

DEFAULT_PRIVATE_KEY = Path("tpn-signing.key")
DEFAULT_PUBLIC_KEY = Path("tpn-signing.pub")
SIGNATURE_MISMATCH = (
    f"the signature does not match {REPORT}: the file was changed after signing, "
    "or it was signed with another key"
)


class CertificateError(Exception):
    """A key or report that cannot be used; ``path`` is the file at fault, if there is one."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path


@dataclass(frozen=True)
class Verification:
    """The verdict on a report folder, and what its ``report.json`` says was signed.

    The fields after ``problems`` are read from ``report.json`` as it is; when ``ok`` is false
    they are claims, not facts. A field is None when the report lacks it or has the wrong type.
    """

    ok: bool
    problems: tuple[str, ...]
    signer: str | None = None
    witnessed: bool | None = None
    signed_at: str | None = None
    target: str | None = None
    reference: bool | None = None
    reference_name: str | None = None
    vendor: str | None = None
    product: str | None = None
    product_version: str | None = None
    profile: str | None = None
    level: str | None = None
    result: str | None = None
    passed: int | None = None
    failed: int | None = None
    not_applicable: int | None = None
    waived: int | None = None
    total: int | None = None
    started: str | None = None
    finished: str | None = None
    # What the signature covers and what else lies in the folder: facts about the folder, not
    # claims of the report, so they take no part in comparing two verdicts.
    covered: tuple[str, ...] = dataclasses.field(default=(), compare=False)
    uncovered: tuple[str, ...] = dataclasses.field(default=(), compare=False)


# ---- keys ----


def generate_keypair(private_path: Path, public_path: Path) -> None:
    """Write a new Ed25519 key pair as PEM; the private key file gets mode 0o600."""
    if private_path.resolve() == public_path.resolve():
        raise CertificateError(
            f"{printable(str(private_path))} is given for both keys; the private and public key "
            "need two files",
            private_path,
        )
    for path in (private_path, public_path):
        if path.exists() or path.is_symlink():
            raise CertificateError(
                f"{printable(str(path))} exists; refusing to overwrite a key file", path
            )
    key = ed25519.Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    _create(private_path, private_pem, mode=0o600)
    try:
        _create(public_path, public_pem, mode=0o644)
    except CertificateError:
        private_path.unlink()  # half a key pair is no use, and would block the next attempt
        raise


def _create(path: Path, data: bytes, *, mode: int) -> None:
    # O_EXCL: a file that appeared since the check above is still not overwritten, and a
    # symlink (even a dangling one) is never followed to write somewhere else.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, mode)
    except FileExistsError:
        raise CertificateError(
            f"{printable(str(path))} exists; refusing to overwrite a key file", path
        ) from None
    except OSError as exc:
        raise CertificateError(
            f"{printable(str(path))} cannot be written: {exc.strerror}", path
        ) from None
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        os.chmod(path, mode)  # the umask may have taken bits away; the mode is the point
    except OSError as exc:
        path.unlink(missing_ok=True)  # half a key (a full disk) is worse than none
        raise CertificateError(
            f"{printable(str(path))} cannot be written: {exc.strerror}", path
        ) from None


def _key_kind(key: object) -> str:
    kinds: list[tuple[tuple[type, ...], str]] = [
        ((rsa.RSAPrivateKey, rsa.RSAPublicKey), "an RSA"),
        ((ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey), "an elliptic-curve (ECDSA)"),
        ((ed448.Ed448PrivateKey, ed448.Ed448PublicKey), "an Ed448"),
        (_dsa_types(), "a DSA"),
    ]
    return next((kind for types, kind in kinds if isinstance(key, types)), "a non-Ed25519")


def _dsa_types() -> tuple[type, ...]:
    with _dsa_named():
        return (dsa.DSAPrivateKey, dsa.DSAPublicKey)


@contextlib.contextmanager
def _dsa_named() -> Iterator[None]:
    """cryptography 51 deprecated DSA and warns when a DSA key is loaded or its classes named:
    a DSA key handed to tpn is refused, saying what it is, and warns of nothing."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        yield


def _read_key(path: Path, what: str) -> bytes:
    try:
        path.stat()  # a missing file keeps its long-standing message
        return read_regular(path, limits.KEY_FILE, what=what)
    except OSError as exc:
        raise CertificateError(
            f"{printable(str(path))} cannot be read as the {what}: {exc.strerror}", path
        ) from None
    except FileRefused as exc:
        raise CertificateError(str(exc), path) from None


def load_private_key(path: Path) -> ed25519.Ed25519PrivateKey:
    """The Ed25519 private key in an unencrypted PKCS8 PEM file, or a CertificateError."""
    data = _read_key(path, "private key")
    if b"-----BEGIN PUBLIC KEY-----" in data:
        raise CertificateError(
            f"{path} is a public key; signing needs the private key (as `tpn keygen` writes to "
            f"{DEFAULT_PRIVATE_KEY})",
            path,
        )
    try:
        with _dsa_named():
            key = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise CertificateError(
            f"{path} is encrypted; tpn needs an unencrypted PKCS8 PEM private key", path
        ) from None
    except (ValueError, UnsupportedAlgorithm):
        raise CertificateError(f"{path} is not a PEM private key", path) from None
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise CertificateError(
            f"{path} holds {_key_kind(key)} key; tpn signs with Ed25519 (make one with "
            "`tpn keygen`)",
            path,
        )
    return key


def load_public_key(path: Path) -> ed25519.Ed25519PublicKey:
    """The Ed25519 public key in a SubjectPublicKeyInfo PEM file, or a CertificateError."""
    data = _read_key(path, "public key")
    if b"PRIVATE KEY-----" in data:
        raise CertificateError(
            f"{path} is a private key; verifying needs the signer's public key (as `tpn keygen` "
            f"writes to {DEFAULT_PUBLIC_KEY}), and the private key should not be handed around",
            path,
        )
    try:
        with _dsa_named():
            key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm):
        raise CertificateError(f"{path} is not a PEM public key", path) from None
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise CertificateError(
            f"{path} holds {_key_kind(key)} key; tpn reports are signed with Ed25519", path
        )
    return key


def key_fingerprint(key: ed25519.Ed25519PublicKey) -> str:
    """Hex sha256 of the raw 32-byte public key, as the attestation records it."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


# ---- signing ----


def _parse_report(data: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """(report, None), or (None, what is wrong, to follow the file's name)."""
    try:
        report = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return None, f"is not UTF-8 (byte {exc.start})"
    except json.JSONDecodeError as exc:
        return None, f"is not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
    if not isinstance(report, dict):
        return None, f"is not a tpn report: it holds a JSON {type(report).__name__}, not an object"
    if "format" not in report:
        return None, f"is not a tpn report: it has no format key (expected {FORMAT!r})"
    if report["format"] != FORMAT:
        return None, f"is not a tpn report: its format is {report['format']!r}, not {FORMAT!r}"
    return report, None


def sign_report(
    report_dir: Path,
    private_key: Path,
    *,
    signer: str,
    witnessed: bool,
    now: datetime | None = None,
) -> Path:
    """Put the attestation into ``report.json``, sign it, and return ``report.json.sig``."""
    if not signer.strip():
        raise CertificateError("the signer is empty; give the name of the person or test house")
    if now is not None and now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    key = load_private_key(private_key)
    path = report_dir / REPORT
    try:
        data = artefacts.read(path, limits.REPORT_FILE, "report")
        if data is None:
            raise CertificateError(
                f"{printable(str(path))} is missing; run `tpn certify` first", path
            )
    except FileRefused as exc:
        raise CertificateError(str(exc), path) from None
    report, problem = _parse_report(data)
    if report is None:
        raise CertificateError(f"{printable(str(path))} {problem}", path)
    try:
        # The page is covered from here on: a certificate has no file a reader could change
        # unnoticed. (Recorded now, not by the run, so that reports need no new format.)
        artefacts.record_html(report_dir, report)
    except FileRefused as exc:
        raise CertificateError(str(exc), report_dir / artefacts.HTML) from None
    report["attestation"] = {
        "signer": signer,
        "witnessed": witnessed,
        "signed_at": (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds"),
        "public_key_sha256": key_fingerprint(key.public_key()),
    }
    signed = (json.dumps(report, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    sig_path = report_dir / SIGNATURE
    _replace(path, signed)
    _replace(sig_path, base64.b64encode(key.sign(signed)) + b"\n")
    return sig_path


def _replace(path: Path, data: bytes) -> None:
    # Through a temporary file, so that a crash leaves the old file rather than half a new one.
    # A file or symlink left at the temporary name is removed, not written through.
    tmp = path.with_name(path.name + ".tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        tmp.unlink(missing_ok=True)
        with os.fdopen(os.open(tmp, flags, 0o644), "wb") as file:
            file.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise CertificateError(
            f"{printable(str(path))} cannot be written: {exc.strerror}", path
        ) from None


# ---- verifying ----


def verify_report(report_dir: Path, public_key: Path) -> Verification:
    """Check a signed report folder; raises when the public key cannot be used, and
    ``FileRefused`` for a file of the folder that cannot be judged (no regular file)."""
    key = load_public_key(public_key)
    if not report_dir.is_dir():
        return Verification(ok=False, problems=(f"{printable(str(report_dir))} is not a folder",))
    # A file of the folder that is no regular file within its limit (a FIFO, a device, a
    # symlink to one) is not judged: FileRefused, one line from the command (exit 2).
    data = artefacts.read(report_dir / REPORT, limits.REPORT_FILE, "report")
    if data is None:
        return Verification(ok=False, problems=(f"{REPORT} is missing",))
    problems = _check_signature(report_dir / SIGNATURE, data, key)
    report, problem = _parse_report(data)
    if report is None:
        return Verification(ok=False, problems=(*problems, f"{REPORT} {problem}"))
    problems += _check_attestation(report, key)
    problems += artefacts.check(report_dir, report)
    problems += _check_summary(report)
    return _verification(report, problems, report_dir)


def _check_signature(path: Path, data: bytes, key: ed25519.Ed25519PublicKey) -> list[str]:
    text = artefacts.read(path, limits.SIGNATURE_FILE, "signature")
    if text is None:
        return [f"{SIGNATURE} is missing: the report was not signed"]
    try:
        signature = base64.b64decode(text.strip(), validate=True)
    except binascii.Error:
        return [f"{SIGNATURE} is not base64"]
    if len(signature) != 64:
        return [f"{SIGNATURE} holds {len(signature)} bytes, not the 64 of an Ed25519 signature"]
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return [SIGNATURE_MISMATCH]
    return []


def _check_attestation(report: dict[str, Any], key: ed25519.Ed25519PublicKey) -> list[str]:
    attestation = report.get("attestation")
    if not isinstance(attestation, dict):
        return [f"{REPORT} has no attestation: it was not signed with `tpn certify --sign-key`"]
    problems: list[str] = []
    recorded, given = attestation.get("public_key_sha256"), key_fingerprint(key)
    if recorded != given:
        problems.append(
            f"the attestation names the key with sha256 {printable(str(recorded))}, "
            f"but the given public key has sha256 {given}"
        )
    if not isinstance(attestation.get("signer"), str) or not attestation["signer"].strip():
        problems.append("the attestation names no signer")
    if not isinstance(attestation.get("witnessed"), bool):
        problems.append("the attestation does not say whether the run was witnessed")
    return problems


def _check_summary(report: dict[str, Any]) -> list[str]:
    summary, requirements = report.get("summary"), report.get("requirements")
    if not isinstance(summary, dict):
        return [f"{REPORT} has no summary"]
    if not isinstance(requirements, list):
        return [f"{REPORT} has no requirements list"]
    problems: list[str] = []
    results: list[object] = []
    for index, requirement in enumerate(requirements):
        result = requirement.get("result") if isinstance(requirement, dict) else None
        if result not in RESULTS:
            name = requirement.get("id") if isinstance(requirement, dict) else None
            problems.append(
                f"requirement {printable(str(name or f'number {index + 1}'))} has result {result!r}, "
                f"which is none of {', '.join(RESULTS)}"
            )
        results.append(result)
    counted = {result: results.count(result) for result in RESULTS} | {"total": len(results)}
    for field, count in counted.items():
        claimed = summary.get(field)
        if _int(claimed) != count:
            what = "in total" if field == "total" else field.replace("_", " ")
            problems.append(
                f"the summary counts {printable(str(claimed))} {what}, but the requirements list "
                f"has {count}"
            )
    failed, not_run = counted["failed"], counted["not_run"]
    expected = "failed" if failed else "incomplete" if not_run else "passed"
    if summary.get("result") != expected:
        if failed:
            because = f"{failed} requirement{'s' if failed != 1 else ''} failed"
        elif not_run:
            because = f"no requirement failed and {not_run} did not run"
        else:
            because = "no requirement failed"
        problems.append(f"the summary's result is {summary.get('result')!r}, but {because}")
    return problems


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _bool(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def _verification(report: dict[str, Any], problems: list[str], report_dir: Path) -> Verification:
    def get(obj: object, key: str) -> object:
        return obj.get(key) if isinstance(obj, dict) else None

    attestation, summary = report.get("attestation"), report.get("summary")
    return Verification(
        ok=not problems,
        problems=tuple(problems),
        signer=_str(get(attestation, "signer")),
        witnessed=_bool(get(attestation, "witnessed")),
        signed_at=_str(get(attestation, "signed_at")),
        target=_str(report.get("target")),
        reference=_bool(report.get("reference")),
        reference_name=_str(report.get("reference_name")),
        vendor=_str(report.get("vendor")),
        product=_str(report.get("product")),
        product_version=_str(report.get("product_version")),
        profile=_str(report.get("profile")),
        level=_str(report.get("level")),
        result=_str(get(summary, "result")),
        passed=_int(get(summary, "passed")),
        failed=_int(get(summary, "failed")),
        not_applicable=_int(get(summary, "not_applicable")),
        waived=_int(get(summary, "waived")),
        total=_int(get(summary, "total")),
        started=_str(report.get("started")),
        finished=_str(report.get("finished")),
        covered=tuple(artefacts.covered(report)),
        uncovered=tuple(artefacts.uncovered(report_dir, report)),
    )


# ---- command line ----


def describe(verification: Verification, report_dir: Path) -> list[str]:
    """The lines ``tpn report verify`` prints. Everything the report says is escaped
    (``printable``): a crafted vendor name cannot add a line such as ``VALID: ...``."""
    v = verification
    folder = printable(str(report_dir))
    if v.ok:
        lines = [f"VALID: {folder} is signed and intact"]
    else:
        count = len(v.problems)
        lines = [f"INVALID: {folder} has {count} problem{'s' if count != 1 else ''}"]
        # Names in a problem were escaped where it was made; one_line catches what was not.
        lines += [f"  problem: {one_line(p)}" for p in v.problems]
        lines.append("What report.json claims (not to be trusted):")

    def unknown(value: object) -> str:
        return "(not recorded)" if value is None else printable(str(value))

    kind = {True: "witnessed run", False: "vendor's self-test", None: "(not recorded)"}
    target = unknown(v.target)
    if v.reference:
        name = printable(v.reference_name or "the embedded reference archive")
        target += f" ({name}, not a vendor's product)"
    product = " ".join(printable(p) for p in (v.vendor, v.product, v.product_version) if p)
    counts = ", ".join(
        f"{unknown(n)} {label}"
        for n, label in (
            (v.passed, "passed"),
            (v.failed, "failed"),
            (v.not_applicable, "not applicable"),
            (v.waived, "waived"),
        )
    )
    lines += [
        f"  signed by  {unknown(v.signer)}",
        f"  signed at  {unknown(v.signed_at)}",
        f"  kind       {kind[v.witnessed]}",
        f"  target     {target}",
        f"  product    {product or '(not recorded)'}",
        f"  profile    {unknown(v.profile)}, level {unknown(v.level)}",
        f"  result     {unknown(v.result)}: {counts}; {unknown(v.total)} in total",
        f"  run        {unknown(v.started)} to {unknown(v.finished)}",
        *artefacts.describe(list(v.covered) or [REPORT], list(v.uncovered)),
    ]
    return lines


def _keygen(args: argparse.Namespace) -> int:
    try:
        generate_keypair(args.private_key, args.public_key)
    except CertificateError as exc:
        return fail("tpn keygen", str(exc))
    private, public = printable(str(args.private_key)), printable(str(args.public_key))
    print(f"wrote private key {private} (mode 600; keep it secret)")
    print(f"wrote public key  {public}")
    print(f"Verifiers need only the public key: tpn report verify DIR --public-key {public}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    if not args.dir.is_dir():
        return fail("tpn report verify", f"{printable(str(args.dir))} is not a folder")
    try:
        verification = verify_report(args.dir, args.public_key)
    except CertificateError as exc:
        return fail("tpn report verify", str(exc))
    print("\n".join(describe(verification, args.dir)))
    return 0 if verification.ok else 1


def add_parsers(sub: Any) -> None:
    """Add ``tpn keygen`` and ``tpn report verify`` to the CLI's subparsers."""
    keygen = sub.add_parser("keygen", help="make an Ed25519 key pair to sign reports with")
    keygen.add_argument(
        "--private-key",
        type=Path,
        default=DEFAULT_PRIVATE_KEY,
        metavar="PATH",
        help=f"where to write the private key (default {DEFAULT_PRIVATE_KEY})",
    )
    keygen.add_argument(
        "--public-key",
        type=Path,
        default=DEFAULT_PUBLIC_KEY,
        metavar="PATH",
        help=f"where to write the public key (default {DEFAULT_PUBLIC_KEY})",
    )
    keygen.set_defaults(func=_keygen)

    report = sub.add_parser("report", help="signed reports of conformance runs")
    report_sub = report.add_subparsers(dest="report_command", required=True, metavar="ACTION")
    verify = report_sub.add_parser(
        "verify",
        help="check a report folder's signature, artefacts and summary",
        description="Check a signed report folder: the signature over report.json, the "
        "attestation, each file report.json covers by its sha256 (junit.xml, report.html) and "
        "the summary; say which files the signature covers and name any other file. Exit 0 "
        "if it verifies, 1 if not, 2 if it cannot be checked. Only regular files are read "
        f"(report.json, junit.xml and report.html up to {limits.REPORT_FILE // limits.MIB} MiB, "
        f"keys up to {limits.KEY_FILE // limits.KIB} KiB).",
    )
    verify.add_argument("dir", type=Path, metavar="DIR", help="the report folder")
    verify.add_argument(
        "--public-key",
        type=Path,
        required=True,
        metavar="FILE",
        help="the signer's public key (PEM)",
    )
    verify.set_defaults(func=_verify)


__all__ = [
    "CertificateError",
    "Verification",
    "add_parsers",
    "describe",
    "generate_keypair",
    "key_fingerprint",
    "load_private_key",
    "load_public_key",
    "sign_report",
    "verify_report",
]
