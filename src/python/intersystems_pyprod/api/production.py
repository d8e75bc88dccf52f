"""``Production`` and its items: a whole production declared in Python."""

from __future__ import annotations

from typing import Any, ClassVar, Dict, List, Optional

from ..errors import Location
from .origin import caller_location


class HostItem:
    """An item of a production: a configured instance of a service, process or operation."""

    role = ""

    def __init__(
        self,
        name: str,
        class_name: Any,
        *,
        host_settings: Optional[Dict[str, Any]] = None,
        adapter_settings: Optional[Dict[str, Any]] = None,
        category: str = "",
        pool_size: Optional[int] = None,
        enabled: bool = True,
        foreground: bool = False,
        comment: str = "",
        log_trace_events: bool = False,
        schedule: str = "",
    ) -> None:
        """An item named ``name`` of the host class ``class_name``.

        ``class_name`` is the component's Python class or an IRIS class name
        (``"EnsLib.File.PassthroughOperation"``). Setting names are the Python attribute names for
        Python components, or IRIS property names for ObjectScript ones (and inherited IRIS
        settings such as ``CallInterval``). A misspelt setting name is a warning that suggests
        the right one.

        Args:
            name: The item's name in the production (what ``SendRequestSync`` targets).
            class_name: The host class: a Python component class or an IRIS class name.
            host_settings: Settings of the host, by Python attribute name or IRIS name.
            adapter_settings: Settings of its adapter, by Python attribute name or IRIS name.
            category: The item's category (comma-separated) on the configuration page.
            pool_size: Jobs of the item. ``None``: 1, or 0 for a service without an adapter
                (called through ``create_business_service``). ``0`` on a process: it runs in the
                production's actor pool.
            enabled: Whether the item runs when the production starts.
            foreground: Run the item's job in the foreground (a terminal window; development only).
            comment: The item's comment.
            log_trace_events: Log trace events of the item.
            schedule: The item's ``Schedule`` (an IRIS schedule specification).
        """
        self.name = name
        self.class_name = class_name
        self.host_settings = dict(host_settings or {})
        self.adapter_settings = dict(adapter_settings or {})
        self.category = category
        self.pool_size = pool_size
        self.enabled = enabled
        self.foreground = foreground
        self.comment = comment
        self.log_trace_events = log_trace_events
        self.schedule = schedule
        self.where: Optional[Location] = caller_location()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, {self.class_name!r})"


class ServiceItem(HostItem):
    """A business service item.

    Examples:
        ```python
        ServiceItem("OrderService", OrderService, host_settings={"target": "OrderRouter"},
                    adapter_settings={"folder": "/data/in", "CallInterval": 2})
        ```
    """

    role = "service"


class ProcessItem(HostItem):
    """A business process item.

    Examples:
        ```python
        ProcessItem("OrderRouter", OrderRouter, host_settings={"warehouse": "Warehouse"}, pool_size=0)
        ```
    """

    role = "process"


class OperationItem(HostItem):
    """A business operation item.

    Examples:
        ```python
        OperationItem("Files", "EnsLib.File.PassthroughOperation",
                      adapter_settings={"FilePath": "/data/out"}, comment="an IRIS host")
        ```
    """

    role = "operation"


class Production:
    """Subclass to declare a production: its settings and its items.

    Set the class attributes below on the subclass: the items in ``services``, ``processes``
    and ``operations``, the production's settings in the others.
    The subclass becomes an ``Ens.Production`` class of the same name; its items and settings
    are written into the production definition (``XData ProductionDefinition``) when the
    script is loaded. A script may declare several productions.

    Examples:
        ```python
        from intersystems_pyprod import BusinessOperation, IRISLog, OperationItem, Production, ServiceItem

        class Printer(BusinessOperation):
            def OnMessage(self, request):
                IRISLog.Info(f"printing {request}")

        class FilesProduction(Production):
            description = "Files dropped in /data/in go to the printer"
            actor_pool_size = 1
            services = [ServiceItem("FileIn", "EnsLib.File.PassthroughService",
                                    host_settings={"TargetConfigNames": "Printer"},
                                    adapter_settings={"FilePath": "/data/in"})]
            operations = [OperationItem("Printer", Printer, comment="prints what arrives")]
        ```
    """

    services: ClassVar[List[HostItem]] = []
    """The business service items (``ServiceItem``)."""
    processes: ClassVar[List[HostItem]] = []
    """The business process items (``ProcessItem``)."""
    operations: ClassVar[List[HostItem]] = []
    """The business operation items (``OperationItem``)."""

    description: ClassVar[str] = ""
    """The production's description."""
    actor_pool_size: ClassVar[int] = 2
    """Jobs of the actor pool, which runs the processes whose pool size is 0."""
    testing_enabled: ClassVar[bool] = False
    """Allow the portal's Testing Service to send test requests to the items."""
    log_general_trace_events: ClassVar[bool] = False
    """The production's *Log General Trace Events* setting."""
    shutdown_timeout: ClassVar[int] = 120
    """Seconds to wait for the jobs when the production stops."""
    update_timeout: ClassVar[int] = 10
    """Seconds to wait for the jobs when the production is updated."""
    alert_notification_manager: ClassVar[str] = ""
    """The item that manages alert notifications."""
    alert_notification_operation: ClassVar[str] = ""
    """The item that sends alert notifications."""
    alert_notification_recipients: ClassVar[str] = ""
    """Who gets alert notifications (comma-separated)."""
    alert_action_window: ClassVar[int] = 60
    """The default action window of managed alerts, in minutes."""

    _pyprod_kind: ClassVar[str] = "Production"
    _pyprod_where: ClassVar[Optional[Location]] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._pyprod_where = caller_location()


#: Production-level settings written as ``<Setting>`` elements when they differ from the default.
PRODUCTION_SETTINGS = (
    "shutdown_timeout",
    "update_timeout",
    "alert_notification_manager",
    "alert_notification_operation",
    "alert_notification_recipients",
    "alert_action_window",
)
PRODUCTION_ATTRIBUTES = (
    "services", "processes", "operations", "description", "actor_pool_size", "testing_enabled",
    "log_general_trace_events", *PRODUCTION_SETTINGS, "iris_package_name",
)
