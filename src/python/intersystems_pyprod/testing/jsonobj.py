"""The stand-in's ``PyProd.JsonMessage`` methods, doing what the ObjectScript methods do:
``JsonOpen`` records the field list and hands over the body stream, ``GetValueAt``,
``SetValueAt``, ``GetNextIndex`` and ``%OnAddToSaveSet`` call the module named by the class's
``PYPATHS`` parameter."""

from __future__ import annotations

import importlib
from typing import Any

from ..api.engine import OfflineErrorStatus

#: The longest IRIS string (UTF-16 units).
MAX_STRING = 3_641_144
#: PyProd.JsonMessage's PYPATHS parameter.
PYPATHS = "intersystems_pyprod.runtime.paths"


def json_open(obj: Any, fields: str, clear: int) -> Any:
    """``JsonOpen``: ``JsonFields`` = ``fields``; the body stream, emptied when ``clear``."""
    obj.__dict__["JsonFields"] = fields
    stream = obj.__getattr__("JsonBody") if "JsonBody" not in obj.__dict__ else obj.__dict__["JsonBody"]
    if clear:
        stream.Clear()
    return stream


def get_value_at(obj: Any, path: str, status: Any = None) -> Any:
    """``GetValueAt``: the value; the status goes to ``status.value`` (a by-reference argument)."""
    try:
        result = importlib.import_module(PYPATHS).get_value_at(obj, path)
        found, value = result[0], result[1]
        if isinstance(value, str) and len(value.encode("utf-16-le", "surrogatepass")) > 2 * MAX_STRING:
            raise ValueError("<MAXSTRING>: the value is longer than an IRIS string holds")  # at the assignment
    except Exception as exc:  # as the ObjectScript catch: ex.AsStatus()
        found, value = OfflineErrorStatus(f"<PYTHON EXCEPTION> {type(exc).__name__}: {exc}"), ""
    if status is not None:
        status.value = found
    return value


def get_next_index(obj: Any, path: str, index: Any, status: Any = None) -> Any:
    """``GetNextIndex``: the next index; the status goes to ``status.value`` (by reference)."""
    try:
        result = importlib.import_module(PYPATHS).get_next_index(obj, path, index)
        found, following = result[0], result[1]
    except Exception as exc:  # as the ObjectScript catch: ex.AsStatus()
        found, following = OfflineErrorStatus(f"<PYTHON EXCEPTION> {type(exc).__name__}: {exc}"), ""
    if status is not None:
        status.value = found
    return following


def set_value_at(obj: Any, value: Any, path: str, action: str, key: str) -> Any:
    """``SetValueAt``: the status."""
    try:
        return importlib.import_module(PYPATHS).set_value_at(obj, value, path, action, key)
    except Exception as exc:  # as the ObjectScript catch: ex.AsStatus()
        return OfflineErrorStatus(f"<PYTHON EXCEPTION> {type(exc).__name__}: {exc}")


def on_add_to_save_set(obj: Any) -> Any:
    """``%OnAddToSaveSet``: with ``JsonFields`` set, the module's ``on_save``; the status."""
    if not obj.__dict__.get("JsonFields"):
        return 1
    try:
        return importlib.import_module(PYPATHS).on_save(obj)
    except Exception as exc:  # as the ObjectScript catch: ex.AsStatus()
        return OfflineErrorStatus(f"<PYTHON EXCEPTION> {type(exc).__name__}: {exc}")
