"""The client's side of MinSide's three SOAP services: zeep over the profile's own WSDLs
(``fixtures/standards/minside/*.wsdl``), bound to the job's endpoints, one call at a time.

A call ends in one of three ways, and the client's retry decides on them:

- an ``Answer``: MinSide answered the operation, with a status (``OK``, ``WARNING``, ``ERROR``
  and its codes): an ERROR is MinSide's word, not a failure of the transport;
- ``Transient``: nothing usable came back, and the same request may be sent again (a timeout,
  a refused, reset or dropped connection, HTTP 5xx without a SOAP answer, a ``soap:Server``
  fault, an answer cut short);
- ``Refused``: MinSide refused the request itself (a ``soap:Client`` fault, HTTP 401):
  sending it again gives the same answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import requests
from lxml import etree
from zeep import Client, Settings
from zeep import exceptions as zeep_errors
from zeep.transports import Transport

from tpn.fixtures import standard_file
from tpn.mocks.minsideclient.job import Service

NAMESPACE = "http://tpn-harness.example/minside/2007"
# The job's service name -> (its WSDL in fixtures/standards/minside, its binding).
BINDINGS = {
    "tjenestekatalog": ("tjenestekatalog.wsdl", "Tjenestekatalog"),
    "meldingsboks": ("meldingsboks.wsdl", "Meldingsboks"),
    "minesaker": ("minesaker.wsdl", "MineSaker"),
}


class Transient(Exception):
    """Nothing usable came back; the same request may be sent again."""


class Refused(Exception):
    """MinSide refused the request as a message; sending it again cannot help."""


@dataclass(frozen=True)
class Answer:
    """MinSide's answer to one operation."""

    status: str  # OK, WARNING or ERROR
    messages: tuple[tuple[str, str], ...]  # (code, text)
    meldingId: str | None = None

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(code for code, _ in self.messages)

    def describe(self) -> str:
        said = "; ".join(f"{code}: {text[:200]}" for code, text in self.messages)
        return self.status + (f" ({said})" if said else "")


class MinSideClient:
    """MinSide's three services at the job's endpoints, asked through zeep."""

    def __init__(self, services: Mapping[str, Service], *, timeout: float) -> None:
        self._session = requests.Session()
        self._session.trust_env = False  # no proxy or CA settings from the environment
        any_service = next(iter(services.values()))
        if any_service.user is not None:
            self._session.auth = (any_service.user, any_service.password or "")
        self._transport = Transport(
            session=self._session, timeout=timeout, operation_timeout=timeout
        )
        settings = Settings(xml_huge_tree=True)
        self._services: dict[str, Any] = {}
        for name, (wsdl_name, binding) in BINDINGS.items():
            with resources.as_file(standard_file("minside", wsdl_name)) as wsdl:
                client = Client(str(wsdl), transport=self._transport, settings=settings)
            self._services[name] = client.create_service(
                f"{{{NAMESPACE}}}{binding}", services[name].url
            )

    def close(self) -> None:
        self._session.close()

    def call(
        self, service: str, operation: str, payload: Mapping[str, Any], *, timeout: float
    ) -> Answer:
        """Send ``operation`` of ``service`` with ``payload`` (the request's children)."""
        self._transport.operation_timeout = timeout
        try:
            response = getattr(self._services[service], operation)(**payload)
        except requests.Timeout:
            raise Transient(f"no answer within {timeout:.1f} s") from None
        except requests.ConnectionError as exc:
            raise Transient(f"connection failed ({_cause(exc)})") from None
        except requests.RequestException as exc:
            raise Transient(f"the answer was cut short ({type(exc).__name__})") from None
        except zeep_errors.Fault as exc:
            code = str(exc.code or "")
            text = f"SOAP fault {code}: {str(exc.message)[:300]}"
            if code.endswith("Server"):
                raise Transient(text) from None
            raise Refused(text) from None
        except zeep_errors.TransportError as exc:
            if exc.status_code >= 500:
                raise Transient(f"HTTP {exc.status_code} without a SOAP answer") from None
            raise Refused(f"HTTP {exc.status_code}") from None
        except (zeep_errors.XMLSyntaxError, zeep_errors.XMLParseError, etree.XMLSyntaxError):
            raise Transient("the answer is not well-formed XML (cut short?)") from None
        except OSError as exc:
            raise Transient(f"connection failed ({type(exc).__name__})") from None
        # zeep hands back the lone child of a one-child answer (OppdaterSaksstatus's status).
        status = getattr(response, "status", None) if hasattr(response, "status") else response
        if status is None or getattr(status, "type", None) is None:
            raise Transient("the answer has no status") from None
        messages = tuple((str(m.code or ""), str(m._value_1 or "")) for m in status.message or [])
        melding_id = getattr(response, "meldingId", None)
        return Answer(str(status.type), messages, str(melding_id) if melding_id else None)


def _cause(exc: BaseException) -> str:
    """The innermost reason of a connection failure, short (reset, refused, closed)."""
    while exc.__context__ is not None and exc.__context__ is not exc:
        exc = exc.__context__
    return type(exc).__name__
