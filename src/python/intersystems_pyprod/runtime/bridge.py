"""Entry points the PyProd ObjectScript base classes call, one per engine callback.

Each returns what the ObjectScript side needs: a ``%Status``, or a Python list
``[status, output]`` whose output is already an IRIS object. Exceptions never escape: the
traceback goes to the event log and the caller gets an error status.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from pathlib import Path
from typing import Any, Callable, List, Optional, Tuple

from ..api import engine
from ..api.hosts import Component
from ..api.messages import ProductionMessage
from ..loader import paths
from ..loader.importer import is_local, module_name_for
from ..model.callbacks import snake_case
from . import adaptercalls, jobstate, messages, timers
from . import calls as _calls  # noqa: F401  (importing it installs the components' engine calls)
from .engine_iris import IrisEngine

OK = 1
#: What a user callback may raise and still only fail that callback (never end the job).
CALLBACK_ERRORS = (Exception, SystemExit, KeyboardInterrupt)


def _ensure_engine() -> None:
    """Inside IRIS, status values and log entries go to IRIS (unless a harness installed its own),
    and the loaded scripts' sources are importable."""
    if engine._current is None:
        engine.install(IrisEngine())
        paths.ensure_sources()


def _allow_project(module: Any) -> None:
    """Register the message classes of the component's project and allow them in pickles."""
    file = getattr(module, "__file__", None)
    if not file:
        return
    served = paths.served_root(module.__name__)
    root = Path(served) if served is not None else module_name_for(Path(file).resolve())[0]
    for other in list(sys.modules.values()):
        if other is module or is_local(other, root):
            messages.allow_module(other.__name__)
            for value in list(vars(other).values()):
                if isinstance(value, type) and issubclass(value, ProductionMessage) and value.__module__ == \
                        other.__name__ and value._pyprod_serializer:
                    messages.register(value)


def load_class(module_name: str, class_name: str) -> type:
    """The Python class that implements a generated class."""
    module = sys.modules.get(module_name) or importlib.import_module(module_name)
    cls = getattr(module, class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, Component)):
        raise LookupError(f"{module_name}.{class_name} is not a production component class")
    if "_pyprod_project_allowed" not in module.__dict__:
        _allow_project(module)
        module.__dict__["_pyprod_project_allowed"] = True
    return cls


def create(host: Any, module_name: str, class_name: str) -> Component:
    """A new Python component bound to its IRIS host (or adapter) object."""
    _ensure_engine()
    paths.refresh()  # one global read: a new active version of a loaded script is imported afresh
    return load_class(module_name, class_name)(host)


def _start_failed(module_name: str, class_name: str, exc: BaseException) -> Any:
    """Log why the Python object of a host could not be made (the traceback names file:line of an
    import or syntax error); the error status for the caller."""
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).rstrip()
    current = engine.current()
    current.log("Error", class_name, "OnInit", f"could not create {module_name}.{class_name}:\n{text}")
    return current.error_status(f"could not create the Python object {module_name}.{class_name}: "
                                f"{type(exc).__name__}: {exc}; fix the script and load it again (the "
                                "item's jobs must restart to import it anew)")


def start(host: Any, module_name: str, class_name: str) -> List[Any]:
    """``[status, component]``: the host's Python object, or an error status (traceback logged)
    when the module cannot be imported or the object cannot be made."""
    try:
        return [OK, create(host, module_name, class_name)]
    except CALLBACK_ERRORS as exc:
        return [_start_failed(module_name, class_name, exc), ""]


def _find(component: Any, pascal: str) -> Optional[Callable[..., Any]]:
    for name in (pascal, snake_case(pascal)):
        func = getattr(component, name, None)
        if callable(func):
            return func
    return None


def _fail(component: Any, method: str, exc: BaseException) -> Any:
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    current = engine.current()
    current.log("Error", type(component).__name__, method, text.rstrip())
    return current.error_status(f"{type(component).__name__}.{method} raised {type(exc).__name__}: {exc}")


class _Refused(Exception):
    """An input could not be converted; ``status`` is the error status already logged."""

    def __init__(self, status: Any) -> None:
        super().__init__("input refused")
        self.status = status


def _inputs(owner: str, method: str, *objs: Any) -> List[Any]:
    """Incoming IRIS messages as Python messages; a body that cannot be read is logged and refused."""
    try:
        paths.refresh()
        return [messages.message_or_none(obj) for obj in objs]
    except Exception as exc:
        current = engine.current()
        text = f"{owner}.{method} was not called: {exc}"
        current.log("Error", owner, method, text)
        raise _Refused(current.error_status(text)) from None


def _guarded(owner: str, method: str, run: Callable[[], List[Any]]) -> List[Any]:
    """``run()``, with refused inputs and failures before the callback as an error status."""
    try:
        return run()
    except _Refused as refused:
        return [refused.status, ""]
    except Exception as exc:
        current = engine.current()
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).rstrip()
        current.log("Error", owner, method, text)
        return [current.error_status(f"{owner}.{method} failed: {type(exc).__name__}: {exc}"), ""]


def _split(component: Any, method: str, result: Any) -> Tuple[Any, Any]:
    """A callback's return value as (status, output), both checked."""
    if result is None:
        return OK, None
    if isinstance(result, ProductionMessage):
        return OK, result
    if isinstance(result, (tuple, list)):
        if len(result) == 2:
            return _status(component, method, result[0]), _output(component, method, result[1])
        if len(result) == 1:
            return _status(component, method, result[0]), None
        raise TypeError(f"{type(component).__name__}.{method} returned {len(result)} values; "
                        "return a status or (status, output)")
    return _status(component, method, result), None


def _status(component: Any, method: str, status: Any) -> Any:
    """A returned status: OK (``1``, ``"1"``, ``True``, ``None``) or an error status; nothing else.

    ObjectScript only ever gets ``1`` or a real ``%Status``: how IRIS converts a Python ``True``,
    ``False`` or ``None`` handed back to ObjectScript is unconfirmed (an object reference would
    even read as success), so ``False`` and ``0`` become an error status that says so. An adapter
    call's result tuple stands for its status."""
    if isinstance(status, adaptercalls.AdapterResult):
        status = status.status
    if status is None or status is True or (type(status) is int and status == 1) or status == "1":
        return OK
    if status is False or (type(status) is int and status == 0):
        return engine.current().error_status(f"{type(component).__name__}.{method} returned {status!r} as its status")
    if isinstance(status, str) and status[:1] == "0":
        return status
    raise TypeError(f"{type(component).__name__}.{method} returned {str(status)[:80]!r} as its status, which is "
                    "neither OK nor an error status; return Status.OK(), Status.ERROR(text) or (status, message)")


def _output(component: Any, method: str, output: Any) -> Any:
    """A returned output: a message object. A service may also hand its caller text or a number (as
    pyprod 0.2.0 lets it); a process's or operation's text is no response (it is dropped, with a
    warning). A dict, list or other value is refused here, at the sender."""
    if output is None or isinstance(output, ProductionMessage) or hasattr(output, "_ClassName"):
        return output
    if isinstance(output, (str, int, float)) and not isinstance(output, bool):
        if component._pyprod_kind == "BusinessService":
            return output
        engine.current().log("Warning", type(component).__name__, method,
                             f"{method} returned a {type(output).__name__} as its response; responses are "
                             "message objects, so the caller gets no response")
        return None
    raise TypeError(f"{type(component).__name__}.{method} returned a {type(output).__name__} as its output; "
                    "responses are message objects: return an instance of a JsonSerialize or PickleSerialize class")


def _call(component: Any, pascal: str, *args: Any, required: bool = True) -> List[Any]:
    """Run a callback; ``[status, output-as-IRIS-object]``."""
    func = _find(component, pascal)
    if func is None:
        if not required:
            return [OK, ""]
        error = NotImplementedError(f"{type(component).__name__} defines no {pascal} or {snake_case(pascal)}")
        return [_fail(component, pascal, error), ""]
    try:
        status, output = _split(component, pascal, func(*args))
        return [status, messages.to_iris_or_empty(output)]
    except CALLBACK_ERRORS as exc:
        return [_fail(component, getattr(func, "__name__", pascal), exc), ""]


# -- every host and adapter --------------------------------------------------------------------
def on_init(component: Any) -> Any:
    """``OnInit``: the host job started."""
    return _call(component, "OnInit", required=False)[0]


def on_tear_down(component: Any) -> Any:
    """``OnTearDown``: the host job stops."""
    return _call(component, "OnTearDown", required=False)[0]


# -- adapters ----------------------------------------------------------------------------------
def on_task(component: Any) -> Any:
    """Inbound adapter ``OnTask``."""
    return _call(component, "OnTask")[0]


def adapter_call(component: Any, method: str, args: Any) -> List[Any]:
    """An outbound adapter method called from ObjectScript (``..Adapter.Method(args...)``):
    ``[return value, [outputs...]]`` as :mod:`.adaptercalls` describes; never raises."""
    owner = type(component).__name__
    func = adaptercalls.method_of(component, method)
    if func is None:
        error = AttributeError(f"{owner} has no method {method} or {snake_case(method)}")
        return [_fail(component, method, error), []]
    name = getattr(func, "__name__", method)
    try:
        arguments, slots = adaptercalls.split_arguments(func, list(args or []))
        result = func(*[messages.from_iris(a) for a in arguments])
        return adaptercalls.result_for_objectscript(result, slots, lambda status: _status(component, name, status))
    except CALLBACK_ERRORS as exc:
        return [_fail(component, name, exc), []]


# -- business service ----------------------------------------------------------------------------
def on_process_input(component: Any, input: Any, hint: Any = "") -> List[Any]:
    """Business service ``OnProcessInput(input[, hint])``."""
    def run() -> List[Any]:
        func = _find(component, "OnProcessInput")
        payload = _input(component, "OnProcessInput", input)
        if func is not None and _takes_two(func):
            return _call(component, "OnProcessInput", payload, hint)
        return _call(component, "OnProcessInput", payload)

    return _guarded(type(component).__name__, "OnProcessInput", run)


def _input(component: Any, method: str, obj: Any) -> Any:
    """A service's input: IRIS messages are converted, other values (strings, streams) passed as they are."""
    try:
        return messages.from_iris(obj)
    except Exception as exc:
        current = engine.current()
        owner = type(component).__name__
        text = f"{owner}.{method} was not called: {exc}"
        current.log("Error", owner, method, text)
        raise _Refused(current.error_status(text)) from None


def _takes_two(func: Callable[..., Any]) -> bool:
    code = getattr(func, "__code__", None)
    return code is not None and code.co_argcount - 1 >= 2


# -- business operation --------------------------------------------------------------------------
def on_message(component: Any, request: Any) -> List[Any]:
    """Business operation ``OnMessage(request)``."""
    owner = type(component).__name__
    return _guarded(owner, "OnMessage", lambda: _call(component, "OnMessage", *_inputs(owner, "OnMessage", request)))


def dispatch_message(component: Any, method: str, request: Any) -> List[Any]:
    """A ``MessageMap`` entry: Python method ``method`` handles ``request``."""
    func = getattr(component, method, None)
    if not callable(func):
        return [_fail(component, method, AttributeError(f"{type(component).__name__} has no method {method}")),
                ""]
    try:
        payload = _inputs(type(component).__name__, method, request)[0]
    except _Refused as refused:
        return [refused.status, ""]
    try:
        status, output = _split(component, method, func(payload))
        return [status, messages.to_iris_or_empty(output)]
    except CALLBACK_ERRORS as exc:
        return [_fail(component, method, exc), ""]


# -- business process: a fresh Python object per callback, state lives on the IRIS host --------
def _process(host: Any, module_name: str, class_name: str) -> Component:
    """The fresh object of one process callback, with what the Python OnInit set in this job."""
    return jobstate.inherit(create(host, module_name, class_name), jobstate.find(host, module_name, class_name))


def on_request(host: Any, module_name: str, class_name: str, request: Any) -> List[Any]:
    """Business process ``OnRequest(request)``."""
    return _guarded(class_name, "OnRequest", lambda: _call(_process(host, module_name, class_name), "OnRequest",
                                                           *_inputs(class_name, "OnRequest", request)))


def on_response(host: Any, module_name: str, class_name: str, request: Any, response: Any,
                call_request: Any, call_response: Any, completion_key: Any) -> List[Any]:
    """Business process ``OnResponse(request, response, call_request, call_response, completion_key)``.
    A ``SetTimer`` timer that ran out arrives here as the answer to its ``Ens.AlarmRequest``: it goes
    to the Python ``OnTimeout`` when the class defines one."""
    if timers.is_alarm(call_request):
        return _timer_expired(host, module_name, class_name, request, response, completion_key, "OnResponse")

    def run() -> List[Any]:
        component = _process(host, module_name, class_name)
        inputs = _inputs(class_name, "OnResponse", request, response, call_request, call_response)
        return _call(component, "OnResponse", *inputs, completion_key, required=False)

    return _keep_response(_guarded(class_name, "OnResponse", run), response)


def on_complete(host: Any, module_name: str, class_name: str, request: Any, response: Any) -> List[Any]:
    """Business process ``OnComplete(request, response)``: all async responses are in."""
    def run() -> List[Any]:
        component = _process(host, module_name, class_name)
        return _call(component, "OnComplete", *_inputs(class_name, "OnComplete", request, response), required=False)

    return _keep_response(_guarded(class_name, "OnComplete", run), response)


def _keep_response(result: List[Any], response: Any) -> List[Any]:
    """A callback that returns only a status leaves the process's response as it was."""
    if result[1] is None or result[1] == "":
        result[1] = "" if response is None else response
    return result


def bp_init(host: Any, module_name: str, class_name: str, config_name: Any = "") -> Any:
    """``OnInit`` of a business process object. IRIS runs it for each new process object; the
    Python ``OnInit`` runs once per job and item (``config_name``), as a host's does."""
    job_key = jobstate.key(module_name, class_name, config_name)
    if jobstate.get(job_key) is not None:
        return OK
    status, component = start(host, module_name, class_name)
    if status != OK:
        return status
    status = on_init(component)
    if not engine.current().is_error(status):
        jobstate.remember(job_key, component, lambda _key, obj: on_tear_down(obj))
    return status


def bp_tear_down(module_name: str, class_name: str, config_name: Any = "") -> Any:
    """The job of a business process item ends: its Python ``OnTearDown``, once, on the object its
    ``OnInit`` ran on (run at the end of the Python interpreter of the job, and by the harness)."""
    component = jobstate.forget(jobstate.key(module_name, class_name, config_name))
    return OK if component is None else on_tear_down(component)


def on_error(host: Any, module_name: str, class_name: str, request: Any, response: Any, call_request: Any,
             error_status: Any, completion_key: Any) -> List[Any]:
    """Business process ``OnError``: an async request came back with an error. Without a Python
    ``OnError`` the error stands (the engine's default)."""
    def run() -> List[Any]:
        component = _process(host, module_name, class_name)
        if _find(component, "OnError") is None:
            return [error_status, ""]
        inputs = _inputs(class_name, "OnError", request, response, call_request)
        return _call(component, "OnError", *inputs, error_status, completion_key)

    return _keep_response(_guarded(class_name, "OnError", run), response)


def on_timeout(host: Any, module_name: str, class_name: str, request: Any, response: Any, call_request: Any,
               completion_key: Any) -> List[Any]:
    """Business process ``OnTimeout``: a timer ran out. Whichever ObjectScript callback IRIS uses for
    a timer, the Python class gets it the same way (see :func:`_timer_expired`)."""
    if timers.is_alarm(call_request) or call_request is None or call_request == "":
        return _timer_expired(host, module_name, class_name, request, response, completion_key, "OnTimeout")

    def run() -> List[Any]:
        component = _process(host, module_name, class_name)
        inputs = _inputs(class_name, "OnTimeout", request, response, call_request)
        if _find(component, "OnTimeout") is None:
            return _call(component, "OnResponse", *inputs, None, completion_key, required=False)
        return _call(component, "OnTimeout", *inputs, completion_key)

    return _keep_response(_guarded(class_name, "OnTimeout", run), response)


def _timer_expired(host: Any, module_name: str, class_name: str, request: Any, response: Any,
                   completion_key: Any, callback: str) -> List[Any]:
    """A ``SetTimer`` timer ran out: the Python ``OnTimeout(request, response, None, key)`` when the
    class defines one, else ``OnResponse(request, response, None, None, key)``."""
    def run() -> List[Any]:
        component = _process(host, module_name, class_name)
        inputs = _inputs(class_name, callback, request, response)
        if _find(component, "OnTimeout") is not None:
            return _call(component, "OnTimeout", *inputs, None, completion_key)
        return _call(component, "OnResponse", *inputs, None, None, completion_key, required=False)

    return _keep_response(_guarded(class_name, callback, run), response)


def target_settings(module_name: str, class_name: str) -> List[Any]:
    """``[[IRIS setting name, default value], ...]`` of the host's target settings, for
    ``OnGetConnections``; empty when the class cannot be loaded (the diagram then has no arrows)."""
    from .connections import target_properties

    try:
        _ensure_engine()  # the portal's process may never have run a callback: make the sources importable
        paths.refresh()
        cls = load_class(module_name, class_name)
    except Exception:
        return []
    return [[iris_name, default] for _name, iris_name, default in target_properties(cls)]
