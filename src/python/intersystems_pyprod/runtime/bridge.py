"""Entry points the PyProd ObjectScript base classes call, one per engine callback.

Each returns what the ObjectScript side needs: a ``%Status``, or a Python list
``[status, output]`` whose output is already an IRIS object. Exceptions never escape: the
traceback goes to the event log and the caller gets an error status.
"""

from __future__ import annotations

from typing import Any, Callable, List

from ..api import engine
from ..loader import paths
from ..model.callbacks import snake_case
from . import adaptercalls, identity, messages
from . import calls as _calls  # noqa: F401  (importing it installs the components' engine calls)
from .components import ensure_engine, load_class, start
from .invoke import CALLBACK_ERRORS, OK, Refused, call, fail, find, guarded, read_inputs, split, status_of
from .process_bridge import (
    bp_init,
    bp_tear_down,
    on_complete,
    on_error,
    on_request,
    on_response,
    on_timeout,
)

__all__ = ["CALLBACK_ERRORS", "OK", "adapter_call", "bp_init", "bp_tear_down", "dispatch_message", "load_class",
           "on_complete", "on_error", "on_init", "on_message", "on_process_input", "on_request", "on_response",
           "on_task", "on_tear_down", "on_timeout", "start", "target_settings"]


# -- every host and adapter --------------------------------------------------------------------
def on_init(component: Any) -> Any:
    """``OnInit``: the host job started."""
    return call(component, "OnInit", required=False)[0]


def on_tear_down(component: Any) -> Any:
    """``OnTearDown``: the host job stops."""
    return call(component, "OnTearDown", required=False)[0]


# -- adapters ----------------------------------------------------------------------------------
def on_task(component: Any) -> Any:
    """Inbound adapter ``OnTask``."""
    return call(component, "OnTask")[0]


def adapter_call(component: Any, method: str, args: Any) -> List[Any]:
    """An outbound adapter method called from ObjectScript (``..Adapter.Method(args...)``):
    ``[return value, [outputs...]]`` as :mod:`.adaptercalls` describes; never raises."""
    owner = type(component).__name__
    func = adaptercalls.method_of(component, method)
    if func is None:
        error = AttributeError(f"{owner} has no method {method} or {snake_case(method)}")
        return [fail(component, method, error), []]
    name = getattr(func, "__name__", method)
    try:
        with identity.callback():
            arguments, slots = adaptercalls.split_arguments(func, list(args or []))
            result = func(*[messages.from_iris(a) for a in arguments])
            return adaptercalls.result_for_objectscript(result, slots,
                                                        lambda status: status_of(component, name, status))
    except CALLBACK_ERRORS as exc:
        return [fail(component, name, exc), []]


# -- business service ----------------------------------------------------------------------------
def on_process_input(component: Any, input: Any, hint: Any = "") -> List[Any]:
    """Business service ``OnProcessInput(input[, hint])``."""
    def run() -> List[Any]:
        func = find(component, "OnProcessInput")
        payload = _input(component, "OnProcessInput", input)
        if func is not None and _takes_two(func):
            return call(component, "OnProcessInput", payload, hint)
        return call(component, "OnProcessInput", payload)

    return guarded(type(component).__name__, "OnProcessInput", run)


def _input(component: Any, method: str, obj: Any) -> Any:
    """A service's input: IRIS messages are converted, other values (strings, streams) passed as they are."""
    try:
        return messages.from_iris(obj)
    except Exception as exc:
        current = engine.current()
        owner = type(component).__name__
        text = f"{owner}.{method} was not called: {exc}"
        current.log("Error", owner, method, text)
        raise Refused(current.error_status(text)) from None


def _takes_two(func: Callable[..., Any]) -> bool:
    code = getattr(func, "__code__", None)
    return code is not None and code.co_argcount - 1 >= 2


# -- business operation --------------------------------------------------------------------------
def on_message(component: Any, request: Any) -> List[Any]:
    """Business operation ``OnMessage(request)``."""
    owner = type(component).__name__
    return guarded(owner, "OnMessage", lambda: call(component, "OnMessage", *read_inputs(owner, "OnMessage", request)))


def dispatch_message(component: Any, method: str, request: Any) -> List[Any]:
    """A ``MessageMap`` entry: Python method ``method`` handles ``request``."""
    func = getattr(component, method, None)
    if not callable(func):
        return [fail(component, method, AttributeError(f"{type(component).__name__} has no method {method}")),
                ""]
    with identity.callback():
        try:
            payload = read_inputs(type(component).__name__, method, request)[0]
        except Refused as refused:
            return [refused.status, ""]
        try:
            status, output = split(component, method, func(payload))
            return [status, messages.to_iris_or_empty(output)]
        except CALLBACK_ERRORS as exc:
            return [fail(component, method, exc), ""]


def target_settings(module_name: str, class_name: str) -> List[Any]:
    """``[[IRIS setting name, default value], ...]`` of the host's target settings, for
    ``OnGetConnections``; empty when the class cannot be loaded (the diagram then has no arrows)."""
    from .connections import target_properties

    try:
        ensure_engine()  # the portal's process may never have run a callback: make the sources importable
        paths.refresh()
        cls = load_class(module_name, class_name)
    except Exception:
        return []
    return [[iris_name, default] for _name, iris_name, default in target_properties(cls)]
