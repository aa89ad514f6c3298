"""The WSDL and XSD in fixtures/ are what the Spyne model exports and what the archive serves."""

from __future__ import annotations

from pathlib import Path

import requests
from lxml import etree

from tpn.fixtures import standard_file
from tpn.harness import schema
from tpn.harness.cli import main
from tpn.mocks.noark4ws import ArchiveMock
from tpn.mocks.soap.ns import WSDL
from tpn.mocks.soap.wsdl import PLACEHOLDER_URL, compile_schema

SOAP_NS = "http://schemas.xmlsoap.org/wsdl/soap/"


def test_fixture_files_match_the_model() -> None:
    for name, data in schema.exported_files().items():
        assert standard_file("noark4ws", name).read_bytes() == data, (
            f"fixtures/standards/noark4ws/{name} is stale: run `tpn schema export`"
        )


def test_served_wsdl_is_the_fixture_with_the_servers_address() -> None:
    with ArchiveMock() as archive:
        s = requests.Session()
        s.trust_env = False
        served = s.get(archive.wsdl_url, timeout=10)
        xsd = s.get(f"{archive.url}?xsd", timeout=10)
    assert served.status_code == 200
    assert served.headers["Content-Type"].startswith("text/xml")
    address = etree.fromstring(served.content).find(f".//{{{WSDL}}}port/{{{SOAP_NS}}}address")
    assert address is not None and address.get("location") == archive.url
    fixture = standard_file("noark4ws", "noark4ws.wsdl").read_bytes()
    assert served.content == fixture.replace(PLACEHOLDER_URL.encode(), archive.url.encode())
    assert xsd.content == standard_file("noark4ws", "noark4ws.xsd").read_bytes()


def test_wsdl_declares_the_four_operations_as_document_literal() -> None:
    root = etree.fromstring(standard_file("noark4ws", "noark4ws.wsdl").read_bytes())
    ops = {op.get("name") for op in root.iterfind(f"{{{WSDL}}}portType/{{{WSDL}}}operation")}
    assert ops == {"GetNoarksak", "PutNoarksak", "GetJournpost", "PutJournpost"}
    binding = root.find(f"{{{WSDL}}}binding/{{{SOAP_NS}}}binding")
    assert binding is not None and binding.get("style") == "document"
    assert binding.get("transport") == "http://schemas.xmlsoap.org/soap/http"
    xsd = compile_schema(standard_file("noark4ws", "noark4ws.xsd").read_bytes())
    assert xsd is not None


def test_export_check_reports_a_stale_file(tmp_path: Path, capsys: object) -> None:
    assert main(["schema", "export", "--out", str(tmp_path)]) == 0
    assert main(["schema", "export", "--out", str(tmp_path), "--check"]) == 0
    (tmp_path / "noark4ws.xsd").write_bytes(b"<stale/>")
    assert main(["schema", "export", "--out", str(tmp_path), "--check"]) == 1
