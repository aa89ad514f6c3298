"""Build a Spyne SOAP 1.1 application from an operation table.

A mock declares its operations as ``name -> (request class, response class)`` with
document/literal "bare" bodies: the request class *is* the body element
(``<GetNoarksakRequest>``) and the response class the answer (``<GetNoarksakResponse>``).
Every operation is routed to one ``Handler`` (the mock's business logic), which the
application carries; Spyne itself holds no state.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from spyne import Application, ServiceBase, rpc
from spyne.protocol.soap import Soap11


class Handler(Protocol):
    """What a mock implements: one call per operation, model instances in and out."""

    def handle(self, operation: str, request: Any) -> Any: ...


def _make_method(operation: str, request_cls: type[Any], response_cls: type[Any]) -> Any:
    def method(ctx: Any, request: Any) -> Any:
        handler: Handler = ctx.app.tpn_handler
        return handler.handle(operation, request)

    method.__name__ = operation
    return rpc(
        request_cls,
        _body_style="bare",
        _returns=response_cls,
        _in_message_name=request_cls.get_type_name(),
        _out_message_name=response_cls.get_type_name(),
        _operation_name=operation,
    )(method)


def build_application(
    *,
    name: str,
    tns: str,
    operations: Mapping[str, tuple[type[Any], type[Any]]],
    handler: Handler | None,
) -> Any:
    """A Spyne ``Application`` whose operations all call ``handler.handle``.

    Validation is left to the intake (one XSD check with messages that name the element and
    the rule), so Spyne's own validator is off.
    """
    methods = {op: _make_method(op, req, resp) for op, (req, resp) in operations.items()}
    service = type(name, (ServiceBase,), methods)
    app = Application(
        [service],
        tns=tns,
        name=name,
        in_protocol=Soap11(validator=None),
        out_protocol=Soap11(),
    )
    app.tpn_handler = handler
    # Spyne's server classes set this; the WSDL is built before (or without) one.
    app.transport = "http://schemas.xmlsoap.org/soap/http"
    return app
