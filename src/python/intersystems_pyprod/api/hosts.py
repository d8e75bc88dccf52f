"""Base classes of business hosts: services, processes and operations (the adapters' are in
:mod:`.adapters`, their common base in :mod:`.component`; all are importable from here).

Users subclass these and write callbacks in PascalCase or snake_case (``OnProcessInput`` or
``on_process_input``). Calls that reach the engine (sending requests, reading settings, the
adapter) go through the host object the engine attached to the component.
"""

from __future__ import annotations

from typing import Any

from . import engine
from .adapters import InboundAdapter, OutboundAdapter
from .component import Component, NotInProductionError

__all__ = ["COMPONENT_BASES", "BusinessOperation", "BusinessProcess", "BusinessService", "Component",
           "InboundAdapter", "NotInProductionError", "OutboundAdapter", "Sender"]


class Sender(Component):
    """Hosts that send requests to other items: services, processes and operations."""

    def SendRequestSync(self, target_dispatch_name: str, request: Any, timeout: float = -1,
                        description: str = "") -> Any:
        """Send ``request`` to the item ``target_dispatch_name`` and wait for its response.

        Args:
            target_dispatch_name: The name of a production item (often the value of a setting).
            request: The message to send: a ``JsonSerialize`` or ``PickleSerialize`` message, or
                an IRIS message object.
            timeout: Seconds to wait; ``-1`` waits for ever.
            description: Text shown with the message header in the Message Viewer.

        Returns:
            ``(status, response)``, or the status alone when the target gave no response.

        Examples:
            ```python
            def OnProcessInput(self, input):
                status, response = self.SendRequestSync(self.target, OrderRequest(input), timeout=30)
                if Status.is_error(status):
                    return status
                IRISLog.Info(f"order {response.order_id} is {response.status}")
                return status
            ```
        """
        return engine.runtime().send_request_sync(self, target_dispatch_name, request, timeout, description)

    def SendRequestAsync(self, target_dispatch_name: str, request: Any, description: str = "") -> Any:
        """Send ``request`` to the item ``target_dispatch_name`` without waiting for a response.

        (A business process's version also takes ``response_required`` and ``completion_key``.)

        Args:
            target_dispatch_name: The name of a production item.
            request: The message to send.
            description: Text shown with the message header in the Message Viewer.

        Returns:
            The status of queueing the request.

        Examples:
            ```python
            def OnProcessInput(self, input):
                return self.SendRequestAsync("Audit", AuditRecord(input))
            ```
        """
        return engine.runtime().send_request_async(self, target_dispatch_name, request, description=description)

    send_request_sync = SendRequestSync
    send_request_async = SendRequestAsync


class BusinessService(Sender):
    """A business service: ``OnProcessInput`` turns input into messages.

    Becomes a class extending ``PyProd.BusinessService``. Its input comes from its adapter (the
    ``ADAPTER`` parameter: a Python ``InboundAdapter`` or an IRIS adapter class name such as
    ``"EnsLib.File.InboundAdapter"``), from ``director.create_business_service`` without an
    adapter, or from the test harness (``Harness.send``).

    Callbacks:
        Define these on the subclass, in either spelling:

        - ``OnProcessInput(self, input)`` or ``OnProcessInput(self, input, hint)`` /
          ``on_process_input``: handle one input. ``input`` is what the adapter passed (text, an
          IRIS object such as an ``Ens.StringContainer``, or a message); ``hint`` is the
          adapter's hint. Returns a status, or ``(status, output)`` to hand output back to
          the caller.
        - ``OnInit(self)`` / ``on_init`` and ``OnTearDown(self)`` / ``on_tear_down``: optional,
          run once when the host's job starts and stops.

    Examples:
        ```python
        from intersystems_pyprod import BusinessService, IRISProperty, JsonSerialize

        iris_package_name = "helloworld"

        class MyRequest(JsonSerialize):
            content: str

        class MyService(BusinessService):
            target = IRISProperty("MyOperation", settings="Basic", target=True)

            def OnProcessInput(self, input):
                return self.SendRequestAsync(self.target, MyRequest(input))
        ```
    """

    _pyprod_kind = "BusinessService"


class BusinessProcess(Sender):
    """A business process: ``OnRequest``, then ``OnResponse``/``OnComplete`` for async calls.

    Becomes a class extending ``PyProd.BusinessProcess`` (a persistent ``Ens.BusinessProcess``).
    IRIS makes a new process object for each request and saves it between callbacks: keep the
    state of one request in ``IRISProperty`` attributes, which are stored with it. Every
    callback gets a fresh Python object carrying what ``OnInit`` set.

    Callbacks:
        Define these on the subclass, in either spelling. Each returns a status, a response
        message, or ``(status, response)``. ``response`` is passed by reference: change it in
        place and return a status, and the caller gets the changes.

        - ``OnRequest(self, request)`` / ``on_request``: a request arrived.
        - ``OnResponse(self, request, response, call_request, call_response, completion_key)`` /
          ``on_response``: the response to a ``SendRequestAsync`` arrived, with its
          ``completion_key``.
        - ``OnComplete(self, request, response)`` / ``on_complete``: all async responses are in.
        - ``OnError(self, request, response, call_request, error_status, completion_key)`` /
          ``on_error``: an async request came back with an error; without it the error stands.
        - ``OnTimeout(self, request, response, call_request, completion_key)`` / ``on_timeout``:
          a ``SetTimer`` timer ran out (``call_request`` is ``None``); without it,
          ``OnResponse`` is called with ``call_request`` and ``call_response`` ``None``.
        - ``OnInit(self)`` / ``on_init`` and ``OnTearDown(self)`` / ``on_tear_down``: optional,
          once per job.

    Examples:
        ```python
        from intersystems_pyprod import BusinessProcess, IRISProperty

        class OrderRouter(BusinessProcess):
            warehouse = IRISProperty("Warehouse", settings="Routing", target=True)
            express_limit = IRISProperty(1000.0, float, "Orders above this go express", "Routing")

            def OnRequest(self, request):
                if request.amount > self.express_limit:
                    self.SendRequestAsync("ExpressDesk", request, completion_key="express")
                return self.SendRequestSync(self.warehouse, request)

            def OnResponse(self, request, response, call_request, call_response, completion_key):
                return response
        ```
    """

    _pyprod_kind = "BusinessProcess"

    # pyprod 0.2.0's signature: a process's async send takes response_required and completion_key
    # before description, unlike a service's or an operation's.
    def SendRequestAsync(  # type: ignore[override]
        self,
        target_dispatch_name: str,
        request: Any,
        response_required: Any = 1,
        completion_key: Any = 0,
        description: str = "",
    ) -> Any:
        """Send ``request`` without waiting; the response arrives in ``OnResponse`` with
        ``completion_key``.

        Args:
            target_dispatch_name: The name of a production item.
            request: The message to send.
            response_required: Whether a response is wanted (falsy: fire and forget, no
                ``OnResponse``).
            completion_key: Passed back to ``OnResponse``, ``OnError`` and ``OnTimeout`` to tell
                the calls apart.
            description: Text shown with the message header in the Message Viewer.

        Returns:
            The status of queueing the request.

        Examples:
            ```python
            def OnRequest(self, request):
                self.SendRequestAsync("Audit", AuditRecord(request.order_id), response_required=False)
                return self.SendRequestAsync("Pricing", request, completion_key="price")

            def OnResponse(self, request, response, call_request, call_response, completion_key):
                if completion_key == "price":
                    return call_response
            ```
        """
        return engine.runtime().send_request_async(
            self, target_dispatch_name, request, response_required=response_required,
            completion_key=completion_key, description=description,
        )

    def Reply(self, response: Any) -> Any:
        """Send ``response`` to the caller before the process completes.

        Args:
            response: The response message.

        Returns:
            A status.

        Examples:
            ```python
            def OnRequest(self, request):
                self.Reply(Ack(request.order_id))        # the caller goes on
                return self.SendRequestAsync("Slow", request)
            ```
        """
        return engine.runtime().reply(self, response)

    def SetTimer(self, timeout: Any, completion_key: str = "") -> Any:
        """Start a timer; when it runs out ``OnTimeout`` is called with ``completion_key`` (or
        ``OnResponse``, in a process that defines no ``OnTimeout``).

        Args:
            timeout: Seconds until the timer runs out.
            completion_key: Passed to ``OnTimeout`` (or ``OnResponse``) when the timer runs out.

        Returns:
            A status.

        Examples:
            ```python
            def OnRequest(self, request):
                self.SendRequestAsync("Approver", request, completion_key="approval")
                return self.SetTimer(60, "approval-timeout")

            def OnTimeout(self, request, response, call_request, completion_key):
                IRISLog.Warning(f"no answer in time ({completion_key})")
            ```
        """
        return engine.runtime().set_timer(self, timeout, completion_key)

    send_request_async = SendRequestAsync  # type: ignore[assignment]
    reply = Reply
    set_timer = SetTimer


class BusinessOperation(Sender):
    """A business operation: ``OnMessage`` or a ``MessageMap`` handles requests.

    Becomes a class extending ``PyProd.BusinessOperation``. Its ``ADAPTER`` parameter may name
    a Python ``OutboundAdapter`` or an IRIS adapter class (``"EnsLib.File.OutboundAdapter"``).

    Callbacks:
        Define these on the subclass, in either spelling. Each returns a status, a response
        message, or ``(status, response)``.

        - ``OnMessage(self, request)`` / ``on_message``: handle a request no ``MessageMap``
          entry takes.
        - ``MessageMap = {RequestClass: "method_name", "Ens.StringRequest": "other"}``: a class
          attribute; each named method ``(self, request)`` handles requests of that class (and
          of its subclasses). Keys are message classes, their Python names, or IRIS class
          names; values are method names or the methods.
        - ``OnInit(self)`` / ``on_init`` and ``OnTearDown(self)`` / ``on_tear_down``: optional,
          run once when the host's job starts and stops.

    Examples:
        ```python
        from intersystems_pyprod import BusinessOperation, IRISLog, JsonSerialize

        class OrderRequest(JsonSerialize):
            order_id: int
            amount: float

        class OrderConfirmation(JsonSerialize):
            order_id: int
            status: str

        class Warehouse(BusinessOperation):
            MessageMap = {OrderRequest: "handle_order"}

            def handle_order(self, request):
                return OrderConfirmation(request.order_id, "reserved")

            def OnMessage(self, request):
                IRISLog.Warning(f"unexpected {type(request).__name__}")
        ```
    """

    _pyprod_kind = "BusinessOperation"


COMPONENT_BASES = (InboundAdapter, OutboundAdapter, Sender, BusinessService, BusinessProcess, BusinessOperation)
