"""Base classes of adapters: ``InboundAdapter`` (polls, feeds its service) and ``OutboundAdapter``
(called by its operation)."""

from __future__ import annotations

from typing import Any

from . import engine
from .component import Component


class InboundAdapter(Component):
    """An inbound adapter: ``OnTask`` polls the outside world and hands input to its service.

    Becomes a class extending ``PyProd.InboundAdapter`` (itself an ``Ens.InboundAdapter``). A
    service uses it through its ``ADAPTER`` parameter; the engine calls ``OnTask`` every
    ``CallInterval`` seconds (an adapter setting, 5 by default).

    Callbacks:
        Define these on the subclass, in either spelling:

        - ``OnTask(self)`` / ``on_task``: poll once; pass what was found to the service with
          [`BusinessHost_ProcessInput`][intersystems_pyprod.InboundAdapter.BusinessHost_ProcessInput].
          Returns a status.
        - ``OnInit(self)`` / ``on_init`` and ``OnTearDown(self)`` / ``on_tear_down``: optional,
          run once when the host's job starts and stops. Return a status (or nothing).

    Examples:
        ```python
        from pathlib import Path

        from intersystems_pyprod import InboundAdapter, IRISProperty, Status

        class DropFolder(InboundAdapter):
            folder = IRISProperty("/tmp/in", str, "Folder to read", "Basic:directorySelector")

            def OnTask(self):
                for path in sorted(Path(self.folder).glob("*.txt")):
                    text = path.read_text()
                    path.unlink()
                    return self.BusinessHost_ProcessInput(text)
                return Status.OK()
        ```
    """

    _pyprod_kind = "InboundAdapter"

    def BusinessHost_ProcessInput(self, input: Any, in_hint: str = "") -> Any:
        """Pass ``input`` to the business service (its ``ProcessInput``, then ``OnProcessInput``).

        Args:
            input: What the service's ``OnProcessInput`` receives: text, a message, any value.
            in_hint: A hint for the service (its ``OnProcessInput(input, hint)`` receives it).

        Returns:
            The status; ``(status, output)`` when the service gave output; and with an
            ``in_hint``, ``(status, output, hint)`` when the service gave output.

        Examples:
            ```python
            def OnTask(self):
                return self.BusinessHost_ProcessInput("one line read from outside")
            ```
        """
        return engine.runtime().process_input(self, input, in_hint)

    def business_host_process_input(self, input: Any, in_hint: str = "") -> Any:
        """snake_case form of ``BusinessHost_ProcessInput``, with the same parameters and results.

        Examples:
            ```python
            def on_task(self):
                return self.business_host_process_input("one line read from outside")
            ```
        """
        return self.BusinessHost_ProcessInput(input, in_hint)


class OutboundAdapter(Component):
    """An outbound adapter: its methods are called by its business operation.

    Becomes a class extending ``PyProd.OutboundAdapter`` (itself an ``Ens.OutboundAdapter``). An
    operation names it in its ``ADAPTER`` parameter and calls its methods through
    ``self.ADAPTER``; ObjectScript operations can call them too (``..Adapter.Method(...)``).

    Callbacks:
        Any method you define is callable by the operation. ``OnInit(self)`` / ``on_init`` and
        ``OnTearDown(self)`` / ``on_tear_down`` are optional, run once when the host's job starts
        and stops.

    Examples:
        ```python
        from intersystems_pyprod import (BusinessOperation, IRISLog, IRISParameter, IRISProperty,
                                         OutboundAdapter, Status)

        class WarehouseAdapter(OutboundAdapter):
            endpoint = IRISProperty("http://warehouse.local", str, "Warehouse endpoint", "Connection")

            def reserve(self, order_id, amount):
                IRISLog.Info(f"reserving {amount} for order {order_id} at {self.endpoint}")
                return Status.OK()

        class Warehouse(BusinessOperation):
            ADAPTER = IRISParameter(WarehouseAdapter)

            def OnMessage(self, request):
                return self.ADAPTER.reserve(request.order_id, request.amount)
        ```
    """

    _pyprod_kind = "OutboundAdapter"
