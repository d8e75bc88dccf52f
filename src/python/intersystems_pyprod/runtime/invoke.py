"""Calling a user's callback: its return value checked and converted, any failure logged with
its traceback and handed to ObjectScript as an error status (never an exception)."""

from __future__ import annotations

from typing import Any, Callable, List, Optional, Tuple

from ..api import engine
from ..api.messages import ProductionMessage
from ..loader import paths
from ..model.callbacks import snake_case
from . import adaptercalls, identity, messages
from .tracebacks import user_traceback

OK = 1
#: What a user callback may raise and still only fail that callback (never end the job).
CALLBACK_ERRORS = (Exception, SystemExit, KeyboardInterrupt)


def find(component: Any, pascal: str) -> Optional[Callable[..., Any]]:
    for name in (pascal, snake_case(pascal)):
        func = getattr(component, name, None)
        if callable(func):
            return func
    return None


def fail(component: Any, method: str, exc: BaseException) -> Any:
    text = user_traceback(exc)
    current = engine.current()
    current.log("Error", type(component).__name__, method, text.rstrip())
    return current.error_status(f"{type(component).__name__}.{method} raised {type(exc).__name__}: {exc}")


class Refused(Exception):
    """An input could not be converted; ``status`` is the error status already logged."""

    def __init__(self, status: Any) -> None:
        super().__init__("input refused")
        self.status = status


def read_inputs(owner: str, method: str, *objs: Any) -> List[Any]:
    """Incoming IRIS messages as Python messages; a body that cannot be read is logged and refused."""
    try:
        paths.refresh()
        return [messages.message_or_none(obj) for obj in objs]
    except Exception as exc:
        current = engine.current()
        text = f"{owner}.{method} was not called: {exc}"
        current.log("Error", owner, method, text)
        raise Refused(current.error_status(text)) from None


def guarded(owner: str, method: str, run: Callable[[], List[Any]]) -> List[Any]:
    """``run()``, with refused inputs and failures before the callback as an error status. The
    messages it reads keep the identity of their IRIS bodies while it runs (:mod:`.identity`)."""
    try:
        with identity.callback():
            return run()
    except Refused as refused:
        return [refused.status, ""]
    except Exception as exc:
        current = engine.current()
        text = user_traceback(exc)
        current.log("Error", owner, method, text)
        return [current.error_status(f"{owner}.{method} failed: {type(exc).__name__}: {exc}"), ""]


def split(component: Any, method: str, result: Any) -> Tuple[Any, Any]:
    """A callback's return value as (status, output), both checked."""
    if result is None:
        return OK, None
    if isinstance(result, ProductionMessage):
        return OK, result
    if isinstance(result, (tuple, list)):
        if len(result) == 2:
            return status_of(component, method, result[0]), output_of(component, method, result[1])
        if len(result) == 1:
            return status_of(component, method, result[0]), None
        raise TypeError(f"{type(component).__name__}.{method} returned {len(result)} values; "
                        "return a status or (status, output)")
    return status_of(component, method, result), None


def status_of(component: Any, method: str, status: Any) -> Any:
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


def output_of(component: Any, method: str, output: Any) -> Any:
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


def call(component: Any, pascal: str, *args: Any, required: bool = True) -> List[Any]:
    """Run a callback; ``[status, output-as-IRIS-object]``."""
    func = find(component, pascal)
    if func is None:
        if not required:
            return [OK, ""]
        error = NotImplementedError(f"{type(component).__name__} defines no {pascal} or {snake_case(pascal)}")
        return [fail(component, pascal, error), ""]
    try:
        with identity.callback():
            status, output = split(component, pascal, func(*args))
            return [status, messages.to_iris_or_empty(output)]
    except CALLBACK_ERRORS as exc:
        return [fail(component, getattr(func, "__name__", pascal), exc), ""]


