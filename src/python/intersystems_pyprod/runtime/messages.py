"""Python messages <-> IRIS message objects.

A JSON message travels as JSON text in the ``JsonBody`` character stream, a pickle message as
its pickle in the ``PickleBody`` binary stream, written as Python ``bytes`` and read back as
``bytes`` through ``PyProd.PickleMessage.PickleChunk`` (``%SYS.Python.Bytes``); ``Column``
fields are mirrored to properties. Every string that crosses into IRIS is at most ``streams.CHUNK``
characters (bytes), far below MAXSTRING.
"""

from __future__ import annotations

import dataclasses
import importlib
from typing import Any, Dict, List, Optional, Tuple

from ..api import engine
from ..api.fields import Column
from ..api.messages import ProductionMessage, field_default, own_annotations
from ..model import datatypes
from ..model.packages import iris_class_name
from ..naming import iris_name
from . import (
    bodies,
    fieldsync,
    gcpause,
    identity,
    irisapi,
    pickle_policy,
    sealing,
    streams,
    typed,
    unpickler,
    values,
)
from .jsontext import MessageError, to_json

_registry: Dict[str, type] = {}


def register(cls: type) -> str:
    """Make ``cls`` known under its IRIS class name; returns that name."""
    name = cls.__dict__.get("_pyprod_iris_name")
    if name is None:
        name = iris_class_name(cls)
        setattr(cls, "_pyprod_iris_name", name)
    _registry[name.lower()] = cls
    pickle_policy.allow_module(cls.__module__)
    return name


def forget_modules(names: List[str]) -> None:
    """Drop the registered message classes of these modules (a new version replaced their code)."""
    gone = set(names)
    for key in [k for k, cls in _registry.items() if cls.__module__ in gone]:
        del _registry[key]


def allow_module(name: str) -> None:
    """Classes of module ``name`` (a user module) may be unpickled."""
    pickle_policy.allow_module(name)


def python_class(iris_name: str) -> Optional[type]:
    """The Python message class for an IRIS class name, importing it through PYMODULE/PYCLASS."""
    cls = _registry.get(iris_name.lower())
    if cls is not None:
        return cls
    api = irisapi.get()
    try:
        module_name = api.cls(iris_name)._GetParameter("PYMODULE")
        class_name = api.cls(iris_name)._GetParameter("PYCLASS")
    except Exception:  # not a PyProd message class: ObjectScript messages pass through as they are
        return None
    if not module_name or not class_name:
        return None
    found = getattr(importlib.import_module(module_name), class_name, None)
    if isinstance(found, type) and issubclass(found, ProductionMessage):
        register(found)
        return found
    return None


def _columns(cls: type) -> List[Tuple[str, str, Optional[type]]]:
    """(field, IRIS property, Python type) of every Column field of ``cls`` (cached)."""
    cached = cls.__dict__.get("_pyprod_columns")
    if cached is None:
        annotations: Dict[str, Any] = {}
        for klass in reversed(cls.__mro__):
            annotations.update(own_annotations(klass))
        cached = []
        for name in cls._pyprod_fields:  # type: ignore[attr-defined]
            column = _class_attr(cls, name)
            if isinstance(column, Column):
                spec = datatypes.declared_type(column.datatype, annotations.get(name), column.default)
                itype = datatypes.iris_type(spec, f"column {cls.__name__}.{name}", column.where)
                cached.append((name, iris_name(name), values.python_type(itype)))
        setattr(cls, "_pyprod_columns", cached)
    return cached


def _class_attr(cls: type, name: str) -> Any:
    """What ``cls`` or a base declares as ``name`` (a pydantic message's ``Column`` too)."""
    from ..api.messages import class_member

    return class_member(cls, name)


def from_json(cls: Any, text: str) -> ProductionMessage:
    """Rebuild a message from its JSON body (missing fields take their defaults)."""
    return _from_data(cls, bodies.decode(text))


def _from_data(cls: Any, data: Dict[str, Any], nested: bool = False) -> ProductionMessage:
    """The message of a decoded JSON body: each field converted back to its declared type
    (:mod:`.typed`); a missing field takes its default (a top-level dataclass field that declares
    none is an error naming it). A pydantic message is validated."""
    if cls._pyprod_model:
        return _validated(cls, data)
    converters = typed.converters(cls)
    message: ProductionMessage = cls.__new__(cls)
    store = message.__dict__
    for name in cls._pyprod_fields:
        if name in data:
            value = data[name]
            convert = converters.get(name)
            if convert is not None and value is not None:
                try:
                    value = convert(value)
                except (ValueError, TypeError, ArithmeticError, RecursionError) as exc:
                    raise bodies.BodyError(f"field {name} of {cls.__name__}: {exc}") from None
            store[name] = value
        elif not nested and _required(cls, name):
            raise bodies.BodyError(f"field {name} is missing from the body and {cls.__name__} declares no default "
                                   f"for it (a field added after the message was stored?); give it a default "
                                   f"({name}: ... = <value> or field(default_factory=...))")
        else:
            store[name] = field_default(cls, name)
    return message


def _required(cls: Any, name: str) -> bool:
    """True when dataclass field ``name`` of ``cls`` has neither a default nor a default factory."""
    found = (getattr(cls, "__dataclass_fields__", None) or {}).get(name)
    return found is not None and found.init and found.default is dataclasses.MISSING \
        and found.default_factory is dataclasses.MISSING


typed.message_builder = lambda cls, data: _from_data(cls, data, nested=True)


def _validated(cls: Any, data: Dict[str, Any]) -> Any:
    """A pydantic message from its decoded body; a validation failure names each field."""
    try:
        return cls.model_validate(data)
    except ValueError as exc:
        errors = getattr(exc, "errors", None)
        if not callable(errors):
            raise
        found = "; ".join(f"field {'.'.join(str(p) for p in e.get('loc', ())) or cls.__name__}: {e.get('msg')}"
                          f" (value {str(e.get('input'))[:80]!r})" for e in errors())
        raise bodies.BodyError(f"{cls.__name__} fails validation: {found}") from None


def from_pickle(data: Any) -> Any:
    """Unpickle a message body: the C unpickler if this namespace sealed it, else the closed
    unpickler (see :mod:`.sealing` and :mod:`.pickle_policy`)."""
    return sealing.loads(data)


def to_iris(message: Any) -> Any:
    """The IRIS message object for ``message`` (other values are returned unchanged).

    A message read from IRIS in the running callback keeps its body (:mod:`.identity`): unchanged,
    it is the very object it was read from; changed, it is a new body, except the process's
    response (passed by reference), whose own body is rewritten and saved."""
    if not isinstance(message, ProductionMessage):
        return message
    cls = type(message)
    name = cls.__dict__.get("_pyprod_iris_name") or register(cls)
    found = identity.origin(message)
    if cls._pyprod_serializer == "pickle":
        pieces, size = streams.pickle_pieces(message)
        body: Any = (pieces, size)
        fingerprint = identity.of_bytes(pieces) if found is not None else None
    else:
        body = to_json(message)
        fingerprint = identity.of_text(body) if found is not None else None
    if found is not None and found.fingerprint == fingerprint:
        return found.obj
    if found is not None and found.by_reference:
        obj = found.obj
        _write_body(obj, message, body, reuse=True)
        found.fingerprint = fingerprint
        _save_if_stored(obj)
        return obj
    obj = irisapi.get().cls(name)._New()
    _write_body(obj, message, body, reuse=False)
    return obj


def _write_body(obj: Any, message: Any, body: Any, reuse: bool) -> None:
    """Write ``message``'s body (``(pieces, size)`` of a pickle, or JSON text) and the columns into ``obj``;
    with ``reuse``, into the body stream ``obj`` has, emptied first."""
    api, cls = irisapi.get(), type(message)
    if cls._pyprod_serializer == "pickle":
        stream = obj.PickleBody if reuse else api.cls("%Stream.GlobalBinary")._New()
        if reuse:
            stream.Clear()
        # bytes: one 8-bit character each in IRIS
        streams.write_pickle(stream, message, sealing.trailer, pickled=body)
        if not reuse:
            obj.PickleBody = stream
        for field, prop, kind in _columns(cls):
            setattr(obj, prop, values.to_iris(getattr(message, field, None), kind))
        return
    written = fieldsync.forms(message)
    held = fieldsync.write(obj, message, written)  # JsonFields records the properties it took
    opener = getattr(obj, "JsonOpen", None)
    if opener is not None:  # the body stream is private: PyProd.JsonMessage hands it over, emptied
        streams.write(opener(fieldsync.marker(cls, written, held), int(reuse)), body)
    else:  # a class compiled before JsonOpen existed
        stream = obj.JsonBody if reuse else api.cls("%Stream.GlobalCharacter")._New()
        if reuse:
            stream.Clear()
        streams.write(stream, body)
        if not reuse:
            obj.JsonBody = stream


def _save_if_stored(obj: Any) -> None:
    """Save a rewritten body that IRIS has stored already (one not yet stored is saved with the
    header or the process that holds it)."""
    try:
        stored = obj._Id()
    except Exception:  # not a persistent object
        return
    if stored not in (None, ""):
        status, current = obj._Save(), engine.current()
        if current.is_error(status):
            raise MessageError(f"the response body {obj._ClassName(1)} (ID {stored}) could not be saved: "
                               f"{current.status_text(status)}")


def message_or_none(obj: Any) -> Any:
    """A message slot (request, response): IRIS's empty value means no message."""
    return None if obj is None or obj == "" else from_iris(obj)


def to_iris_or_empty(value: Any) -> Any:
    """Output handed back to ObjectScript: no output is the empty string, never Python None."""
    return "" if value is None else to_iris(value)


def from_iris(obj: Any) -> Any:
    """The Python message for an IRIS message object; anything else is returned unchanged."""
    if obj is None or isinstance(obj, (ProductionMessage, str, bytes, int, float)):
        return obj
    class_name = getattr(obj, "_ClassName", None)
    if class_name is None:
        return obj
    cls = python_class(class_name(1))
    if cls is None:
        return obj
    try:
        found = _from_body(cls, obj)
    except Exception as exc:  # a body that cannot be read: name the class, the ID and the cause
        raise bodies.BodyError(f"message {class_name(1)}{_id_of(obj)} has a body that cannot be read: "
                               f"{type(exc).__name__}: {exc}") from None
    if found is not None:
        identity.remember(found[0], obj, found[1])
        return found[0]
    # created in IRIS (e.g. the testing page, a DTL): rebuild from its properties
    model = getattr(cls, "_pyprod_model", False)
    message = cls.model_construct() if model else cls()  # type: ignore[attr-defined]
    if getattr(cls, "_pyprod_serializer", "") == "json":
        try:
            fieldsync.from_properties(obj, message)
            if model:
                message = _validated(cls, dict(message.__dict__))
        except bodies.BodyError as exc:
            raise bodies.BodyError(f"message {class_name(1)}{_id_of(obj)}: {exc}") from None
        return message
    for field, prop, kind in _columns(cls):
        value = getattr(obj, prop, None)
        if value not in (None, ""):
            message.__dict__[field] = values.to_python(value, kind)
    return message


def _from_body(cls: Any, obj: Any) -> Any:
    """(the message in ``obj``'s body, the body's fingerprint), or None when the body is empty."""
    if cls._pyprod_serializer == "pickle":
        data = streams.read_pickle(obj)
        if not data:
            return None
        if len(data) > unpickler.MAX_PICKLE_BYTES:
            raise bodies.BodyError(f"the pickle is {len(data)} bytes; the limit is {unpickler.MAX_PICKLE_BYTES}")
        found = gcpause.decode(len(data), from_pickle, data)
        if not isinstance(found, cls):
            raise bodies.BodyError(f"the pickle holds a {type(found).__name__}, not a {cls.__name__}")
        return found, (_pickle_fingerprint(data) if identity.recording() else None)
    text = streams.read_json(obj)
    if not text:
        return None
    message, differs = read_json(cls, obj, text)
    if differs:  # ObjectScript changed a property, or a field was retyped: the stored body is not what Python reads
        return message, None
    return message, (identity.of_text(text) if identity.recording() else None)


def read_json(cls: Any, obj: Any, text: str) -> Tuple[Any, bool]:
    """(the message Python reads from ``obj`` whose stored JSON body is ``text``, whether its
    property-held values differ from the body's: a property ObjectScript changed wins, a field
    retyped since the row was stored is converted; see :mod:`.fieldsync`)."""
    decoded = gcpause.decode(len(text), bodies.decode, text)
    held = fieldsync.props(cls)
    if not held:
        return _from_data(cls, decoded), False
    marks = fieldsync.marks(obj)
    current = fieldsync.current(cls, marks)  # every field written under today's type: none retyped
    before = None if current else [decoded.get(p.field) for p in held]
    if not current:
        fieldsync.settle(obj, cls, decoded)  # fields retyped since the row was stored
    message = _from_data(cls, decoded)
    changed = fieldsync.reconcile(obj, message, decoded, marks)
    if changed and cls._pyprod_model:  # what ObjectScript changed passes the model's validation too
        message = _validated(cls, dict(message.__dict__))
    if changed or (before is not None and any(decoded.get(p.field) is not b for p, b in zip(held, before))):
        return message, True
    if cls._pyprod_model and not current:  # a retyped value pydantic coerced ("12.0" in a field now int reads 12)
        return message, any(p.field in decoded and fieldsync.coerced(decoded[p.field], message.__dict__.get(p.field), p)
                            for p in held)
    return message, False


def _pickle_fingerprint(data: bytes) -> Any:
    """The fingerprint of the pickle in a body, its seal (if any) left out: what :func:`to_iris`
    compares with the pickle it makes."""
    size = len(data) - sealing.TRAILER_BYTES
    sealed = size > 0 and data.startswith(sealing.MARK, size)
    return identity.of_bytes([data[:size] if sealed else data])


def _id_of(obj: Any) -> str:
    """`` (ID 12)`` when the IRIS object has been saved, else nothing."""
    try:
        ident = obj._Id()
    except Exception:  # not saved, or not a persistent object
        return ""
    return f" (ID {ident})" if ident not in (None, "") else ""


def rewrite(obj: Any, message: Any) -> None:
    """Write ``message`` into the IRIS object ``obj`` (its body emptied first, properties set), as
    a send writes it: what ``SetValueAt`` changed is what Python reads next."""
    write_json(obj, message, to_json(message))


def write_json(obj: Any, message: Any, body: str) -> None:
    """Write JSON ``body`` of ``message`` into ``obj`` in place of its body, properties set."""
    _write_body(obj, message, body, reuse=True)
