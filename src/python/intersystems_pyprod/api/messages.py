"""Persistent messages: ``ProductionMessage``, ``JsonSerialize`` and ``PickleSerialize``.

Every name a message class body declares is a field, in source order: annotated names
(``amount: float``, ``amount: float = 0.0``), plain assignments (``status = "new"``) and
``Column`` attributes (``order_id = Column(index=True)``); the fields a class declares itself
come first, then those of its base message classes (nearest base first), so positional arguments
bind to a subclass's own fields first, as in pyprod 0.2.0. Methods, nested classes, descriptors,
``ClassVar`` names, dunder names and ``iris_package_name`` are not fields. Construction takes the
fields positionally in that order or by keyword; missing fields take their class-level default or
``None``. Messages compare and hash by identity, as pyprod 0.2.0's do: two messages with equal
fields are two messages.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import inspect
from typing import Any, ClassVar, Dict, List, MutableMapping, Optional, Tuple

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


class _Annotations(Dict[str, Any]):
    """The ``__annotations__`` of a class body being executed: records each name's position."""

    def __init__(self, order: Dict[str, None], initial: Dict[str, Any]) -> None:
        super().__init__(initial)
        self._order = order

    def __setitem__(self, key: str, value: Any) -> None:
        self._order.setdefault(key, None)
        super().__setitem__(key, value)


class _BodyNamespace(Dict[str, Any]):
    """The namespace of a message class body: records the order in which names are first
    assigned or annotated (an annotation without a value is never assigned)."""

    def __init__(self) -> None:
        super().__init__()
        self.order: Dict[str, None] = {}

    def __setitem__(self, key: str, value: Any) -> None:
        if key == "__annotations__" and type(value) is dict:
            value = _Annotations(self.order, value)
        else:
            self.order.setdefault(key, None)
        super().__setitem__(key, value)


class _MessageMeta(type):
    """Keeps the source order of a message class body (``_pyprod_body_order``)."""

    @classmethod
    def __prepare__(mcs, name: str, bases: Tuple[type, ...], /, **kwargs: Any) -> MutableMapping[str, object]:
        return _BodyNamespace()

    def __new__(mcs, name: str, bases: Tuple[type, ...], namespace: Dict[str, Any], **kwargs: Any) -> Any:
        order = tuple(namespace.order) if isinstance(namespace, _BodyNamespace) else tuple(namespace)
        plain = dict(namespace)
        if isinstance(plain.get("__annotations__"), _Annotations):
            plain["__annotations__"] = dict(plain["__annotations__"])
        plain["_pyprod_body_order"] = order
        return type.__new__(mcs, name, bases, plain, **kwargs)

    def __setattr__(cls, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name == "__dataclass_fields__" and cls.__dict__.get("_pyprod_fields") is not None:
            # ``@dataclass`` on a message: it sets its fields before it writes ``__init__``
            _adopt_dataclass(cls, value)


def _adopt_dataclass(cls: Any, declared: Dict[str, Any]) -> None:
    """A ``@dataclass`` message: its fields in the dataclass's order (base classes' first), then
    the other fields (an unannotated ``Column``); a ``Column`` that is a dataclass field's value
    gives the field its default (``order_id: str = Column(index=True)`` defaults to ``None``)."""
    for found in declared.values():
        column = found.default
        if isinstance(column, Column):
            if isinstance(column.default, _MUTABLE):
                found.default = dataclasses.MISSING
                found.default_factory = functools.partial(copy.copy, column.default)
            else:
                found.default = column.default
    cls._pyprod_fields = _ordered_fields(cls, cls._pyprod_fields)


def _ordered_fields(cls: type, fields: Tuple[str, ...]) -> Tuple[str, ...]:
    """``fields`` of a dataclass message in the dataclass's order; unchanged for other messages."""
    declared = getattr(cls, "__dataclass_fields__", None)
    if not declared:
        return fields
    first = tuple(f.name for f in dataclasses.fields(cls))
    return first + tuple(n for n in fields if n not in declared)


_NOT_FIELDS = frozenset({"iris_package_name"})


def _own_fields(cls: type) -> Tuple[str, ...]:
    """The fields ``cls``'s own body declares, in source order."""
    annotations = own_annotations(cls)
    order = list(cls.__dict__.get("_pyprod_body_order", ()))
    seen = set(order)
    # Annotations that a lazily evaluated body (Python 3.14+) did not record go before the next
    # recorded annotated name, keeping the annotation order.
    missing = [n for n in annotations if n not in seen]
    if missing:
        merged: List[str] = []
        pending = list(annotations)
        for name in order:
            if name in annotations:
                while pending and pending[0] != name:
                    merged.append(pending.pop(0))
                if pending:
                    pending.pop(0)
            merged.append(name)
        order = merged + [n for n in pending if n not in merged]
    fields = []
    for name in order:
        if (name.startswith("__") and name.endswith("__")) or name.startswith("_pyprod_") or name in _NOT_FIELDS:
            continue
        if name in annotations and _is_classvar(annotations[name]):
            continue
        if name in cls.__dict__:
            value = cls.__dict__[name]
            if isinstance(value, type) or (not isinstance(value, Column) and hasattr(type(value), "__get__")):
                continue  # methods, properties, nested classes: behaviour, not data
        elif name not in annotations:
            continue
        fields.append(name)
    return tuple(fields)


def _is_classvar(annotation: Any) -> bool:
    text = annotation if isinstance(annotation, str) else repr(annotation)
    return "ClassVar" in text


class ProductionMessage(metaclass=_MessageMeta):
    """Base of all messages; subclass ``JsonSerialize`` or ``PickleSerialize`` instead.

    Every name a message class body declares is a field, in source order: annotated names,
    plain assignments and ``Column`` attributes; a subclass's own fields come first, then its
    bases'. Methods, properties, nested classes, ``ClassVar`` names, dunder names and
    ``iris_package_name`` are not fields. A message is also a ``@dataclass`` or a pydantic
    model when declared as one; then those fields and their order are the dataclass's or
    pydantic's.

    Args:
        *args: Field values in field order.
        **kwargs: Field values by name. A missing field takes its default, or ``None``; a name
            that is not a field is a ``TypeError``.

    Examples:
        ```python
        from intersystems_pyprod import JsonSerialize

        class Order(JsonSerialize):
            order_id: int
            customer: str
            status = "new"

        Order(7, "ACME")                       # Order(order_id=7, customer='ACME', status='new')
        Order(order_id=7, customer="ACME")     # the same fields, by keyword
        ```
    """

    _pyprod_kind: ClassVar[str] = ""
    _pyprod_serializer: ClassVar[str] = ""
    _pyprod_fields: ClassVar[Tuple[str, ...]] = ()
    _pyprod_where: ClassVar[Optional[Location]] = None
    #: a pydantic message (``class Order(JsonSerialize, BaseModel)``), see :mod:`.models`
    _pyprod_model: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._pyprod_where = caller_location()
        if cls.__module__ == __name__:
            return  # the library's own base classes have no fields
        fields: Tuple[str, ...] = ()
        for klass in cls.__mro__:
            if issubclass(klass, ProductionMessage) and klass.__module__ != __name__:
                fields += tuple(n for n in _own_fields(klass) if n not in fields)
        cls._pyprod_fields = _ordered_fields(cls, fields)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """A pydantic message (called by pydantic once the class is complete): its fields are
        pydantic's, in pydantic's order (base classes' first)."""
        cls._pyprod_fields = tuple(getattr(cls, "__pydantic_fields__", {}))
        cls._pyprod_model = True

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

    def __repr__(self) -> str:
        body = ", ".join(f"{n}={getattr(self, n, None)!r}" for n in self._pyprod_fields)
        return f"{type(self).__name__}({body})"


def _model_field_default(cls: Any, name: str) -> Tuple[bool, Any]:
    """(True, the default of pydantic field ``name``) or (False, None) when it is no such field;
    a required field's default is None."""
    fields = getattr(cls, "__pydantic_fields__", None) if cls.__dict__.get("_pyprod_model") else None
    info = fields.get(name) if fields else None
    if info is None:
        return False, None
    if info.is_required():
        return True, None
    return True, info.get_default(call_default_factory=True)


def field_default(cls: type, name: str) -> Any:
    """The default of field ``name``: a dataclass field's ``default_factory()`` or default, a
    ``Column`` default, a class-level value, or ``None``."""
    if getattr(cls, "_pyprod_model", False):
        known, value = _model_field_default(cls, name)
        if known:
            return value
    declared = getattr(cls, "__dataclass_fields__", None)
    found = declared.get(name) if declared else None
    if found is not None:
        if found.default_factory is not dataclasses.MISSING:
            return found.default_factory()
        if found.default is not dataclasses.MISSING:
            return copy.copy(found.default) if isinstance(found.default, _MUTABLE) else found.default
    for klass in cls.__mro__:
        if name in klass.__dict__:
            value = klass.__dict__[name]
            if isinstance(value, Column):
                value = value.default
            return copy.copy(value) if isinstance(value, _MUTABLE) else value
    return None


def class_member(cls: type, name: str) -> Any:
    """What ``cls`` (or the nearest base) declares as ``name``: a class attribute, or the
    ``Column`` a pydantic message field was declared with; None when nothing."""
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass.__dict__[name]
        columns = klass.__dict__.get("_pyprod_model_columns")
        if columns and name in columns:
            return columns[name]
    return None


def is_pydantic(cls: Any) -> bool:
    """``cls`` is a pydantic (v2) model class (pydantic itself is never imported here)."""
    return isinstance(cls, type) and hasattr(cls, "model_validate") and \
        any("__pydantic_fields__" in klass.__dict__ for klass in cls.__mro__)


def declares_fields(cls: type) -> bool:
    """A dataclass or pydantic message: its annotations declare its fields and their types."""
    return dataclasses.is_dataclass(cls) or is_pydantic(cls)


class JsonSerialize(ProductionMessage):
    """A message whose body is stored as JSON (readable in the message viewer and by SQL).

    Becomes a class extending ``PyProd.JsonMessage`` (an ``Ens.Request``). Prefer it to
    ``PickleSerialize``: the body is data only, readable from ObjectScript and by people. A
    value JSON cannot hold (a complex number, an object of your own class) is refused when the
    message is sent, naming the field. Construction is as for
    [`ProductionMessage`][intersystems_pyprod.ProductionMessage].

    Examples:
        ```python
        from dataclasses import dataclass, field

        from intersystems_pyprod import Column, JsonSerialize

        class Greeting(JsonSerialize):             # declared as in pyprod 0.2.0
            text: str

        @dataclass
        class Order(JsonSerialize):                # or as a dataclass
            order_id: int = Column(0, int, index=True)
            amount: float = 0.0
            lines: list = field(default_factory=list)
        ```
    """

    _pyprod_kind = "Message"
    _pyprod_serializer = "json"


class PickleSerialize(ProductionMessage):
    """A message whose body is a Python pickle: any picklable value, readable only by Python.

    Becomes a class extending ``PyProd.PickleMessage`` (an ``Ens.Request``). Use it for values
    JSON cannot carry; the body is opaque to ObjectScript, rules and SQL (a ``Column`` is still
    a real property). It is read back by a closed unpickler that rebuilds only the classes of
    your project's modules and the standard value types. Construction is as for
    [`ProductionMessage`][intersystems_pyprod.ProductionMessage].

    Examples:
        ```python
        from intersystems_pyprod import Column, PickleSerialize

        class Batch(PickleSerialize):
            batch_id = Column(0, int, index=True)
            rows: list
            totals: dict
        ```
    """

    _pyprod_kind = "Message"
    _pyprod_serializer = "pickle"

