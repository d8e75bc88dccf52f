"""An outbound adapter method called from ObjectScript: ``set sc = ..Adapter.Send(x, .reply)``.

``PyProd.OutboundAdapter.%DispatchMethod`` hands the call to the Python adapter object. An
ObjectScript caller expects what an IRIS adapter method gives: a ``%Status`` as the return value
and results in by-reference arguments. So the Python method's return value crosses as follows:

* ``None`` -> ``$$$OK`` (``1``): the method did its work and reports nothing else;
* a status (``Status.OK()``, ``Status.ERROR(text)``) -> that status, unchanged;
* ``(status, value, ...)`` (the shape pyprod 0.2.0 adapter methods return) -> the status; each
  value goes to a by-reference argument the caller passed after the method's own arguments, in
  order (``..Adapter.Fetch(key, .out)`` for ``def fetch(self, key)``);
* any other value -> that value (a message as its IRIS object, ``True``/``False`` as ``1``/``0``);
* an exception raised by the method (or no such method) -> an error status, with the traceback in
  the event log; no Python exception reaches the ObjectScript caller.

ObjectScript has no ``None``: where a value is ``None`` (an output, a value in a list) the caller
gets ``""``, the value IRIS gives an absent argument.

A Python operation calling its Python adapter (``self.ADAPTER.send_it(x)``) gets pyprod 0.2.0's
shapes instead (:func:`result_for_python`): always a tuple, ``(status, value)`` for a bare value
and ``(status, *rest)`` for a returned tuple, with the statuses an ObjectScript caller would get.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, List, Optional, Tuple

from ..api.messages import ProductionMessage
from ..model.callbacks import snake_case
from ..naming import iris_name
from . import messages

OK = 1


def method_of(component: Any, name: str) -> Optional[Callable[..., Any]]:
    """The adapter's Python method for a method name in either spelling: ``SendLine`` or
    ``send_line`` finds ``def send_line`` and ``def SendLine`` alike."""
    for candidate in (name, snake_case(name), iris_name(name)):
        func = getattr(component, candidate, None)
        if callable(func):
            return func
    return None


def split_arguments(func: Callable[..., Any], args: List[Any]) -> Tuple[List[Any], int]:
    """The arguments for ``func`` and how many trailing ones are output slots (those beyond the
    positional parameters of a method without ``*args``)."""
    try:
        parameters = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        return args, 0
    kinds = [p.kind.name for p in parameters]
    if "VAR_POSITIONAL" in kinds:
        return args, 0
    capacity = sum(1 for kind in kinds if kind in ("POSITIONAL_ONLY", "POSITIONAL_OR_KEYWORD"))
    if len(args) <= capacity:
        return args, 0
    return args[:capacity], len(args) - capacity


def to_objectscript(value: Any) -> Any:
    """A Python value as an ObjectScript caller can hold it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, ProductionMessage):
        return messages.to_iris(value)
    return value


def result_for_objectscript(result: Any, slots: int, status_of: Callable[[Any], Any]) -> List[Any]:
    """``[return value, [outputs...]]`` for the ObjectScript caller; ``status_of`` checks a status."""
    outputs: List[Any] = [""] * slots
    if result is None:
        return [OK, outputs]
    if isinstance(result, (tuple, list)) and not isinstance(result, ProductionMessage):
        if not result:
            return [OK, outputs]
        for index, value in enumerate(list(result[1:])[:slots]):
            outputs[index] = to_objectscript(value)
        return [status_of(result[0]), outputs]
    return [to_objectscript(result), outputs]


class AdapterResult(tuple):
    """What ``self.ADAPTER.method(...)`` hands a Python operation: ``(status, value, ...)``.

    A callback that returns it where a status goes (``status = self.ADAPTER.send(x)`` then
    ``return status, response``, as pyprod 0.2.0's own examples do) returns its status."""

    @property
    def status(self) -> Any:
        return self[0]


def _plain(value: Any) -> Any:
    """A status as it comes back from ObjectScript: ``None`` is ``$$$OK``, ``True``/``False`` 1/0."""
    if value is None:
        return OK
    if isinstance(value, bool):
        return int(value)
    return value


def result_for_python(result: Any) -> AdapterResult:
    """pyprod 0.2.0's result of an adapter method called from an operation: a bare value ``v`` ->
    ``(v, None)``; ``(status, a, b)`` -> ``(status, a, b)``; ``[status, a]`` -> ``(status, [a])``
    (pyprod keeps the rest of a list as a list). An empty tuple or list raises ``IndexError``."""
    if isinstance(result, tuple):
        return AdapterResult((_plain(result[0]), *result[1:]))
    if isinstance(result, list):
        return AdapterResult((_plain(result[0]), result[1:]))
    return AdapterResult((_plain(result), None))
