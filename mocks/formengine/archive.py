"""The engine's Noark-4 WS client: zeep over the profile's own WSDL, one call at a time.

The WSDL is the project's (``fixtures/standards/noark4ws/noark4ws.wsdl``), bound to the job's
archive URL, so the engine does not depend on the archive serving ``?wsdl``. Every call has a
deadline (the transport's operation timeout, set per attempt) and HTTP Basic credentials when
the job gives them. A call ends in one of three ways, and the engine's retry decides on them:

- an ``Answer``: the archive answered the operation, with a status (``OK``, ``WARNING`` or
  ``ERROR``): an ERROR is an answer, not a failure of the transport;
- ``Transient``: nothing usable came back, and the same request may be sent again (a timeout, a
  refused, reset or dropped connection, HTTP 5xx without a SOAP answer, a ``soap:Server``
  fault, a reply cut short);
- ``Refused``: the archive refused the request itself (a ``soap:Client`` fault, HTTP 401):
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
from tpn.mocks.formengine.job import Service

NAMESPACE = "http://www.arkivverket.no/Noark4-1-WS-WD/types"
BINDING = f"{{{NAMESPACE}}}Noark4WS"


class Transient(Exception):
    """Nothing usable came back; the same request may be sent again."""


class Refused(Exception):
    """The archive refused the request as a message; sending it again cannot help."""


@dataclass(frozen=True)
class Answer:
    """The archive's answer to one operation."""

    status: str  # OK, WARNING or ERROR
    messages: tuple[tuple[str, str], ...]  # (code, text)
    stored: Any  # the object as stored (noarksak or journpost), None with ERROR

    def describe(self) -> str:
        said = "; ".join(f"{code}: {text}" for code, text in self.messages)
        return f"{self.status}" + (f" ({said})" if said else "")


class ArchiveClient:
    """One archive (``Service``), asked through zeep."""

    def __init__(self, service: Service, *, timeout: float) -> None:
        session = requests.Session()
        session.trust_env = False  # no proxy or CA settings from the environment: same everywhere
        if service.user is not None:
            session.auth = (service.user, service.password or "")
        self._transport = Transport(session=session, timeout=timeout, operation_timeout=timeout)
        settings = Settings(xml_huge_tree=True)
        with resources.as_file(standard_file("noark4ws", "noark4ws.wsdl")) as wsdl:
            client = Client(str(wsdl), transport=self._transport, settings=settings)
        self._service = client.create_service(BINDING, service.url)
        self._session = session

    def close(self) -> None:
        self._session.close()

    def call(self, operation: str, payload: Mapping[str, Any], *, timeout: float) -> Answer:
        """Send ``operation`` with ``payload`` (the request's children) within ``timeout`` s."""
        self._transport.operation_timeout = timeout
        try:
            response = getattr(self._service, operation)(**payload)
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
        status = response.status
        messages = tuple((str(m.code or ""), str(m._value_1 or "")) for m in status.message or [])
        stored = getattr(response, "noarksak", None) or getattr(response, "journpost", None)
        return Answer(str(status.type), messages, stored)


def _cause(exc: BaseException) -> str:
    """The innermost reason of a connection failure, short (reset, refused, closed)."""
    while exc.__context__ is not None and exc.__context__ is not exc:
        exc = exc.__context__
    return type(exc).__name__
