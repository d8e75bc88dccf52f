"""The callbacks each kind of component may define, and their argument counts."""

from __future__ import annotations

import inspect
from functools import cache
from typing import Any, Callable, Dict, Optional, Tuple

from ..errors import Location, PyProdError, PyProdWarning
from ..troubleshooting import see

#: kind -> {PascalCase callback: (accepted argument counts, not counting self; argument names)}
CALLBACKS: Dict[str, Dict[str, Tuple[Tuple[int, ...], str]]] = {
    "InboundAdapter": {"OnTask": ((0,), "")},
    "OutboundAdapter": {},
    "BusinessService": {"OnProcessInput": ((1, 2), "input[, hint]")},
    "BusinessProcess": {
        "OnRequest": ((1,), "request"),
        "OnResponse": ((5,), "request, response, call_request, call_response, completion_key"),
        "OnComplete": ((2,), "request, response"),
        "OnError": ((5,), "request, response, call_request, error_status, completion_key"),
        "OnTimeout": ((4,), "request, response, call_request, completion_key"),
    },
    "BusinessOperation": {"OnMessage": ((1,), "request")},
}
COMMON = {"OnInit": ((0,), ""), "OnTearDown": ((0,), "")}
REQUIRED = {"InboundAdapter": "OnTask", "BusinessService": "OnProcessInput", "BusinessProcess": "OnRequest"}


@cache
def snake_case(pascal: str) -> str:
    """``OnProcessInput`` -> ``on_process_input``."""
    out = []
    for i, ch in enumerate(pascal):
        if ch.isupper() and i:
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


def _user_attr(cls: type, name: str, stop: tuple) -> Optional[Any]:
    for klass in cls.__mro__:
        if klass in stop:
            return None
        if name in klass.__dict__:
            return klass.__dict__[name]
    return None


def accepts(func: Any, count: int) -> bool:
    """True when ``func`` (a plain function taking self) can be called with ``count`` arguments."""
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return True
    try:
        sig.bind(*([None] * (count + 1)))
    except TypeError:
        return False
    return True


def find_callback(cls: type, pascal: str, stop: tuple) -> Tuple[Optional[str], Optional[Callable[..., Any]]]:
    """(name used, function) of a callback in either spelling, or (None, None)."""
    found = [(n, _user_attr(cls, n, stop)) for n in (pascal, snake_case(pascal))]
    present = [(n, f) for n, f in found if f is not None]
    if len(present) == 2 and present[0][1] is not present[1][1]:
        raise PyProdError(
            f"{cls.__name__} defines both {present[0][0]} and {present[1][0]}; they are the same callback",
            where=getattr(cls, "_pyprod_where", None),
            fix="keep one of the two spellings",
        )
    return present[0] if present else (None, None)


def func_location(func: Any, fallback: Optional[Location]) -> Optional[Location]:
    code = getattr(func, "__code__", None)
    return Location(code.co_filename, code.co_firstlineno) if code else fallback


def check_plain(cls: type, name: str, func: Any, where: Optional[Location], arg_names: str) -> None:
    """IRIS calls a callback and uses what it returns: an ``async def`` returns a coroutine that is
    never run, a generator function a generator whose body never runs. Both are errors."""
    kind = ("an async generator" if inspect.isasyncgenfunction(func) else "an async def"
            if inspect.iscoroutinefunction(func) else "a generator (it uses yield)"
            if inspect.isgeneratorfunction(func) else "")
    if kind:
        raise PyProdError(f"{cls.__name__}.{name} is {kind}; IRIS calls it as a plain method and its body would "
                          "never run", where=func_location(func, where),
                          fix=f"define it as def {name}(self{', ' + arg_names if arg_names else ''}) without "
                              "async or yield (run a coroutine inside it with asyncio.run(...))")


def check_callbacks(cls: type, kind: str, stop: tuple, warnings: list) -> None:
    """Check every callback ``cls`` defines for its kind; warn about a missing required one."""
    table = {**COMMON, **CALLBACKS.get(kind, {})}
    where = getattr(cls, "_pyprod_where", None)
    for pascal, (counts, arg_names) in table.items():
        name, func = find_callback(cls, pascal, stop)
        if func is None:
            continue
        if isinstance(func, (staticmethod, classmethod)) or not callable(func):
            raise PyProdError(f"{cls.__name__}.{name} must be a plain method", where=where,
                              fix=f"define it as def {name}(self{', ' + arg_names if arg_names else ''})")
        check_plain(cls, name or pascal, func, where, arg_names)
        if not any(accepts(func, n) for n in counts):
            raise PyProdError(
                f"{cls.__name__}.{name} has the wrong parameters: IRIS calls it with "
                f"({arg_names or 'no arguments'})",
                where=func_location(func, where),
                fix=f"define it as def {name}(self{', ' + arg_names if arg_names else ''}); "
                    + see("callback-has-the-wrong-parameters"),
            )
    required = REQUIRED.get(kind)
    if required and find_callback(cls, required, stop)[1] is None:
        warnings.append(PyProdWarning(
            f"{cls.__name__} defines no {required} (or {snake_case(required)}); it will fail when called",
            where))


def method_name_of(value: Any) -> str:
    """A MessageMap value: a method name or the function itself."""
    if isinstance(value, str):
        return value
    return getattr(value, "__name__", repr(value))


def check_map_method(cls: type, py_method: str, stop: tuple) -> Callable[..., Any]:
    """The function a MessageMap entry names; an error when it is missing or takes other args."""
    where = getattr(cls, "_pyprod_where", None)
    func = _user_attr(cls, py_method, stop) if py_method.isidentifier() else None
    if func is None or not callable(func):
        raise PyProdError(
            f"the MessageMap of {cls.__name__} names method {py_method!r}, which {cls.__name__} does not define",
            where=where,
            fix=f"define def {py_method}(self, request) in {cls.__name__} or correct the MessageMap entry",
        )
    check_plain(cls, py_method, func, where, "request")
    if not accepts(func, 1):
        raise PyProdError(
            f"{cls.__name__}.{py_method} (in the MessageMap) must take one argument, the request",
            where=func_location(func, where),
            fix=f"define it as def {py_method}(self, request)",
        )
    return func


__all__ = ["CALLBACKS", "COMMON", "check_callbacks", "check_map_method", "method_name_of"]
