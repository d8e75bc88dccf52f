"""``Production`` and its items: a whole production declared in Python."""

from __future__ import annotations

from typing import Any, ClassVar, Dict, List, Optional

from ..errors import Location
from .origin import caller_location


class HostItem:
    """An item of a production: a configured instance of a service, process or operation.

    ``class_name`` is the component's Python class or an IRIS class name (``"EnsLib.File.
    PassthroughOperation"``). Setting names are the Python attribute names for Python
    components, or IRIS property names for ObjectScript ones.
    """

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
    """A business service item."""

    role = "service"


class ProcessItem(HostItem):
    """A business process item."""

    role = "process"


class OperationItem(HostItem):
    """A business operation item."""

    role = "operation"


class Production:
    """Subclass to declare a production: its settings and its items.

    Class attributes: ``services``, ``processes``, ``operations`` (lists of items),
    ``description``, ``actor_pool_size`` (2), ``testing_enabled`` (False),
    ``log_general_trace_events`` (False), ``shutdown_timeout`` (120), ``update_timeout`` (10),
    ``alert_notification_manager``, ``alert_notification_operation``,
    ``alert_notification_recipients``, ``alert_action_window`` (60).
    """

    services: ClassVar[List[HostItem]] = []
    processes: ClassVar[List[HostItem]] = []
    operations: ClassVar[List[HostItem]] = []

    description: ClassVar[str] = ""
    actor_pool_size: ClassVar[int] = 2
    testing_enabled: ClassVar[bool] = False
    log_general_trace_events: ClassVar[bool] = False
    shutdown_timeout: ClassVar[int] = 120
    update_timeout: ClassVar[int] = 10
    alert_notification_manager: ClassVar[str] = ""
    alert_notification_operation: ClassVar[str] = ""
    alert_notification_recipients: ClassVar[str] = ""
    alert_action_window: ClassVar[int] = 60

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
