"""Type-directed decoding of JSON bodies: each field's JSON value back to its declared type.

A message declared as in pyprod 0.2.0 (``class Order(JsonSerialize)``) converts only top-level
dates, times, timestamps, decimals and UUIDs; its nested values come back as JSON gave them
(dicts, lists), exactly as pyprod 0.2.0 hands them over. A dataclass or pydantic message (one that
*declares* its fields) gets its fields back as their annotations say: another message, a
dataclass, a pydantic model, ``list[T]``, ``tuple[T, ...]``, ``set[T]``, ``dict[str, T]``,
``Optional[T]``, an ``Enum``. Python does not enforce annotations, so decoding never refuses a
value of another shape: a value that does not fit its annotation (``"n/a"`` in a ``date`` field, a
list where a ``Line`` is declared) comes back as it was sent. Converters are built once per class.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import sys
import types
import typing
import uuid
from collections.abc import Collection, Iterable, Mapping, MutableMapping, MutableSequence, MutableSet, Sequence, Set
from enum import Enum
from typing import Annotated, Any, Callable, Dict, Optional, TypeVar, Union

from ..api.messages import declares_fields, is_pydantic, own_annotations
from . import timevalues

Convert = Callable[[Any], Any]

_TEXT_TYPES = {"date": datetime.date, "datetime": datetime.datetime, "time": datetime.time,
               "Decimal": decimal.Decimal, "UUID": uuid.UUID}
_LISTS = (list, Sequence, MutableSequence, Iterable, Collection)
_SETS = (set, frozenset, Set, MutableSet)
_DICTS = (dict, Mapping, MutableMapping)
#: ``int | None`` (Python 3.10+)
_UNION_TYPE = vars(types).get("UnionType")

#: builds a message of class ``cls`` from a decoded JSON object (set by runtime.messages)
message_builder: Callable[[Any, Dict[str, Any]], Any] = lambda cls, data: data  # noqa: E731


def converters(cls: Any) -> Dict[str, Convert]:
    """field -> converter of message class ``cls`` for the fields whose JSON value needs one (cached)."""
    cached = cls.__dict__.get("_pyprod_converters")
    if cached is None:
        typed = declares_fields(cls)
        hints = type_hints(cls) if typed else _raw_annotations(cls)
        cached = {}
        for name in getattr(cls, "_pyprod_fields", ()):
            spec = hints.get(name)
            column = _class_attr(cls, name)
            datatype = getattr(column, "datatype", None) if type(column).__name__ == "Column" else None
            if isinstance(datatype, type):
                spec = datatype
            found = converter(spec) if typed else _top_level(spec)
            if found is not None:
                cached[name] = found
        setattr(cls, "_pyprod_converters", cached)
    return cached


def type_hints(cls: type) -> Dict[str, Any]:
    """The annotations of ``cls`` and its bases, forward references resolved where they can be
    (one that cannot stays a string and converts nothing)."""
    try:
        return dict(typing.get_type_hints(cls))
    except Exception:  # a name that does not resolve: resolve field by field
        pass
    merged: Dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        merged.update(own_annotations(klass))
    module = vars(sys.modules[cls.__module__]) if cls.__module__ in sys.modules else {}
    for name, spec in merged.items():
        if isinstance(spec, str):
            try:
                merged[name] = eval(spec, dict(module), dict(vars(cls)))
            except Exception:  # stays a string: no conversion
                continue
    return merged


def _raw_annotations(cls: type) -> Dict[str, Any]:
    merged: Dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        merged.update(own_annotations(klass))
    return merged


def _class_attr(cls: type, name: str) -> Any:
    """What ``cls`` or a base declares as ``name`` (a pydantic message's ``Column`` too)."""
    from ..api.messages import class_member

    return class_member(cls, name)


def _top_level(spec: Any) -> Optional[Convert]:
    """A pyprod-style field: only a (possibly Optional) date, time, timestamp, Decimal or UUID."""
    spec = _strip_optional(spec)
    if isinstance(spec, str):
        spec = _TEXT_TYPES.get(spec.rsplit(".", 1)[-1])
    return _scalar(spec) if isinstance(spec, type) else None


def _strip_optional(spec: Any) -> Any:
    args = typing.get_args(spec)
    if args and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1:
            return rest[0]
    return spec


def _scalar(kind: type) -> Optional[Convert]:
    if kind in (datetime.datetime, datetime.date, datetime.time):
        def parse_time(value: Any) -> Any:
            if type(value) is not str:
                return value
            try:  # not fromisoformat: its accepted forms differ between Python 3.9-3.13
                return timevalues.parse(kind, value)
            except ValueError:
                return value  # not a date: sent as it was, received as it was
        return parse_time
    if kind in (decimal.Decimal, uuid.UUID):
        def parse(value: Any) -> Any:
            if type(value) is not str:
                return value
            try:
                return kind(value)
            except (ValueError, ArithmeticError):
                return value
        return parse
    return None


def converter(spec: Any) -> Optional[Convert]:
    """The converter for a value annotated ``spec`` (None: the JSON value is already right)."""
    if spec is None or spec is Any or isinstance(spec, (str, TypeVar)):
        return None
    origin, args = typing.get_origin(spec), typing.get_args(spec)
    if origin is Annotated:
        return converter(args[0])
    if origin is Union or (_UNION_TYPE is not None and origin is _UNION_TYPE):
        rest = [a for a in args if a is not type(None)]
        return converter(rest[0]) if len(rest) == 1 else None  # a choice of types: left as sent
    if origin is not None:
        return _generic(origin, args)
    if not isinstance(spec, type):
        return None
    if spec in (list, dict) or spec in (str, int, float, bool, bytes):
        return None
    if spec in (tuple, set, frozenset):
        return _sequence(spec, None)
    found = _scalar(spec)
    if found is not None:
        return found
    if issubclass(spec, Enum):
        return _enum(spec)
    if getattr(spec, "_pyprod_serializer", None) == "json" or is_pydantic(spec) or dataclasses.is_dataclass(spec):
        return _object(spec)
    return None


def _generic(origin: Any, args: Any) -> Optional[Convert]:
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return _sequence(tuple, converter(args[0]))
        items = [converter(a) for a in args]
        if not any(items):
            return _sequence(tuple, None)

        def fixed(value: Any) -> Any:
            if type(value) is not list or len(value) != len(items):
                return value
            return tuple(v if c is None else c(v) for c, v in zip(items, value))
        return fixed
    if origin in _SETS:
        return _sequence(frozenset if origin is frozenset else set, converter(args[0]) if args else None)
    if origin in _LISTS:
        item = converter(args[0]) if args else None
        return None if item is None else _sequence(list, item)
    if origin in _DICTS and len(args) == 2:
        key, item = _key(args[0]), converter(args[1])
        if key is None and item is None:
            return None

        def mapping(value: Any) -> Any:
            if type(value) is not dict:
                return value
            return {(k if key is None else key(k)): (v if item is None or v is None else item(v))
                    for k, v in value.items()}
        return mapping
    return None


def _key(spec: Any) -> Optional[Convert]:
    """JSON object keys are text: an ``int`` or an enum key converts back."""
    if spec is int:
        def to_int(text: Any) -> Any:
            try:
                return int(text)
            except ValueError:
                return text
        return to_int
    if isinstance(spec, type) and spec is not str:
        return converter(spec)
    return None


def _sequence(kind: type, item: Optional[Convert]) -> Convert:
    def sequence(value: Any) -> Any:
        if type(value) is not list:
            return value
        items = value if item is None else [v if v is None else item(v) for v in value]
        if kind is list:
            return items
        try:
            return kind(items)
        except TypeError:  # unhashable items in a set: left a list
            return items
    return sequence


def _enum(kind: Any) -> Convert:
    def member(value: Any) -> Any:
        try:
            return kind(value)
        except (ValueError, TypeError):
            return value
    return member


def _object(kind: Any) -> Convert:
    """A nested message, dataclass or pydantic model from its JSON object."""
    if is_pydantic(kind):
        def model(value: Any) -> Any:
            return kind.model_validate(value) if type(value) is dict else value
        return model
    if getattr(kind, "_pyprod_serializer", None) == "json":
        def message(value: Any) -> Any:
            return message_builder(kind, value) if type(value) is dict else value
        return message

    def instance(value: Any) -> Any:
        return dataclass_from(kind, value) if type(value) is dict else value
    return instance


def dataclass_from(kind: Any, data: Dict[str, Any]) -> Any:
    """An instance of (non-message) dataclass ``kind`` from its JSON object, built as a received
    message is (no ``__init__``, no ``__post_init__``): a missing field takes its default or
    ``default_factory()``; keys that are no field are left out."""
    found = kind.__new__(kind)
    convert = _dataclass_converters(kind)
    for item in dataclasses.fields(kind):
        name = item.name
        if name in data:
            value = data[name]
            step = convert.get(name)
            if step is not None and value is not None:
                value = step(value)
        elif item.default_factory is not dataclasses.MISSING:
            value = item.default_factory()
        elif item.default is not dataclasses.MISSING:
            value = item.default
        else:
            value = None
        object.__setattr__(found, name, value)
    return found


def _dataclass_converters(kind: Any) -> Dict[str, Convert]:
    cached = kind.__dict__.get("_pyprod_converters")
    if cached is None:
        hints = type_hints(kind)
        cached = {}
        for item in dataclasses.fields(kind):
            found = converter(hints.get(item.name, item.type))
            if found is not None:
                cached[item.name] = found
        try:
            setattr(kind, "_pyprod_converters", cached)
        except (AttributeError, TypeError):  # a class that takes no attributes: built each time
            pass
    return cached
