"""Stand-ins for the ObjectScript side of an item: the engine, host objects and adapters.

``HostObject`` plays a generated host or adapter (its properties and the ``Ens.Host`` calls the
runtime makes). ``ObjectScriptAdapter`` plays an adapter class that exists only in IRIS (say
``EnsLib.TCP.TextLineOutboundAdapter``): every method called on it is recorded and returns OK.
"""

from __future__ import annotations

from typing import Any, Dict

from ..api.engine import OfflineErrorStatus, is_error_value
from ..runtime import bridge, messages
from .records import NO_REPLY


class HarnessEngine:
    """The harness's engine: offline statuses, entries into the harness log."""

    def __init__(self, harness: Any) -> None:
        self._harness = harness

    def error_status(self, text: str) -> Any:
        return OfflineErrorStatus(text)

    def is_error(self, status: Any) -> bool:
        return is_error_value(status)

    def status_text(self, status: Any) -> str:
        if not is_error_value(status):
            return ""
        return status.text if isinstance(status, OfflineErrorStatus) else str(status)

    def log(self, level: str, source_class: str, source_method: str, text: str) -> None:
        self._harness._log(level, source_class, source_method, text)


class HostObject:
    """Stands in for an ObjectScript host or adapter object: its properties and Ens API."""

    def __init__(self, harness: Any, item: Any, class_name: str, properties: Dict[str, Any]) -> None:
        self.__dict__.update(properties)
        self.__dict__["_harness"] = harness
        self.__dict__["_item"] = item
        self.__dict__["_class_name"] = class_name
        self.__dict__["_process"] = None
        self.__dict__["_ConfigName"] = getattr(item, "name", "")  # %ConfigName, as Embedded Python spells it
        self.__dict__.setdefault("PyObject", None)
        self.__dict__.setdefault("Adapter", None)
        self.__dict__.setdefault("BusinessHost", None)

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"{self.__dict__['_class_name']} has no property {name!r}")

    def _ClassName(self, full: int = 0) -> str:
        return self.__dict__["_class_name"]

    # -- Ens.Host ---------------------------------------------------------------------------
    def SendRequestSync(self, target: str, request: Any, response: Any, timeout: Any = -1,
                        description: str = "") -> Any:
        status, answer = self._harness._deliver(self._item.name, target, request)
        if status is NO_REPLY:
            status = self._harness._refuse(self._item.name, f"{target!r} did not answer (timed out)")[0]
        response.value = answer
        return status

    def SendRequestAsync(self, target: str, request: Any, *args: Any) -> Any:
        process = self.__dict__["_process"]
        wants = bool(args[0]) if process is not None and args else False
        key = args[1] if process is not None and len(args) > 1 else ""
        return self._harness._enqueue(self._item.name, target, request, process if wants else None, key)

    def Reply(self, response: Any) -> Any:
        process = self.__dict__["_process"]
        if process is None:
            return OfflineErrorStatus("Reply is only for business processes")
        process.response = response
        return 1

    def PyDiscardBody(self, body: Any) -> Any:
        """``PyProd.BusinessProcess.PyDiscardBody``: a replaced response body is deleted unless a
        message header points at it."""
        if self.__dict__["_process"] is None:
            return OfflineErrorStatus("PyDiscardBody is a method of business processes")
        return self._harness.discard_body(body)

    def SetTimer(self, timeout: Any, completion_key: str = "") -> Any:
        process = self.__dict__["_process"]
        if process is None:
            return OfflineErrorStatus("SetTimer is only for business processes")
        process.timers.append(completion_key)
        return 1

    # -- Ens.BusinessService ------------------------------------------------------------------
    def ProcessInput(self, input: Any, output: Any, hint: Any = None) -> Any:
        item = self._item
        if item.kind != "BusinessService":
            return OfflineErrorStatus(f"{item.name} is not a business service")
        with self._harness._acting(item.name):
            status, out = bridge.on_process_input(item.component, input, getattr(hint, "value", ""))
        self._harness._check(item.name, "OnProcessInput", status)
        output.value = out
        return status


def _is_method_name(name: str) -> bool:
    return name[:1].isupper() and name.isalnum() and name.isascii()


class ObjectScriptAdapter(HostObject):
    """An adapter class that exists only in IRIS: settings are properties, methods are recorded.

    Only IRIS-style names (``SendMessageString``) are methods here, so the runtime's proxy turns
    ``send_message_string`` into ``SendMessageString`` before it arrives.
    """

    def __getattr__(self, name: str) -> Any:
        if not _is_method_name(name):
            raise AttributeError(f"{self.__dict__['_class_name']} has no property {name!r}")
        harness, item, class_name = self._harness, self._item, self.__dict__["_class_name"]

        def record(*args: Any) -> int:
            shown = ", ".join(harness._show(messages.from_iris(a)) for a in args)
            harness._log("Info", class_name, name, f"{name}({shown}) recorded; the ObjectScript adapter "
                                                   "does not run in the harness")
            harness._record_call(item.name, class_name, name, shown)
            return 1

        return record
