"""Property paths into a JSON message: ``PyProd.JsonMessage.GetValueAt`` and ``SetValueAt``.

A routing rule's ``Document.{lines(1).sku}`` and a DTL's ``source.{...}`` / ``target.{...}``
compile to these calls. A path is steps joined by dots; a step is a field (its Python name or
its IRIS property name), a key of a dict, or an attribute of a nested value, optionally followed
by a 1-based index ``(n)``, ``(-1)`` (the last item), ``(*)`` (the count, read only) or ``()``
(append, write only). Values are read from the message exactly as the Python component would
receive it, and written back as a send writes them (body and properties in one step).
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any, List, Optional, Tuple

from ..api import engine
from ..api.messages import ProductionMessage, is_pydantic
from . import bodies, bodysync, fieldsync, irisapi, jobversion, jsontext, messages, values

_STEP = re.compile(r"([^.()]+)(?:\((\*|-?[0-9]+|)\))?\Z")
_WHOLE = re.compile(r"-?[0-9]+\Z")
#: The longest path, and the most steps, a path may have (a DTL's are far shorter): a path is
#: read in time and memory bounded by these, whatever ObjectScript hands over.
MAX_PATH_CHARS = 10_000
MAX_STEPS = 100
#: An index has at most this many digits (no list has 10**18 items).
MAX_INDEX_DIGITS = 18


class PathError(ValueError):
    """A path that does not name a value of the message."""


def _ready() -> None:
    """These functions run in jobs that may never have run a Python callback (a routing engine
    evaluating a rule, a DTL, a save): there the IRIS engine (real ``%Status`` values) and the
    loaded scripts' modules are set up as the bridge sets them up. A job that ran a callback, or
    the harness, has them already; outside IRIS (no embedded ``iris``) nothing is done. Then, as
    at a callback, a newly loaded version of a script is taken up (:mod:`.jobversion`)."""
    if engine._current is None and irisapi._installed is None:
        _set_up()
    jobversion.check()


def _set_up() -> None:
    try:
        import iris
    except ImportError:
        return
    if not hasattr(iris, "cls"):  # the Native SDK's module: not inside IRIS
        return
    from .components import ensure_engine

    ensure_engine()


def _steps(path: str) -> List[Tuple[str, Optional[str]]]:
    if not isinstance(path, str) or not path.strip():
        raise PathError("the property path is empty")
    if len(path) > MAX_PATH_CHARS:
        raise PathError(f"the path has {len(path)} characters; at most {MAX_PATH_CHARS}")
    pieces = path.strip().split(".")
    if len(pieces) > MAX_STEPS:
        raise PathError(f"the path has {len(pieces)} steps; at most {MAX_STEPS}")
    found = []
    for piece in pieces:
        match = _STEP.match(piece.strip())
        if match is None:
            raise PathError(f"{_shown(piece)} is not a path step (write name, name(n), name(*) or name())")
        index = match.group(2)
        if index and len(index.lstrip("-")) > MAX_INDEX_DIGITS:
            raise PathError(f"{_shown(piece)}: an index has at most {MAX_INDEX_DIGITS} digits")
        found.append((match.group(1), index))
    return found


def _shown(text: Any, limit: int = 200) -> str:
    """``text`` quoted for an error status, cut to ``limit`` characters when longer."""
    if not isinstance(text, str) or len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}... ({len(text)} characters)"


def _field(message: Any, name: str) -> str:
    """The Python field a path's first step names (its Python or its IRIS name)."""
    fields = type(message)._pyprod_fields
    if name in fields:
        return name
    for prop in fieldsync.props(type(message)):
        if prop.name == name:
            return prop.field
    raise PathError(f"{type(message).__name__} has no field {name!r}; its fields are {list(fields)}")


def _is_object(value: Any) -> bool:
    """A nested message, dataclass or pydantic model: its fields are path steps."""
    return isinstance(value, ProductionMessage) or (dataclasses.is_dataclass(value) and not isinstance(value, type)) \
        or is_pydantic(type(value))


def _child(value: Any, name: str) -> Any:
    if isinstance(value, dict):
        return value.get(name)
    if _is_object(value):
        return getattr(value, name, None)
    return None


def _item(value: Any, index: str, path: str) -> Any:
    if isinstance(value, tuple):
        value = list(value)
    if not isinstance(value, list):
        return None
    number = int(index)
    if number == 0:
        raise PathError(f"{path}: indexes start at 1")
    position = number - 1 if number > 0 else len(value) + number
    return value[position] if 0 <= position < len(value) else None


def _iris(value: Any) -> Any:
    """A value in the form ObjectScript gets it: a scalar's IRIS form, a list or dict as JSON."""
    if isinstance(value, (list, dict, tuple, set, frozenset)) or _is_object(value):
        return json.dumps(value, default=jsontext.json_default, ensure_ascii=False)
    return values.to_iris(value, None)


def _fitting(value: Any, path: str) -> Any:
    """``value`` when ObjectScript can take it: a text past the IRIS string limit (a long list's
    JSON) is a PathError naming its size, not a ``<MAXSTRING>`` at the assignment."""
    if isinstance(value, str) and len(value) > fieldsync.MAX_STRING // 2:
        units = len(value) if value.isascii() else len(value.encode("utf-16-le", "surrogatepass")) // 2
        if units > fieldsync.MAX_STRING:
            raise PathError(f"the value has {units} characters; an IRIS string holds at most "
                            f"{fieldsync.MAX_STRING}: read a part of it ({_shown(path, 60)} with an index or a "
                            "deeper step)")
    return value


def get_value_at(obj: Any, path: str) -> List[Any]:
    """[status, value] of ``path`` in the message ``obj`` holds; a step past the data is ""."""
    _ready()
    current = engine.current()
    try:
        message = messages.from_iris(obj)
        return [1, _fitting(_iris(_walk(message, _steps(path), path)), path)]
    except (PathError, bodies.BodyError, TypeError) as exc:
        return [current.error_status(f"GetValueAt({_shown(path)}) on {_name(obj)}: {exc}"), ""]
    except Exception as exc:  # an IRIS call that failed: a status naming it, never an exception in ObjectScript
        return [current.error_status(f"GetValueAt({_shown(path)}) on {_name(obj)}: {_failed(exc)}"), ""]


def _walk(message: Any, steps: List[Tuple[str, Optional[str]]], path: str) -> Any:
    """The value ``steps`` lead to in ``message`` (None past the data)."""
    value: Any = message
    for number, (name, index) in enumerate(steps):
        value = getattr(message, _field(message, name)) if number == 0 else _child(value, name)
        if index == "*":
            value = len(value) if isinstance(value, (list, tuple)) else 0
        elif index:
            value = _item(value, index, path)
    return value


def get_next_index(obj: Any, path: str, index: Any = "") -> List[Any]:
    """[status, the 1-based index after ``index`` ("" for the first) of the list at ``path``
    (``lines()``, ``lines(2).parts()``), or "" after the last item]: what DTL's
    ``<foreach property="source.{lines()}" key="k">`` loops over. A missing list has no items."""
    _ready()
    current = engine.current()
    try:
        text = path.strip() if isinstance(path, str) else path
        if isinstance(text, str) and text.endswith("()"):
            text = text[:-2]
        message = messages.from_iris(obj)
        steps = _steps(text)
        items = _walk(message, steps, path)
        if items is None:
            return [1, ""]
        if not isinstance(items, (list, tuple)):
            raise PathError(f"{steps[-1][0]} holds {type(items).__name__}, not a list")
        after = str(index).strip() if index is not None else ""
        if after and not _WHOLE.match(after):
            raise PathError(f"index {_shown(index)} is not a whole number")
        if len(after.lstrip("-")) > MAX_INDEX_DIGITS:
            return [1, ""]  # past the end of any list (or before its start)
        following = int(after or 0) + 1
        return [1, following if 1 <= following <= len(items) else ""]
    except (PathError, bodies.BodyError, TypeError) as exc:
        return [current.error_status(f"GetNextIndex({_shown(path)}) on {_name(obj)}: {exc}"), ""]
    except Exception as exc:  # an IRIS call that failed
        return [current.error_status(f"GetNextIndex({_shown(path)}) on {_name(obj)}: {_failed(exc)}"), ""]


def set_value_at(obj: Any, value: Any, path: str, action: str = "set", key: str = "") -> Any:
    """Set ``path`` of the message ``obj`` holds (``action``: set, clear, remove, append) and
    rewrite the body and properties; returns a status naming the field or path on failure."""
    _ready()
    current = engine.current()
    try:
        message = messages.from_iris(obj)
        _assign(message, _steps(path), value, (action or "set").lower(), path)
        bodysync.rewrite(obj, message)
        jobversion.building()
        return 1
    except (PathError, bodies.BodyError, messages.MessageError, TypeError) as exc:
        return current.error_status(f"SetValueAt({_shown(path)}) on {_name(obj)}: {exc}")
    except Exception as exc:  # an IRIS call that failed
        return current.error_status(f"SetValueAt({_shown(path)}) on {_name(obj)}: {_failed(exc)}")


def _assign(message: Any, steps: List[Tuple[str, Optional[str]]], value: Any, action: str, path: str) -> None:
    if action not in ("set", "clear", "remove", "append"):
        raise PathError(f"action {action!r} is not one of set, clear, remove, append")
    field = _field(message, steps[0][0])
    if len(steps) == 1 and steps[0][1] is None and action != "append":
        message.__dict__[field] = None if action in ("clear", "remove") else _typed(message, field, value)
        return
    holder: Any = _Fields(message)
    node: Any = None
    for number, (step, index) in enumerate(steps):
        key = field if number == 0 else step
        if number:
            if _is_object(node):
                holder = _Fields(node)
            elif isinstance(node, dict):
                holder = node
            else:
                raise PathError(f"{path}: {'.'.join(s for s, _ in steps[:number])} holds no fields")
        last = number == len(steps) - 1
        if index is None:
            if last:
                _put(holder, key, value, action, path)
                return
            if holder.get(key) is None:
                holder[key] = {}
            node = holder[key]
            continue
        if index == "*":
            raise PathError(f"{path}: (*) is a count; it cannot be set")
        if holder.get(key) is None:
            holder[key] = []
        if isinstance(holder.get(key), tuple):
            holder[key] = list(holder[key])
        items = holder[key]
        if not isinstance(items, list):
            raise PathError(f"{path}: {step} is not a list")
        wanted = int(index) if index else len(items) + 1
        if wanted == 0:
            raise PathError(f"{path}: indexes start at 1")
        position = wanted - 1 if wanted > 0 else len(items) + wanted
        if not 0 <= position <= len(items):
            raise PathError(f"{path}: index {index or '()'} is past the {len(items)} item(s) of {step}")
        if last:
            _put_item(items, position, value, action)
            return
        if position == len(items):
            items.append({})
        node = items[position]


class _Fields:
    """The fields of a nested message, dataclass or model, written as a dict is (a frozen
    dataclass too: the path rewrites the message as a whole)."""

    def __init__(self, target: Any) -> None:
        self.target = target

    def get(self, name: str, default: Any = None) -> Any:
        return getattr(self.target, name, default)

    def __getitem__(self, name: str) -> Any:
        return getattr(self.target, name)

    def __setitem__(self, name: str, value: Any) -> None:
        object.__setattr__(self.target, name, value)

    def setdefault(self, name: str, value: Any) -> Any:
        if self.get(name) is None:
            self[name] = value
        return self[name]

    def pop(self, name: str, default: Any = None) -> Any:
        self[name] = None  # a declared field cannot be removed: it is cleared
        return default


def _put(container: Any, name: str, value: Any, action: str, path: str) -> None:
    if action == "remove":
        container.pop(name, None)
    elif action == "clear":
        container[name] = None
    elif action == "append":
        items = container.setdefault(name, [])
        if not isinstance(items, list):
            raise PathError(f"{path}: {name} is not a list, nothing can be appended to it")
        items.append(value)
    else:
        container[name] = value


def _put_item(items: List[Any], position: int, value: Any, action: str) -> None:
    if action == "remove":
        if position < len(items):
            del items[position]
    elif position == len(items) or action == "append":
        items.insert(position, None if action == "clear" else value)
    else:
        items[position] = None if action == "clear" else value


def _typed(message: Any, field: str, value: Any) -> Any:
    """``value`` (from ObjectScript) as field ``field``'s type when a property holds the field."""
    for prop in fieldsync.props(type(message)):
        if prop.field == field:
            return fieldsync.convert(value, prop, "")
    return value


def _failed(exc: BaseException) -> str:
    """An unexpected failure (an IRIS call raising) as the text of an error status."""
    return f"an IRIS call failed: {type(exc).__name__}: {exc}"


def _name(obj: Any) -> str:
    try:
        return str(obj._ClassName(1))
    except Exception:  # not an IRIS object
        return type(obj).__name__


def on_save(obj: Any) -> Any:
    """``PyProd.JsonMessage.%OnAddToSaveSet``: the body brought in line with the properties
    before the message is saved (:func:`.bodysync.on_save`); a status."""
    _ready()
    try:
        return bodysync.on_save(obj)
    finally:
        jobversion.saved()
