"""Persistent messages: ``ProductionMessage``, ``JsonSerialize`` and ``PickleSerialize``.

A message class declares its fields with annotations (``amount: float = 0.0``) and ``Column``
attributes (``order_id = Column(int, index=True)``). Construction takes the fields positionally
in declaration order (annotated fields first, in annotation order, then ``Column`` fields that
have no annotation) or by keyword; missing fields take their class-level default or ``None``.
"""

from __future__ import annotations

import copy
import inspect
from typing import Any, ClassVar, Dict, Optional, Tuple

from ..errors import Location
from .fields import Column
from .origin import caller_location

_MUTABLE = (list, dict, set, bytearray)


def own_annotations(cls: type) -> Dict[str, Any]:
    """The annotations written in ``cls`` itself (not its bases), on every Python version."""
    getter = getattr(inspect, "get_annotations", None)
    if getter is None:  # Python 3.9
        return dict(cls.__dict__.get("__annotations__", {}))  # noqa: RUF063
    try:
        return dict(getter(cls))
    except NameError:  # a forward reference that does not resolve yet (Python 3.14+)
        import annotationlib  # type: ignore[import-not-found,unused-ignore]

        return dict(getter(cls, format=annotationlib.Format.FORWARDREF))


def _own_fields(cls: type) -> Tuple[str, ...]:
    annotations = own_annotations(cls)
    names = [n for n in annotations if not n.startswith("_")]
    for name, value in cls.__dict__.items():
        if isinstance(value, Column) and name not in names:
            names.append(name)
    return tuple(n for n in names if not _is_classvar(annotations.get(n)))


def _is_classvar(annotation: Any) -> bool:
    text = annotation if isinstance(annotation, str) else repr(annotation)
    return "ClassVar" in text


class ProductionMessage:
    """Base of all messages; subclass ``JsonSerialize`` or ``PickleSerialize`` instead."""

    _pyprod_kind: ClassVar[str] = ""
    _pyprod_serializer: ClassVar[str] = ""
    _pyprod_fields: ClassVar[Tuple[str, ...]] = ()
    _pyprod_where: ClassVar[Optional[Location]] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._pyprod_where = caller_location()
        inherited: Tuple[str, ...] = ()
        for base in reversed(cls.__mro__[1:]):
            if issubclass(base, ProductionMessage) and base is not ProductionMessage:
                inherited += tuple(n for n in _own_fields(base) if n not in inherited)
        cls._pyprod_fields = inherited + tuple(n for n in _own_fields(cls) if n not in inherited)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        cls = type(self)
        fields = cls._pyprod_fields
        if len(args) > len(fields):
            raise TypeError(f"{cls.__name__}() takes at most {len(fields)} positional arguments ({len(args)} given)")
        values: Dict[str, Any] = dict(zip(fields, args))
        for key, value in kwargs.items():
            if key not in fields:
                raise TypeError(f"{cls.__name__}() got an unexpected field {key!r}; fields are {list(fields)}")
            if key in values:
                raise TypeError(f"{cls.__name__}() got multiple values for field {key!r}")
            values[key] = value
        for name in fields:
            self.__dict__[name] = values[name] if name in values else field_default(cls, name)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, n, None) == getattr(other, n, None) for n in self._pyprod_fields)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        body = ", ".join(f"{n}={getattr(self, n, None)!r}" for n in self._pyprod_fields)
        return f"{type(self).__name__}({body})"


def field_default(cls: type, name: str) -> Any:
    """The default of field ``name``: a ``Column`` default, a class-level value, or ``None``."""
    for klass in cls.__mro__:
        if name in klass.__dict__:
            value = klass.__dict__[name]
            if isinstance(value, Column):
                value = value.default
            return copy.copy(value) if isinstance(value, _MUTABLE) else value
    return None


class JsonSerialize(ProductionMessage):
    """A message whose body is stored as JSON (readable in the message viewer and by SQL)."""

    _pyprod_kind = "Message"
    _pyprod_serializer = "json"


class PickleSerialize(ProductionMessage):
    """A message whose body is a Python pickle: any picklable value, readable only by Python."""

    _pyprod_kind = "Message"
    _pyprod_serializer = "pickle"
