"""A SOAP 1.1 endpoint as a WSGI application: intake guard, XSD check, dispatch, journal.

Two engines answer a valid request, and they give the same bytes (the tests prove it over
generated objects): ``fast`` reads and writes the messages with the model-driven codec
(``codec.py``), ``spyne`` hands the request to Spyne's own pipeline. Both are fed only requests
that passed the intake and the XSD, so every refusal, whichever engine runs, is this module's
well-formed fault. The WSDL is Spyne's, with ``soap:address`` following the Host the client used.

Injected faults (``tpn.mocks.core.faults``) act here, between a request found valid and its
handler: a fault the request claims answers in SOAP's terms (a ``soap:Server`` fault, a plain
HTTP 500, the operation's answer with status ERROR, made by the mock's ``error_answer``) without
calling the handler, or lets the handler run and commit and then holds or drops the answer
through the server's transport (``tpn.mocks.core.transport``). The handler never knows.
"""

from __future__ import annotations

import io
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from typing import Any

from lxml import etree
from spyne.server.wsgi import WsgiApplication

from tpn.mocks.core import transport
from tpn.mocks.core.faults import AFTER_COMMIT, DROPS, KINDS, FaultPoint, InjectedFault
from tpn.mocks.core.journal import Journal
from tpn.mocks.soap import codec, faults, intake
from tpn.mocks.soap.faults import XML_CONTENT_TYPE, Fault, StartResponse, client, respond
from tpn.mocks.soap.ns import SOAP11_ENV
from tpn.mocks.soap.service import Handler, build_application
from tpn.mocks.soap.wsdl import PLACEHOLDER_URL, compile_schema, wsdl_bytes, xsd_bytes

log = logging.getLogger("tpn.mocks")

# Spyne logs every fault with a traceback, and whole offending requests; we answer those
# ourselves and keep logs readable.
for _name in (
    "spyne.application.server",
    "spyne.application.client",
    "spyne.protocol",
    "spyne.util.appreg",
):
    logging.getLogger(_name).setLevel(logging.CRITICAL)

ENGINES = ("fast", "spyne")
_STATUS_TYPES = ("OK", "WARNING", "ERROR")
# Spyne writes its answers itself: their status is read back from the bytes.
_STATUS_TYPE = re.compile(rb"status type=\"(OK|WARNING|ERROR)\"")
# error-status: the code an injected ERROR carries (not one of a profile's business codes: a
# client must take any ERROR it does not know as a failure).
INJECTED_ERROR_CODE = "INTERNAL_ERROR"
_ENVELOPE_TAIL = "</soap11env:Body></soap11env:Envelope>"
INJECTED_500 = b"500 Internal Server Error\n"

ErrorAnswer = Callable[[str, str, str], Any]
"""(operation, code, text) -> the operation's response object with status ERROR: how a mock's
answers carry a business error, for the ``error-status`` fault."""


class SendAsIs(Exception):
    """An answer to send exactly as given, with its own status and Content-Type.

    The endpoint never raises it itself: it is the seam through which the defect catalogue
    (``tpn.mocks.noark4ws.defects.endpoint``) answers as a broken server would (an HTML error page, a
    SOAP 1.2 content type). It is journalled like any other answer; ``validation`` is what
    the journal says of the request, when the answer is a refusal.
    """

    def __init__(
        self, status: int, content_type: str, payload: bytes, validation: str | None = None
    ) -> None:
        super().__init__(f"HTTP {status} {content_type}")
        self.status = status
        self.content_type = content_type
        self.payload = payload
        self.validation = validation


class SoapEndpoint:
    """One SOAP service at one path. Call it as a WSGI app."""

    def __init__(
        self,
        *,
        name: str,
        namespace: str,
        operations: Mapping[str, tuple[type[Any], type[Any]]],
        handler: Handler,
        journal: Journal | None = None,
        limits: intake.Limits | None = None,
        engine: str = "fast",
        on_error: Callable[[BaseException], None] | None = None,
        error_answer: ErrorAnswer | None = None,
    ) -> None:
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
        self.name = name
        self.namespace = namespace
        # What lxml writes before and after a response element (``envelope``).
        self._envelope_head = (
            "<?xml version='1.0' encoding='UTF-8'?>\n"
            f'<soap11env:Envelope xmlns:soap11env="{SOAP11_ENV}" '
            f'xmlns:tns="{_xml_attr(namespace)}"><soap11env:Body>'
        )
        self.handler = handler
        self.journal = journal
        self.limits = limits or intake.Limits()
        self.engine = engine
        self.on_error = on_error
        self.error_answer = error_answer
        self.fault_operations = tuple(operations)
        # error-status needs an answer with a status, which only the mock can make.
        self.fault_kinds = frozenset(k for k in KINDS if error_answer or k != "error-status")
        self._faults: FaultPoint | None = None
        self._handler = self._guarded()
        self.app = build_application(
            name=name, tns=namespace, operations=operations, handler=self._handler
        )
        self._by_tag = {
            f"{{{namespace}}}{req.get_type_name()}": (op, req, resp)
            for op, (req, resp) in operations.items()
        }
        self.wsdl = wsdl_bytes(self.app, PLACEHOLDER_URL)
        self.xsd = xsd_bytes(self.wsdl)
        self.schema = compile_schema(self.xsd)
        # An lxml XMLSchema is not safe to share across threads.
        self._schema_lock = threading.Lock()
        self._wsdl_cache: dict[str, bytes] = {}
        self._spyne = WsgiApplication(self.app) if engine == "spyne" else None

    def _guarded(self) -> Handler:
        endpoint = self

        class _Guarded:
            def handle(self, operation: str, request: Any) -> Any:
                try:
                    return endpoint.handler.handle(operation, request)
                except Fault:
                    raise  # a handler's deliberate SOAP fault, answered as such
                except Exception as exc:
                    endpoint._report(exc)
                    raise

        return _Guarded()

    def use_faults(self, point: FaultPoint) -> None:
        """Claim injected faults at ``point`` (the assembly calls it: ``parts.Assembly``)."""
        self._faults = point

    def _report(self, exc: BaseException) -> str:
        """Log ``exc`` and hand it to ``on_error``; the incident id the client is told."""
        return faults.incident(exc, self.name, self.on_error)

    # ------------------------------------------------------------------ WSDL

    def wsdl_for(self, url: str) -> bytes:
        """The WSDL with ``soap:address`` set to ``url`` (cached per URL)."""
        found = self._wsdl_cache.get(url)
        if found is None:
            found = self.wsdl.replace(
                f'location="{PLACEHOLDER_URL}"'.encode(), f'location="{_xml_attr(url)}"'.encode()
            )
            if len(self._wsdl_cache) < 64:
                self._wsdl_cache[url] = found
        return found

    # ------------------------------------------------------------------ WSGI

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if method == "GET":
            query = environ.get("QUERY_STRING", "")
            if query.lower() in ("wsdl", "wsdl=", "singlewsdl"):
                return respond(start_response, 200, self.wsdl_for(request_url(environ)))
            if query.lower() in ("xsd", "xsd="):
                return respond(start_response, 200, self.xsd)
        if method != "POST":
            fault = Fault(
                "Client",
                f"{self.name} takes SOAP 1.1 requests by POST, not {method}; its WSDL is at ?wsdl",
                rule="http.method",
                http_status=405,
            )
            return respond(start_response, 405, fault.to_bytes(), [("Allow", "GET, POST")])
        started = time.time()
        exchange = _Exchange()
        content_type = XML_CONTENT_TYPE
        try:
            exchange.request = self._read(environ)
            self._check_content_type(environ)
            element = self._body_element(exchange.request)
            status, payload = self._dispatch(environ, element, exchange)
        except SendAsIs as answer:
            status, payload, content_type = answer.status, answer.payload, answer.content_type
            if answer.validation is not None:
                exchange.validation = answer.validation
        except Fault as fault:
            exchange.validation = f"{fault.code}: {fault.message}"
            status, payload = fault.http_status, self._fault_payload(fault)
        except Exception as exc:  # a failure of ours: a soap:Server fault, never an HTML page
            # What went wrong goes to the log, under an incident id; the client gets the id and
            # never the exception's text, which may hold SQL, paths or its own request.
            incident = self._report(exc)
            server_fault = Fault(
                "Server",
                f"internal error in {self.name} (incident {incident}); the server's log has the "
                "details",
                rule="server",
            )
            exchange.validation = "valid (server failed)"
            status, payload = 500, self._fault_payload(server_fault)
        injected = exchange.fault
        dropped = injected is not None and injected.kind in DROPS
        if self.journal is not None:
            try:
                self.journal.record(
                    service=self.name,
                    operation=exchange.operation,
                    http_status=0 if dropped else status,
                    outcome=(
                        "dropped"
                        if dropped
                        else exchange.outcome
                        if status == 200 and exchange.outcome is not None
                        else _outcome(status, payload)
                    ),
                    validation=exchange.validation,
                    started=started,
                    request=exchange.request,
                    response=payload,
                    fault=None if injected is None else (injected.id, injected.kind),
                    key=exchange.key,
                )
            except Exception as exc:
                self._report(exc)
        if injected is not None and injected.kind == "delay-after-commit" and injected.seconds:
            transport.of(environ).hold(injected.seconds)
        if dropped:
            transport.of(environ).drop()
        if content_type is XML_CONTENT_TYPE:
            return respond(start_response, status, payload)
        headers = [("Content-Type", content_type), ("Content-Length", str(len(payload)))]
        start_response(f"{status} {HTTPStatus(status).phrase}", headers)
        return [payload]

    def _fault_payload(self, fault: Fault) -> bytes:
        """The bytes of a fault's answer (a seam for the defects)."""
        return fault.to_bytes()

    def _read(self, environ: dict[str, Any]) -> bytes:
        length = environ.get("CONTENT_LENGTH") or None
        if length is None and not environ.get("wsgi.input_terminated"):
            raise Fault("Client", "a Content-Length header is required", rule="http.length")
        return intake.read_body(environ["wsgi.input"], length, self.limits)

    def _check_content_type(self, environ: dict[str, Any]) -> None:
        ctype = environ.get("CONTENT_TYPE", "")
        media = ctype.split(";")[0].strip().lower()
        if media == "application/soap+xml":
            raise Fault(
                "VersionMismatch",
                "Content-Type application/soap+xml is SOAP 1.2; this endpoint speaks SOAP 1.1 (text/xml)",
                rule="soap.version",
            )
        if media != "text/xml":
            raise Fault(
                "Client",
                f"Content-Type {ctype or '(none)'!r} is not SOAP 1.1's text/xml",
                rule="http.content-type",
            )

    def _body_element(self, request: bytes) -> etree._Element:
        """The request's one Body element, after the intake guard (a seam for the defects)."""
        return intake.envelope_body(intake.parse(request, self.limits))

    def _validate(self, element: etree._Element) -> None:
        """Raise a soap:Client fault naming the first XSD violation (a seam for the defects)."""
        with self._schema_lock:
            fault = intake.schema_errors(self.schema, element)
        if fault is not None:
            raise fault

    def _dispatch(
        self, environ: dict[str, Any], element: etree._Element, exchange: _Exchange
    ) -> tuple[int, bytes]:
        found = self._by_tag.get(str(element.tag))
        if found is None:
            known = ", ".join(t.rpartition("}")[2] for t in self._by_tag)
            raise client(
                f"{element.tag} is not an operation of {self.name}; it takes {known} "
                f"in namespace {self.namespace}",
                rule="soap.operation",
                element=intake.local(element),
            )
        operation, request_cls, response_cls = found
        exchange.operation = operation
        self._validate(element)
        try:
            # Both engines: a value the XSD allows but the archive cannot hold is refused here.
            request = codec.from_element(request_cls, element)
        except codec.Unrepresentable as exc:
            raise client(
                f"{exc.element}: {exc.message}", rule="value.range", element=exc.element
            ) from None
        exchange.key = _request_key(request)
        if self._faults is not None:
            exchange.fault = fault = self._faults.claim(operation)
            if fault is not None and fault.kind not in AFTER_COMMIT:
                return self._injected(fault, operation, response_cls, exchange)
        if self._spyne is not None:
            return self._call_spyne(environ, element)
        response = self._handler.handle(operation, request)
        payload = self.envelope(response_cls, response)
        exchange.outcome = _answer_outcome(response)  # for the journal, from the object itself
        return 200, payload

    def _injected(
        self, fault: InjectedFault, operation: str, response_cls: type[Any], exchange: _Exchange
    ) -> tuple[int, bytes]:
        """The answer of a fault that acts instead of the handler (the request is not handled).
        A drop's answer is never sent: ``__call__`` drops the connection instead."""
        said = f"fault {fault.id} injected by tpn-harness"
        if fault.kind == "http-500":
            raise SendAsIs(500, "text/plain; charset=utf-8", INJECTED_500)
        if fault.kind == "soap-server-fault":
            server = Fault("Server", f"the service is unavailable ({said})", rule="fault.injected")
            raise SendAsIs(500, XML_CONTENT_TYPE, self._fault_payload(server))
        if fault.kind == "error-status":
            assert self.error_answer is not None  # fault_kinds has it only with one
            text = f"internal error in {self.name}; nothing was done ({said})"
            response = self.error_answer(operation, INJECTED_ERROR_CODE, text)
            exchange.outcome = _answer_outcome(response)
            return 200, self.envelope(response_cls, response)
        assert fault.kind == "drop-before-commit", fault.kind
        return 200, b""

    def envelope(self, response_cls: type[Any], response: Any) -> bytes:
        """The response envelope, as Spyne writes it (same prefixes, same declaration)."""
        name = response_cls.get_type_name()
        out = [self._envelope_head]
        try:
            codec.to_xml(response, name, "tns", self.namespace, out)
        except codec.NotWritable:
            # lxml's writer: it refuses what is not XML text as it always has, in its words.
            env = etree.Element(
                f"{{{SOAP11_ENV}}}Envelope",
                nsmap={"soap11env": SOAP11_ENV, "tns": self.namespace},
            )
            body = etree.SubElement(env, f"{{{SOAP11_ENV}}}Body")
            codec.to_element(response, body, f"{{{self.namespace}}}{name}")
            written: bytes = etree.tostring(env, xml_declaration=True, encoding="UTF-8")
            return written
        out.append(_ENVELOPE_TAIL)
        return "".join(out).encode("utf-8")

    def _call_spyne(self, environ: dict[str, Any], element: etree._Element) -> tuple[int, bytes]:
        assert self._spyne is not None
        # Spyne parses the request itself; give it the validated envelope, entity-free by now.
        data = etree.tostring(element.getroottree(), xml_declaration=True, encoding="UTF-8")
        env = dict(environ)
        env["wsgi.input"] = io.BytesIO(data)
        env["CONTENT_LENGTH"] = str(len(data))
        captured: list[str] = []

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured.append(status)
            return lambda _data: None

        payload = b"".join(self._spyne(env, start))
        return int(captured[0].split()[0]), payload


class _Exchange:
    """What the journal records of one request, filled in as the request gets through."""

    __slots__ = ("fault", "key", "operation", "outcome", "request", "validation")

    def __init__(self) -> None:
        self.fault: InjectedFault | None = None  # the injected fault that claimed it, if one
        self.operation = "?"
        self.request = b""
        self.validation = "valid"
        self.outcome: str | None = None  # an answer's status, when the handler's object gave it
        self.key: str | None = None  # the request's business key, when its class names one


def _xml_attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def request_url(environ: dict[str, Any]) -> str:
    """The URL the client used for this path (scheme, Host header, script and path)."""
    scheme = environ.get("wsgi.url_scheme", "http")
    host = (
        environ.get("HTTP_HOST")
        or f"{environ.get('SERVER_NAME', '127.0.0.1')}:{environ.get('SERVER_PORT', '80')}"
    )
    return f"{scheme}://{host}{environ.get('SCRIPT_NAME', '')}{environ.get('PATH_INFO', '')}"


def _request_key(request: Any) -> str | None:
    """The business key a request names for the journal (MinSide's eksternReferanse or
    saksnummer), when its class has a ``journal_key()``; else None."""
    own = getattr(request, "journal_key", None)
    if not callable(own):
        return None
    found = own()
    return None if found is None else str(found)


def _answer_outcome(response: Any) -> str:
    """An answer's outcome from its object: what its ``journal_outcome()`` says, when its class
    has one (an answer whose status is inside a string: Enhetsregisteret's grunndata), else its
    status type (``ok``, ``warning``, ``error``)."""
    own = getattr(response, "journal_outcome", None)
    if callable(own):
        return str(own())
    kind = getattr(getattr(response, "status", None), "type", None)
    return kind.lower() if kind in _STATUS_TYPES else "ok"


def _outcome(status: int, payload: bytes) -> str:
    """An answer's outcome read from its bytes: a fault's code (the defects rewrite faults), or
    the status of an answer Spyne wrote."""
    if status != 200:
        m = re.search(rb"<faultcode>soap:(\w+)</faultcode>", payload[:2048])
        return f"fault:{m.group(1).decode()}" if m else f"http:{status}"
    m = _STATUS_TYPE.search(payload, 0, 4096)
    return m.group(1).decode().lower() if m else "ok"
