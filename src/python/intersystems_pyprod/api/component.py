"""The common base of production components: where a component meets the engine.

Calls that reach the engine (sending requests, reading settings, the adapter) go through the host
object the engine attached to the component.
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
        """The full IRIS class name generated for this component (``package.ClassName``).

        Returns:
            The package (the module's ``iris_package_name``, else its file name) and the class name.

        Examples:
            ```python
            iris_package_name = "helloworld"

            class MyService(BusinessService): ...

            MyService.fullname()   # "helloworld.MyService"
            ```
        """
        return iris_class_name(cls)

    @staticmethod
    def OKStatus() -> int:
        """The success status; the same as ``Status.OK()``.

        Returns:
            ``1``, the IRIS ``$$$OK``.

        Examples:
            ```python
            def OnMessage(self, request):
                return self.OKStatus()
            ```
        """
        return 1

    @staticmethod
    def ErrorStatus(error_string: str) -> Any:
        """An error status carrying ``error_string``; the same as ``Status.ERROR(...)``.

        Args:
            error_string: The error text (shown in the event log and the message trace).

        Returns:
            An IRIS ``%Status`` inside IRIS, an equivalent value elsewhere.

        Examples:
            ```python
            def OnMessage(self, request):
                if request.amount < 0:
                    return self.ErrorStatus(f"negative amount {request.amount}")
                return self.OKStatus()
            ```
        """
        from .status import Status

        return Status.ERROR(error_string)
