"""Calls a component makes on its engine host: send requests, reply, settings, its adapter.

``component.iris_host_object`` is the IRIS host (or adapter) object the engine attached: the
real ObjectScript object inside IRIS, a stand-in in the harness. Messages cross as IRIS message
objects, converted on the way out and back.
"""

from __future__ import annotations

import sys
import traceback
from typing import Any

from ..api import engine
from ..api.fields import IRISProperty
from ..api.hosts import Component, OutboundAdapter
from ..model.callbacks import snake_case
from ..naming import iris_name
from . import adaptercalls, bodies, irisapi, messages, values


def _host(component: Any) -> Any:
    return component._pyprod_host()


def send_request_sync(component: Any, target: str, request: Any, timeout: float, description: str) -> Any:
    """``(status, response)`` of a synchronous request, or the status alone when there is no
    response (the shape pyprod 0.2.0 returns)."""
    bodies.require_message(request, f"send_request_sync to {target}")
    host = _host(component)
    response = irisapi.new_ref()
    status = host.SendRequestSync(target, messages.to_iris(request), response, timeout, description)
    python_response = messages.message_or_none(irisapi.take(response))
    if python_response is None:
        return status
    return status, python_response


def send_request_async(component: Any, target: str, request: Any, *, response_required: Any = 1,
                       completion_key: Any = 0, description: str = "") -> Any:
    """Status of an asynchronous send; a process gets the response in ``OnResponse``."""
    bodies.require_message(request, f"send_request_async to {target}")
    host = _host(component)
    iris_request = messages.to_iris(request)
    if component._pyprod_kind == "BusinessProcess":
        key = completion_key if isinstance(completion_key, (str, int)) and not isinstance(completion_key, bool) \
            else str(completion_key)
        return host.SendRequestAsync(target, iris_request, int(bool(response_required)), key, description)
    return host.SendRequestAsync(target, iris_request, description)


def reply(component: Any, response: Any) -> Any:
    """A process answers its caller before it completes."""
    bodies.require_message(response, "reply")
    return _host(component).Reply(messages.to_iris(response))


def set_timer(component: Any, timeout: Any, completion_key: str) -> Any:
    """A process timer. When it runs out the process's ``OnTimeout(request, response, None, key)``
    is called, or ``OnResponse(request, response, None, None, key)`` when it defines no
    ``OnTimeout`` (whichever ObjectScript callback IRIS uses: see :mod:`.timers`)."""
    return _host(component).SetTimer(timeout, completion_key)


def process_input(component: Any, input: Any, hint: str) -> Any:
    """An inbound adapter hands input to its service: ``status``, or ``(status, output)`` when
    the service gave output, or ``(status, output, hint)`` when a hint was passed too."""
    host = _host(component)
    output, hint_ref = irisapi.new_ref(), irisapi.new_ref(hint)
    status = host.BusinessHost.ProcessInput(messages.to_iris(input), output, hint_ref)
    value, hint_out = irisapi.take(output), irisapi.take(hint_ref)
    if value is None or value == "":
        return status
    if hint != "":
        return status, messages.from_iris(value), hint_out
    return status, messages.from_iris(value)


def get_setting(component: Any, prop: IRISProperty) -> Any:
    """A setting's current value on the host, as a Python value of its declared type."""
    kind = values.python_type(values.property_type(prop, type(component)))
    raw = getattr(_host(component), iris_name(prop.name), None)
    return values.to_python(raw, kind)


def set_setting(component: Any, prop: IRISProperty, value: Any) -> None:
    """Store a setting on the host (a process's host is persistent: the value survives)."""
    kind = values.python_type(values.property_type(prop, type(component)))
    setattr(_host(component), iris_name(prop.name), values.to_iris(value, kind))


class ObjectScriptProxy:
    """An ObjectScript adapter seen from Python: ``put_line`` finds ``PutLine``."""

    def __init__(self, target: Any) -> None:
        object.__setattr__(self, "_target", target)

    def __getattr__(self, name: str) -> Any:
        target = object.__getattribute__(self, "_target")
        try:
            return getattr(target, name)
        except AttributeError:
            return getattr(target, iris_name(name))

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(object.__getattribute__(self, "_target"), iris_name(name), value)


class PythonAdapterProxy:
    """A Python adapter seen from its operation, as pyprod 0.2.0 shows it: a method of the adapter
    (either spelling) returns :func:`.adaptercalls.result_for_python`'s tuple, and an exception in
    it becomes ``(error status, None)`` with the traceback in the event log; other attributes
    (settings) are the adapter's own, or its IRIS adapter object's (``CallInterval``)."""

    def __init__(self, target: Component) -> None:
        object.__setattr__(self, "_target", target)

    def __getattr__(self, name: str) -> Any:
        target = object.__getattribute__(self, "_target")
        func = adaptercalls.method_of(target, name)
        if func is not None and not getattr(func, "__module__", "").startswith("intersystems_pyprod"):
            return _adapter_method(target, func)
        for candidate in (name, snake_case(name)):
            if hasattr(target, candidate):
                return getattr(target, candidate)
        return getattr(_host(target), iris_name(name))

    def __setattr__(self, name: str, value: Any) -> None:
        target = object.__getattribute__(self, "_target")
        found = next((c for c in (name, snake_case(name)) if hasattr(type(target), c)), None)
        if found is not None:
            setattr(target, found, value)
        else:
            setattr(_host(target), iris_name(name), value)


def _adapter_method(target: Component, func: Any) -> Any:
    def call(*args: Any, **kwargs: Any) -> adaptercalls.AdapterResult:
        try:
            return adaptercalls.result_for_python(func(*args, **kwargs))
        except Exception as exc:
            owner, method = type(target).__name__, getattr(func, "__name__", "?")
            current = engine.current()
            current.log("Error", owner, method, traceback.format_exc().rstrip())
            return adaptercalls.AdapterResult(
                (current.error_status(f"{owner}.{method} raised {type(exc).__name__}: {exc}"), None))

    call.__name__ = getattr(func, "__name__", "call")
    call.__doc__ = getattr(func, "__doc__", None)
    return call


def adapter(component: Any) -> Any:
    """``self.ADAPTER``: a Python outbound adapter behind a :class:`PythonAdapterProxy`, a Python
    inbound adapter itself, or a proxy of an ObjectScript adapter."""
    iris_adapter = _host(component).Adapter
    if iris_adapter is None or iris_adapter == "":
        raise AttributeError(f"{type(component).__name__} has no adapter in this production")
    python_object = getattr(iris_adapter, "PyObject", None)
    if isinstance(python_object, OutboundAdapter):
        return PythonAdapterProxy(python_object)
    if isinstance(python_object, Component):
        return python_object
    return ObjectScriptProxy(iris_adapter)


engine.install_runtime(sys.modules[__name__])
