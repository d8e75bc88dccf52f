"""Which fields of a JSON message are IRIS properties, under which names and types.

One rule, used by class generation and by the runtime alike: every ``Column`` field (pyprod
0.2.0's PascalCase property, with its index), and, in a dataclass message, every other field whose
declared type is a scalar with an IRIS data type (a message declared as in pyprod 0.2.0 keeps
pyprod's members). A non-``Column`` field whose IRIS name would be invalid or would
clash with a ``Column``, an index or a member of the base classes stays in the body only (the
model warns); ``Column`` names are checked, and refused, by the message model as before.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
from typing import Any, Dict, List, Optional, Tuple

from .. import naming
from ..api.fields import Column
from ..api.messages import declares_fields as _declares_fields
from ..api.messages import own_annotations
from ..errors import PyProdError
from . import datatypes
from .types import IrisType

#: Members of PyProd.Message, PyProd.JsonMessage and PyProd.PickleMessage a field cannot be named.
PYPROD_MEMBERS = ("PYMODULE", "PYCLASS", "PYVIEWER", "JsonBody", "JsonChunk", "JsonFields", "JsonOpen",
                  "JsonFieldList", "GetValueAt", "SetValueAt", "PickleBody", "PickleChunk", "PyObject",
                  "ShowFailure")
#: Public members of Ens.Request / Ens.MessageBody / %Persistent a property would override.
ENS_MEMBERS = ("NewResponse", "CheckResponse", "GetNextIndex", "CopyValues", "GetValuesArray",
               "DocType", "Source")
#: The IRIS data types whose values the runtime converts (a field of another type is body-only).
_SCALAR_DEFAULTS = (str, int, float, bool, decimal.Decimal, datetime.date, datetime.datetime, datetime.time)
_SCALAR_TYPES = ("%String", "%VarString", "%Library.String", "%Library.VarString", "%Integer", "%Double",
                 "%Boolean", "%Numeric", "%Date", "%TimeStamp", "%Time")


@dataclasses.dataclass(frozen=True)
class FieldProperty:
    """A message field held in an IRIS property."""

    field: str
    iris_name: str
    iris_type: IrisType
    #: a ``Column`` (pyprod 0.2.0 names, index, checked default)
    column: bool
    index: bool = False
    sql_name: Optional[str] = None


def _class_attr(cls: type, name: str) -> Any:
    """What ``cls`` or a base declares as ``name`` (a pydantic message's ``Column`` too)."""
    from ..api.messages import class_member

    return class_member(cls, name)


def _annotations(cls: type) -> Dict[str, Any]:
    merged: Dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        merged.update(own_annotations(klass))
    return merged


def scalar_type(annotation: Any, default: Any) -> Optional[IrisType]:
    """The IRIS type of a non-``Column`` field, or None when it is not a scalar with one."""
    if annotation is None:
        if default is None or type(default) not in _SCALAR_DEFAULTS:
            return None
        spec: Any = type(default)
    else:
        spec = annotation
        if isinstance(spec, str) and "." in spec and not spec.startswith(("%", "datetime.")):
            return None  # a dotted annotation names a Python class, not an IRIS type
    if not datatypes.is_known(spec):
        return None
    itype = datatypes.iris_type(spec, "", None)
    return itype if itype.name in _SCALAR_TYPES else None


def declares_fields(cls: type) -> bool:
    """True when every scalar field of ``cls`` becomes a property: a dataclass message
    (``@dataclass class Order(JsonSerialize)``) or a pydantic one. A message declared as in pyprod 0.2.0 keeps
    pyprod's properties (its ``Column`` fields), so its class has the same members as there; its
    other fields are reached as ``{path}`` in rules and DTL. A pydantic message declares its
    fields too."""
    return _declares_fields(cls)


def field_properties(cls: type) -> Tuple[Tuple[FieldProperty, ...], Tuple[Tuple[str, str], ...]]:
    """(the field properties of JSON message ``cls`` in field order, (field, why it has none) for
    scalar fields left in the body). Cached on the class."""
    cached = cls.__dict__.get("_pyprod_field_properties")
    if cached is not None:
        return cached
    annotations = _annotations(cls)
    fields = getattr(cls, "_pyprod_fields", ())
    taken: Dict[str, str] = {n.lower(): "a member of the PyProd message base classes" for n in PYPROD_MEMBERS}
    taken.update({n.lower(): "a member of Ens.Request" for n in ENS_MEMBERS})
    found: List[FieldProperty] = []
    columns = [(name, _class_attr(cls, name)) for name in fields]
    for name, column in columns:
        if isinstance(column, Column):
            iris = naming.iris_name(name)
            spec = datatypes.declared_type(column.datatype, annotations.get(name), column.default)
            itype = datatypes.iris_type(spec, name, None)
            found.append(FieldProperty(name, iris, itype, True, column.index, naming.sql_safe_name(iris, "Col")))
            taken[iris.lower()] = f"Column {name}"
            if column.index:
                taken[(iris + "IDX").lower()] = f"the index of Column {name}"
    skipped: List[Tuple[str, str]] = []
    for name, value in columns if declares_fields(cls) else ():
        if isinstance(value, Column):
            continue
        scalar = scalar_type(annotations.get(name), value)
        if scalar is None:
            continue
        try:
            iris = naming.member_name(name, "field")
        except PyProdError as exc:
            skipped.append((name, str(exc)))
            continue
        if iris.lower() in taken:
            skipped.append((name, f"its IRIS name {iris!r} is taken by {taken[iris.lower()]}"))
            continue
        taken[iris.lower()] = f"field {name}"
        found.append(FieldProperty(name, iris, scalar, False, False, naming.sql_safe_name(iris, "Col")))
    order = {name: i for i, name in enumerate(fields)}
    found.sort(key=lambda p: order[p.field])
    result = (tuple(found), tuple(skipped))
    setattr(cls, "_pyprod_field_properties", result)
    return result


__all__ = ["ENS_MEMBERS", "PYPROD_MEMBERS", "FieldProperty", "declares_fields", "field_properties", "scalar_type"]
