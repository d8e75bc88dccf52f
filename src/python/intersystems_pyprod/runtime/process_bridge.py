"""Entry points of the ``PyProd.BusinessProcess`` callbacks. A process is persistent and may
resume in another job, so each callback gets a fresh Python object (with what the Python
``OnInit`` set in this job); its ``response`` is passed by reference (:mod:`.responses`)."""

from __future__ import annotations

from typing import Any, List

from ..api import engine
from ..api.hosts import Component
from . import jobstate, timers
from .components import create, start
from .invoke import OK, call, find, guarded, read_inputs
from .responses import Slot


def _process(host: Any, module_name: str, class_name: str) -> Component:
    """The fresh object of one process callback, with what the Python OnInit set in this job."""
    return jobstate.inherit(create(host, module_name, class_name), jobstate.find(host, module_name, class_name))


def on_request(host: Any, module_name: str, class_name: str, request: Any) -> List[Any]:
    """Business process ``OnRequest(request)``."""
    return guarded(class_name, "OnRequest", lambda: call(_process(host, module_name, class_name), "OnRequest",
                                                           *read_inputs(class_name, "OnRequest", request)))


def on_response(host: Any, module_name: str, class_name: str, request: Any, response: Any,
                call_request: Any, call_response: Any, completion_key: Any) -> List[Any]:
    """Business process ``OnResponse(request, response, call_request, call_response, completion_key)``.
    A ``SetTimer`` timer that ran out arrives here as the answer to its ``Ens.AlarmRequest``: it goes
    to the Python ``OnTimeout`` when the class defines one."""
    if timers.is_alarm(call_request):
        return _timer_expired(host, module_name, class_name, request, response, completion_key, "OnResponse")

    slot = Slot(host, response)

    def run() -> List[Any]:
        component = _process(host, module_name, class_name)
        inputs = slot.take(read_inputs(class_name, "OnResponse", request, response, call_request, call_response))
        return slot.settle(call(component, "OnResponse", *inputs, completion_key, required=False))

    return _keep_response(guarded(class_name, "OnResponse", run), response)


def on_complete(host: Any, module_name: str, class_name: str, request: Any, response: Any) -> List[Any]:
    """Business process ``OnComplete(request, response)``: all async responses are in."""
    slot = Slot(host, response)

    def run() -> List[Any]:
        component = _process(host, module_name, class_name)
        inputs = slot.take(read_inputs(class_name, "OnComplete", request, response))
        return slot.settle(call(component, "OnComplete", *inputs, required=False))

    return _keep_response(guarded(class_name, "OnComplete", run), response)


def _keep_response(result: List[Any], response: Any) -> List[Any]:
    """A callback that failed before it ran leaves the process's response as it was."""
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
    status = call(component, "OnInit", required=False)[0]
    if not engine.current().is_error(status):
        jobstate.remember(job_key, component, lambda _key, obj: call(obj, "OnTearDown", required=False)[0])
    return status


def bp_tear_down(module_name: str, class_name: str, config_name: Any = "") -> Any:
    """The job of a business process item ends: its Python ``OnTearDown``, once, on the object its
    ``OnInit`` ran on (run at the end of the Python interpreter of the job, and by the harness)."""
    component = jobstate.forget(jobstate.key(module_name, class_name, config_name))
    return OK if component is None else call(component, "OnTearDown", required=False)[0]


def on_error(host: Any, module_name: str, class_name: str, request: Any, response: Any, call_request: Any,
             error_status: Any, completion_key: Any) -> List[Any]:
    """Business process ``OnError``: an async request came back with an error. Without a Python
    ``OnError`` the error stands (the engine's default)."""
    slot = Slot(host, response)

    def run() -> List[Any]:
        component = _process(host, module_name, class_name)
        if find(component, "OnError") is None:
            return [error_status, ""]
        inputs = slot.take(read_inputs(class_name, "OnError", request, response, call_request))
        return slot.settle(call(component, "OnError", *inputs, error_status, completion_key))

    return _keep_response(guarded(class_name, "OnError", run), response)


def on_timeout(host: Any, module_name: str, class_name: str, request: Any, response: Any, call_request: Any,
               completion_key: Any) -> List[Any]:
    """Business process ``OnTimeout``: a timer ran out. Whichever ObjectScript callback IRIS uses for
    a timer, the Python class gets it the same way (see :func:`_timer_expired`)."""
    if timers.is_alarm(call_request) or call_request is None or call_request == "":
        return _timer_expired(host, module_name, class_name, request, response, completion_key, "OnTimeout")

    slot = Slot(host, response)

    def run() -> List[Any]:
        component = _process(host, module_name, class_name)
        inputs = slot.take(read_inputs(class_name, "OnTimeout", request, response, call_request))
        if find(component, "OnTimeout") is None:
            return slot.settle(call(component, "OnResponse", *inputs, None, completion_key, required=False))
        return slot.settle(call(component, "OnTimeout", *inputs, completion_key))

    return _keep_response(guarded(class_name, "OnTimeout", run), response)


def _timer_expired(host: Any, module_name: str, class_name: str, request: Any, response: Any,
                   completion_key: Any, callback: str) -> List[Any]:
    """A ``SetTimer`` timer ran out: the Python ``OnTimeout(request, response, None, key)`` when the
    class defines one, else ``OnResponse(request, response, None, None, key)``."""
    slot = Slot(host, response)

    def run() -> List[Any]:
        component = _process(host, module_name, class_name)
        inputs = slot.take(read_inputs(class_name, callback, request, response))
        if find(component, "OnTimeout") is not None:
            return slot.settle(call(component, "OnTimeout", *inputs, None, completion_key))
        return slot.settle(call(component, "OnResponse", *inputs, None, None, completion_key, required=False))

    return _keep_response(guarded(class_name, callback, run), response)


