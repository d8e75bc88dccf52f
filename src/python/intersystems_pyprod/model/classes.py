"""What the model builder knows of a script's classes: their IRIS names, indexed once, and
small readers of class attributes shared by the host, message and production models."""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any, Dict, List, Optional, Tuple

from ..api import hosts, messages
from ..errors import Location, PyProdError, PyProdWarning
from . import datatypes
from .packages import API_BASES
from .types import IrisType


def where_of(obj: Any) -> Optional[Location]:
    """Where a class or declaration was written, when known."""
    return getattr(obj, "_pyprod_where", None) or getattr(obj, "where", None)


def kind_of(cls: type) -> str:
    """The kind of generated class for a user class."""
    if issubclass(cls, hosts.Component):
        return cls._pyprod_kind
    if issubclass(cls, messages.ProductionMessage):
        if cls._pyprod_serializer == "json":
            return "JsonMessage"
        if cls._pyprod_serializer == "pickle":
            return "PickleMessage"
        raise PyProdError(
            f"message class {cls.__name__} subclasses ProductionMessage directly",
            where=where_of(cls),
            fix="subclass JsonSerialize (readable JSON body) or PickleSerialize (any picklable value)",
        )
    return "Production"


def doc_of(cls: type) -> str:
    """The class's own docstring; not the signature ``@dataclass`` writes as one when it has none."""
    raw = cls.__dict__.get("__doc__")
    if not isinstance(raw, str):
        return ""
    if dataclasses.is_dataclass(cls) and raw.startswith(cls.__name__ + "(") and raw.endswith(")"):
        return ""
    return inspect.cleandoc(raw)


class ClassIndex:
    """The script's classes by IRIS name, looked up in constant time (case-insensitively, as IRIS
    compares class names)."""

    def __init__(self) -> None:
        self.iris_names: Dict[type, str] = {}
        self._by_folded: Dict[str, type] = {}
        self._messages_by_py_name: Dict[str, List[str]] = {}
        self.packages: set = set()

    def add(self, cls: type, iris_name: str) -> None:
        self.iris_names[cls] = iris_name
        self._by_folded.setdefault(iris_name.lower(), cls)
        self.packages.add(iris_name.rsplit(".", 1)[0].lower())
        if issubclass(cls, messages.ProductionMessage):
            self._messages_by_py_name.setdefault(cls.__name__, []).append(iris_name)

    def __contains__(self, cls: object) -> bool:
        return cls in self.iris_names

    def name(self, cls: type) -> str:
        return self.iris_names[cls]

    def by_name(self, iris_name: str) -> Optional[type]:
        """The class whose IRIS name is ``iris_name`` (any case), or None."""
        return self._by_folded.get(iris_name.lower())

    def message_names(self, py_name: str) -> List[str]:
        """IRIS names of the message classes whose Python name is ``py_name``."""
        return self._messages_by_py_name.get(py_name, [])


class Context:
    """The index and the warnings of one model build."""

    def __init__(self, index: ClassIndex) -> None:
        self.index = index
        self.warnings: List[PyProdWarning] = []

    def iris_type(self, spec: Any, what: str, where: Optional[Location]) -> IrisType:
        """The IRIS type of a setting or column; a type without an IRIS equivalent becomes text, with a warning."""
        if not datatypes.is_known(spec):
            self.warnings.append(PyProdWarning(
                f"{what} has type {getattr(spec, '__name__', spec)!r}, which has no IRIS equivalent; it is stored "
                f"as text (use {datatypes.SUPPORTED})", where))
        return datatypes.iris_type(spec, what, where)


def annotations_of(cls: type) -> Dict[str, Any]:
    """Annotations of the user's classes in the MRO (string annotations stay text: the data-type
    rules read type names, so nothing needs evaluating)."""
    merged: Dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        if klass not in API_BASES:
            merged.update(messages.own_annotations(klass))
    return merged


def class_attrs(cls: type) -> List[Tuple[str, Any]]:
    """Attributes of ``cls`` and its user base classes, base classes first, each name once."""
    seen: Dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        if klass in API_BASES:
            continue
        for name, value in klass.__dict__.items():
            seen.pop(name, None)
            seen[name] = value
    return [(n, v) for n, v in seen.items() if not n.startswith("__")]


def class_attr(cls: type, name: str) -> Any:
    """What ``cls`` or a base declares as ``name`` (a pydantic message's ``Column`` too)."""
    from ..api.messages import class_member

    return class_member(cls, name)


def text(value: Any, what: str, where: Optional[Location]) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise PyProdError(f"{what} must be a string, not {type(value).__name__}", where=where, fix="pass text")
    return value


def whole(value: Any, what: str, where: Optional[Location]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise PyProdError(f"{what} must be a whole number >= 0, not {value!r}", where=where, fix="use an int")
    return value


def setting_text(value: Any, what: str, where: Optional[Location]) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float, str)):
        return str(value)
    raise PyProdError(f"{what} is {value!r}; setting values are text, numbers or booleans", where=where,
                      fix="use a str, int, float or bool")
