"""Base classes of production components: adapters, services, processes, operations.

Users subclass these and write callbacks in PascalCase or snake_case (``OnProcessInput`` or
``on_process_input``). Calls that reach the engine (sending requests, reading settings, the
adapter) go through the host object the engine attached to the component.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from ..errors import Location
from ..naming import iris_class_name
from . import engine
from .fields import IRISProperty
from .origin import caller_location


class NotInProductionError(RuntimeError):
    """A component method that needs a running production was called outside of one."""


class Component:
    """Common base of every production component."""

    _pyprod_kind = ""
    _pyprod_where: Optional[Location] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._pyprod_where = caller_location()

    def __init__(self, iris_host_object: Any = None) -> None:
        self.iris_host_object = iris_host_object
        self._pyprod_values: Dict[str, Any] = {}

    # -- engine plumbing; the runtime bridge gives these their production behaviour ----------
    def _pyprod_host(self) -> Any:
        host = self.__dict__.get("iris_host_object")
        if host is None:
            raise NotInProductionError(
                f"{type(self).__name__} is not running in a production: load the script into IRIS "
                "or drive it with intersystems_pyprod.testing"
            )
        return host

    def _pyprod_get_setting(self, prop: IRISProperty) -> Any:
        if self.__dict__.get("iris_host_object") is not None:
            return engine.runtime().get_setting(self, prop)
        values = self.__dict__.setdefault("_pyprod_values", {})
        return values.get(prop.name, prop.default)

    def _pyprod_set_setting(self, prop: IRISProperty, value: Any) -> None:
        if self.__dict__.get("iris_host_object") is not None:
            engine.runtime().set_setting(self, prop, value)
            return
        self.__dict__.setdefault("_pyprod_values", {})[prop.name] = value

    def _pyprod_adapter(self) -> Any:
        return engine.runtime().adapter(self)

    # -- helpers of pyprod 0.2.0 -------------------------------------------------------------
    @classmethod
    def fullname(cls) -> str:
        """The full IRIS class name generated for this component (``package.ClassName``)."""
        return iris_class_name(cls)

    @staticmethod
    def OKStatus() -> int:
        """The success status; the same as ``Status.OK()``."""
        return 1

    @staticmethod
    def ErrorStatus(error_string: str) -> Any:
        """An error status carrying ``error_string``; the same as ``Status.ERROR(...)``."""
        from .status import Status

        return Status.ERROR(error_string)


class InboundAdapter(Component):
    """An inbound adapter: ``OnTask`` polls the outside world and hands input to its service."""

    _pyprod_kind = "InboundAdapter"

    def BusinessHost_ProcessInput(self, input: Any, in_hint: str = "") -> Any:
        """Pass ``input`` to the business service (its ``ProcessInput``).

        Returns the status; ``(status, output)`` when the service gave output; and with an
        ``in_hint``, ``(status, output, hint)`` when the service gave output.
        """
        return engine.runtime().process_input(self, input, in_hint)

    def business_host_process_input(self, input: Any, in_hint: str = "") -> Any:
        """snake_case form of :meth:`BusinessHost_ProcessInput`."""
        return self.BusinessHost_ProcessInput(input, in_hint)


class OutboundAdapter(Component):
    """An outbound adapter: its methods are called by its business operation."""

    _pyprod_kind = "OutboundAdapter"


class Sender(Component):
    """Hosts that send requests to other items: services, processes and operations."""

    def SendRequestSync(self, target_dispatch_name: str, request: Any, timeout: float = -1,
                        description: str = "") -> Any:
        """Send ``request`` to the item ``target_dispatch_name`` and wait; returns ``(status,
        response)``, or the status alone when the target gave no response."""
        return engine.runtime().send_request_sync(self, target_dispatch_name, request, timeout, description)

    def SendRequestAsync(self, target_dispatch_name: str, request: Any, description: str = "") -> Any:
        """Send ``request`` to the item ``target_dispatch_name`` without waiting; returns a status."""
        return engine.runtime().send_request_async(self, target_dispatch_name, request, description=description)

    send_request_sync = SendRequestSync
    send_request_async = SendRequestAsync


class BusinessService(Sender):
    """A business service: ``OnProcessInput`` turns input into messages."""

    _pyprod_kind = "BusinessService"


class BusinessProcess(Sender):
    """A business process: ``OnRequest``, then ``OnResponse``/``OnComplete`` for async calls."""

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
        ``completion_key``."""
        return engine.runtime().send_request_async(
            self, target_dispatch_name, request, response_required=response_required,
            completion_key=completion_key, description=description,
        )

    def Reply(self, response: Any) -> Any:
        """Send ``response`` to the caller before the process completes."""
        return engine.runtime().reply(self, response)

    def SetTimer(self, timeout: Any, completion_key: str = "") -> Any:
        """Start a timer; when it runs out ``OnTimeout`` is called with ``completion_key`` (or
        ``OnResponse``, in a process that defines no ``OnTimeout``)."""
        return engine.runtime().set_timer(self, timeout, completion_key)

    send_request_async = SendRequestAsync  # type: ignore[assignment]
    reply = Reply
    set_timer = SetTimer


class BusinessOperation(Sender):
    """A business operation: ``OnMessage`` or a ``MessageMap`` handles requests."""

    _pyprod_kind = "BusinessOperation"


COMPONENT_BASES = (InboundAdapter, OutboundAdapter, Sender, BusinessService, BusinessProcess, BusinessOperation)
