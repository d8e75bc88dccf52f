"""The model of a message class: its ``Column`` fields and SQL table name."""

from __future__ import annotations

import dataclasses
from typing import Any, List, Optional, Set

from .. import naming
from ..api.fields import Column
from ..api.messages import field_default
from ..errors import PyProdError, PyProdWarning
from . import datatypes, fieldprops
from .classes import Context, annotations_of, class_attr, text, where_of
from .types import ClassModel, ColumnModel

MESSAGE_RESERVED = fieldprops.PYPROD_MEMBERS + fieldprops.ENS_MEMBERS


def message_model(ctx: Context, cls: type, common: ClassModel, parent: Optional[type]) -> ClassModel:
    """``common`` completed with the columns of message class ``cls`` (``parent``: the user
    message class whose IRIS class it extends)."""
    where = where_of(cls)
    annotations = annotations_of(cls)
    members = naming.ClashChecker(f"field of {cls.__name__}")
    members.reserve(MESSAGE_RESERVED, "the PyProd message base class")
    columns = []
    inherited = _inherited_names(cls, parent)
    for name in getattr(cls, "_pyprod_fields", ()):
        column = class_attr(cls, name)
        if not isinstance(column, Column) or name in inherited:
            continue
        cwhere = where_of(column) or where
        what = f"column {cls.__name__}.{name}"
        iris_name = naming.member_name(name, "column", cwhere)
        members.add(iris_name, f"{cls.__name__}.{name}", cwhere)
        if column.index:
            members.add(iris_name + "IDX", f"the index of {cls.__name__}.{name}", cwhere)
        for keyword in column.extra:
            ctx.warnings.append(PyProdWarning(
                f"{what}: Column keyword {keyword!r} has no effect on the IRIS class", cwhere))
        spec = datatypes.declared_type(column.datatype, annotations.get(name), column.default)
        if common.kind == "JsonMessage" and (_is_set(spec) or isinstance(column.default, (set, frozenset))):
            raise PyProdError(f"{what} holds a set, which a JSON message body cannot carry (JSON has no sets)",
                              where=cwhere, fix="use a list (and sorted(...) when filling it), or make the "
                                                "message a PickleSerialize")
        itype = ctx.iris_type(spec, what, cwhere)
        datatypes.check_default(column.default, itype, what, cwhere)
        columns.append(ColumnModel(name, iris_name, itype, column.default, text(column.description, what, cwhere),
                                   column.index, naming.sql_safe_name(iris_name, "Col")))
    if common.kind == "JsonMessage":
        columns += _field_columns(ctx, cls, inherited, where)
    if common.kind == "PickleMessage":
        ctx.warnings.append(PyProdWarning(
            f"{cls.__name__} is a pickle message: its body is readable only by Python, and only message "
            "classes of your scripts and standard types can be unpickled", where))
    short = common.iris_name.rsplit(".", 1)[1]
    return dataclasses.replace(common, columns=tuple(columns), sql_table=naming.sql_safe_name(short, "Table"))


def _field_columns(ctx: Context, cls: type, inherited: Set[str], where: Any) -> List[ColumnModel]:
    """The scalar fields of JSON message ``cls`` (other than Columns) held in properties; a scalar
    field left in the body is a warning naming the reason."""
    props, skipped = fieldprops.field_properties(cls)
    for name, why in skipped:
        if name not in inherited:
            ctx.warnings.append(PyProdWarning(
                f"field {cls.__name__}.{name} stays in the JSON body only ({why}): rules and DTL reach it "
                f"as {{{name}}}, SQL and the message viewer's search do not", where))
    found = []
    for prop in props:
        if prop.column or prop.field in inherited:
            continue
        default = field_default(cls, prop.field)
        try:
            datatypes.check_default(default, prop.iris_type, "", None)
        except PyProdError:
            default = None  # a default the property cannot hold stays in the body
        found.append(ColumnModel(prop.field, prop.iris_name, prop.iris_type, default, "", False, prop.sql_name,
                                 column=False))
    return found


def _is_set(spec: object) -> bool:
    """True for ``set``, ``frozenset``, ``Set[...]`` and their names written as text."""
    if spec in (set, frozenset) or getattr(spec, "__origin__", None) in (set, frozenset):
        return True
    name = spec.split("[", 1)[0].strip().rsplit(".", 1)[-1] if isinstance(spec, str) else ""
    return name in ("set", "frozenset", "Set", "FrozenSet", "AbstractSet", "MutableSet")


def _inherited_names(cls: type, parent: Optional[type]) -> Set[str]:
    """Names that the IRIS class ``cls`` extends already declares (set by a user base class)."""
    if parent is None:
        return set()
    own = {name for klass in cls.__mro__ if klass not in parent.__mro__ for name in klass.__dict__}
    # a field without a class attribute (a dataclass field without default, any pydantic field)
    declared = set(getattr(parent, "_pyprod_fields", ()))
    return ({name for klass in parent.__mro__ for name in klass.__dict__} | declared) - own


__all__: List[str] = ["MESSAGE_RESERVED", "message_model"]
