"""How the harness delivers messages, as the engine does: sync and async requests, processes with
their responses, errors and timers, stubs and ObjectScript hosts; and what it records (the event
log and the message trace)."""

from __future__ import annotations

import dataclasses
from typing import Any, Deque, Dict, List, Optional, Tuple

from ..api.engine import OfflineErrorStatus, is_error_value
from ..api.messages import ProductionMessage
from ..model.types import ClassModel
from ..runtime import bridge, messages, timers, values
from ..runtime.display import bounded_repr
from ..runtime.invoke import CALLBACK_ERRORS
from .dispatch import MessageClasses
from .hostobj import HostObject
from .items import Item
from .records import NO_REPLY, LogEntry, TraceEntry
from .standin import IrisObject, IrisStandIn


@dataclasses.dataclass
class ProcessRun:
    """A business process handling one request: its host, its answer so far, what it waits for."""

    item: Item
    host: HostObject
    request: Any
    response: Any = None
    status: Any = 1
    pending: int = 0
    timers: List[str] = dataclasses.field(default_factory=list)


class Delivery:
    """The delivering half of the harness (``Harness`` holds the production and the public API)."""

    items: Dict[str, Item]
    log: List[LogEntry]
    trace: List[TraceEntry]
    _queue: Deque[Tuple[str, str, Any, Optional[ProcessRun], str]]
    _acting_stack: List[str]
    _messages: MessageClasses
    _standin: IrisStandIn

    def _properties(self, model: Optional[ClassModel], settings: Dict[str, str]) -> Dict[str, Any]:
        props: Dict[str, Any] = {}
        if model is not None:
            for prop in model.properties:
                props[prop.iris_name] = values.initial_value(prop.default, prop.iris_type)
        props.update(settings)
        return props

    class _Acting:
        def __init__(self, stack: List[str], name: str) -> None:
            self._stack, self._name = stack, name

        def __enter__(self) -> None:
            self._stack.append(self._name)

        def __exit__(self, *exc: Any) -> None:
            self._stack.pop()

    def _acting(self, name: str) -> Delivery._Acting:
        return Delivery._Acting(self._acting_stack, name)

    def _log(self, level: str, class_name: str, method: str, text: str) -> None:
        source = self._acting_stack[-1] if self._acting_stack else ""
        self.log.append(LogEntry(level, source, class_name, method, text))

    def _check(self, item: str, callback: str, status: Any) -> None:
        if is_error_value(status):
            text = status.text if isinstance(status, OfflineErrorStatus) else str(status)
            self.log.append(LogEntry("Error", item, item, callback, f"ERROR <Ens>ErrGeneral: {text}"))

    def _show(self, value: Any) -> str:
        """A readable form of an argument or message."""
        if isinstance(value, ProductionMessage) or not hasattr(value, "_ClassName"):
            return repr(value)
        return self._body(value)[1] or value._ClassName(1)

    def _record_call(self, item: str, adapter_class: str, method: str, arguments: str) -> None:
        self.trace.append(TraceEntry(item, adapter_class, "(method call)", f"{method}({arguments})", "adapter call"))

    def _refuse(self, source: str, text: str) -> Tuple[Any, Any]:
        self.log.append(LogEntry("Error", source, source, "SendRequest", f"ERROR <Ens>ErrGeneral: {text}"))
        return OfflineErrorStatus(text), ""

    def _body(self, obj: Any) -> Tuple[str, str]:
        if obj is None:
            return "", ""
        class_name = obj._ClassName(1) if hasattr(obj, "_ClassName") else type(obj).__name__
        if hasattr(obj, "__dict__") and "JsonBody" in getattr(obj, "_streams", {}):
            return class_name, obj.JsonBody.text()
        if hasattr(obj, "_streams") and "PickleBody" in obj._streams:
            try:
                return class_name, bounded_repr(messages.from_iris(obj))
            except Exception as exc:  # the receiver logs the refusal; the trace shows why
                return class_name, f"<unreadable body: {exc}>"
        return class_name, str(obj)

    def _record(self, source: str, target: str, obj: Any, kind: str) -> Any:
        """A message header for ``obj``: its body is saved (given an ID) as IRIS saves it. A body
        IRIS refuses to save (a value its property cannot hold) is not sent: the error status."""
        class_name, body = self._body(obj)
        saved = obj._Save() if callable(getattr(obj, "_Save", None)) else ""
        if is_error_value(saved):
            return saved
        body_id = obj._Id() if saved == 1 else ""
        self.trace.append(TraceEntry(source, target, class_name, body, kind, len(self.trace) + 1, body_id))
        return 1

    def _persist(self, process: ProcessRun) -> None:
        """The process is saved between its callbacks, and its response body with it."""
        if callable(getattr(process.response, "_Save", None)):
            process.response._Save()

    def orphans(self) -> List[Tuple[str, Any]]:
        """(class, ID) of every stored body no message header points at: a purge, which removes
        bodies through their headers, would never remove them."""
        headed = {t.body_id for t in self.trace if t.body_id != ""}
        return [(obj._ClassName(1), ident) for ident, obj in sorted(self._standin.store.bodies.items())
                if ident not in headed]

    def discard_body(self, body: Any) -> Any:
        """``PyProd.BusinessProcess.PyDiscardBody``: delete a stored body no header points at."""
        ident = body._Id() if callable(getattr(body, "_Id", None)) else ""
        if ident != "" and all(t.body_id != ident for t in self.trace):
            self._standin.store.delete(body)
        return 1

    def _deliver(self, source: str, target: str, request: Any) -> Tuple[Any, Any]:
        item = self.items.get(target)
        if item is None:
            self.log.append(LogEntry("Error", source, source, "SendRequest",
                                     f"ERROR <Ens>ErrBusinessDispatchNameNotRegistered: {target!r} is not an item"))
            return OfflineErrorStatus(f"target {target!r} is not an item of this production"), ""
        if not item.enabled:
            return self._refuse(source, f"target {target!r} is disabled in the production")
        if not hasattr(request, "_ClassName"):
            return self._refuse(source, f"the request to {target!r} is a {type(request).__name__}, not a message "
                                        "object; send an instance of a JsonSerialize or PickleSerialize class")
        saved = self._record(source, target, request, "request")
        if is_error_value(saved):
            why = getattr(saved, "text", saved)
            return self._refuse(source, f"the request to {target!r} could not be saved: {why}")
        if item.kind == "ObjectScript":
            with self._acting(target):
                self._log("Info", item.class_name, "OnMessage", f"{target} is an ObjectScript host "
                          f"({item.class_name}); the request was recorded, not processed")
            return 1, ""
        with self._acting(target):
            if item.stub is not None:
                status, response = self._call_stub(item, request)
            elif item.kind == "BusinessOperation":
                status, response = self._operation(item, request)
            elif item.kind == "BusinessProcess":
                status, response = self._process(item, request)
            else:
                status, response = OfflineErrorStatus(f"{target} ({item.kind}) cannot receive requests"), ""
        if status is NO_REPLY:  # the request stays unanswered
            return status, ""
        self._check(target, "OnMessage" if item.kind == "BusinessOperation" else "OnRequest", status)
        if response is not None and response != "":
            saved = self._record(target, source, response, "response")
            if is_error_value(saved):
                why = getattr(saved, "text", saved)
                return self._refuse(target, f"the response of {target!r} could not be saved: {why}")
        return status, ("" if response is None else response)

    def _call_stub(self, item: Item, request: Any) -> Tuple[Any, Any]:
        assert item.stub is not None
        try:
            result = item.stub(messages.from_iris(request))
        except CALLBACK_ERRORS as exc:
            return OfflineErrorStatus(f"stub {item.name} raised {type(exc).__name__}: {exc}"), ""
        if result is NO_REPLY:
            return NO_REPLY, ""
        if isinstance(result, tuple):
            return result[0], messages.to_iris_or_empty(result[1])
        return 1, messages.to_iris_or_empty(result)

    def _operation(self, item: Item, request: Any) -> Tuple[Any, Any]:
        model = item.model
        assert model is not None
        entry = self._messages.entry_for(request._ClassName(1), model.message_map)
        if entry is not None:
            status, response = bridge.dispatch_message(item.component, entry.py_method, request)
            return status, response
        status, response = bridge.on_message(item.component, request)
        return status, response

    def _process(self, item: Item, request: Any) -> Tuple[Any, Any]:
        model = item.model
        assert model is not None
        host = HostObject(self, item, model.iris_name, self._properties(model, item.settings))
        process = ProcessRun(item, host, request)
        host.__dict__["_process"] = process
        status = bridge.bp_init(host, model.py_module, model.py_class, item.name)  # IRIS: OnInit of each new object
        self._check(item.name, "OnInit", status)
        if is_error_value(status):
            return status, ""
        status, response = bridge.on_request(host, model.py_module, model.py_class, request)
        process.status = status
        if response is not None and response != "":  # else keep what Reply() sent
            process.response = response
        if is_error_value(status):
            return status, ""
        if process.pending or process.timers:
            self._persist(process)
        while process.pending or process.timers:
            if self._queue:
                self._step()
            elif process.timers:  # a timer runs out: Ens.Alarm answers, and the process stops waiting
                key = process.timers.pop(0)
                self._respond(process, IrisObject(timers.ALARM_REQUEST), IrisObject(timers.ALARM_RESPONSE), key)
                process.pending = 0
            else:
                break
        response = "" if process.response is None else process.response
        status, response = bridge.on_complete(host, model.py_module, model.py_class, request, response)
        if is_error_value(status):
            return status, ""
        if is_error_value(process.status):
            return process.status, ""
        return status, response

    def _respond(self, process: ProcessRun, call_request: Any, call_response: Any, key: str,
                 call_status: Any = 1) -> None:
        """An async response (an error goes to ``OnError``); a timer's expiry comes as the answer to
        its ``Ens.AlarmRequest`` (``OnResponse``; the bridge hands it to the Python ``OnTimeout``)."""
        model = process.item.model
        assert model is not None
        args = (process.host, model.py_module, model.py_class, process.request,
                "" if process.response is None else process.response, "" if call_request is None else call_request)
        with self._acting(process.item.name):
            if is_error_value(call_status):
                method, (status, response) = "OnError", bridge.on_error(*args, call_status, key)
            else:
                method, (status, response) = "OnResponse", bridge.on_response(
                    *args, "" if call_response is None else call_response, key)
        self._check(process.item.name, method, status)
        process.response = response
        if is_error_value(status):
            process.status = status
        self._persist(process)

    def _enqueue(self, source: str, target: str, request: Any, process: Optional[ProcessRun], key: str) -> Any:
        if not hasattr(request, "_ClassName"):
            return self._refuse(source, f"the request to {target!r} is a {type(request).__name__}, not a message "
                                        "object; send an instance of a JsonSerialize or PickleSerialize class")[0]
        if process is not None:
            process.pending += 1
        self._queue.append((source, target, request, process, key))
        return 1

    def _step(self) -> None:
        source, target, request, process, key = self._queue.popleft()
        status, response = self._deliver(source, target, request)
        if process is not None and status is not NO_REPLY:
            process.pending -= 1
            self._respond(process, request, response, key, status)
