"""The most ``tpn`` reads of each kind of file it is given (README, "Reliability").

Every file the command line reads goes through ``tpn.fixtures.files.read_regular`` with one of
these: only a regular file is read, its size is checked on the open descriptor before reading,
and never more than the limit is read. Each limit is far above what the harness itself writes,
and far below what would hurt a CI machine. (Two limits belong to what reads the file and live
there: a form document is 2 MiB, ``tpn.conformance.ksxml.validator.MAX_BYTES``; SP metadata
256 KiB, ``tpn.mocks.saml.metadata.MAX_BYTES``. Not imported here: they would load
lxml and the mocks for every command.)
"""

from __future__ import annotations

KIB = 1024
MIB = 1024 * KIB

# A PEM key or key-and-certificate file: an Ed25519 key is ~120 bytes, an RSA-4096 key with a
# certificate chain a few KiB.
KEY_FILE = 64 * KIB
# report.json.sig: 88 characters of base64 and a newline.
SIGNATURE_FILE = 4 * KIB
# report.json, junit.xml, report.html: a full-level run with its evidence (each body cut at
# 6 KiB) writes well under 1 MiB each.
REPORT_FILE = 64 * MIB
# tpn validate reads a document up to this size: one over a form document's 2 MiB
# still gets its KSX-XML-002 verdict with its true size and SHA-256 as evidence; a larger file
# is no form document and is refused unread.
VALIDATE_FILE = 64 * MIB
# --auth-file: one line, USER:PASSWORD.
AUTH_FILE = 4 * KIB
# tpn schema export --check compares the exported WSDL and XSD (a few hundred KiB).
SCHEMA_FILE = 16 * MIB
# tpn id check -: a number is 9 or 11 digits; a longer line is not a list of numbers.
STDIN_LINE = 1 * KIB

__all__ = [
    "AUTH_FILE",
    "KEY_FILE",
    "REPORT_FILE",
    "SCHEMA_FILE",
    "SIGNATURE_FILE",
    "STDIN_LINE",
    "VALIDATE_FILE",
]
