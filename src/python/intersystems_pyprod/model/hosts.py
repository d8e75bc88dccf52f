"""The model of a host or adapter class: settings, parameters, adapter and message map."""

from __future__ import annotations

import dataclasses
import re
from typing import Any, List, Optional, Tuple

from .. import naming
from ..api import hosts as api_hosts
from ..api import messages as api_messages
from ..api.fields import IRISParameter, IRISProperty
from ..errors import Location, PyProdError, PyProdWarning
from . import callbacks, datatypes, inherited, parameters
from .classes import Context, annotations_of, class_attrs, text, where_of
from .packages import API_BASES
from .types import ClassModel, MapEntryModel, ParameterModel, PropertyModel

#: Members of the PyProd base classes (and the engine) that user members must not redefine.
HOST_RESERVED = (
    "PYMODULE", "PYCLASS", "ADAPTER", "SETTINGS", "PyObject", "PyDispatchMessage", "PyCall",
    "Adapter", "BusinessHost", "OnInit", "OnTearDown", "OnTask", "OnProcessInput", "ProcessInput",
    "OnRequest", "OnResponse", "OnComplete", "OnMessage", "SendRequestSync", "SendRequestAsync",
    "Reply", "SetTimer", "MessageMap", "OnGetConnections",
)


def host_model(ctx: Context, cls: type, kind: str, common: ClassModel) -> ClassModel:
    """``common`` completed with the members of host or adapter class ``cls``."""
    where = where_of(cls)
    callbacks.check_callbacks(cls, kind, API_BASES, ctx.warnings)
    members = naming.ClashChecker(f"member of {cls.__name__}")
    members.reserve(HOST_RESERVED, "the PyProd base class")
    props: List[PropertyModel] = []
    settings: List[str] = []
    params: List[ParameterModel] = []
    adapter = ""
    annotations = annotations_of(cls)
    for name, value in class_attrs(cls):
        if isinstance(value, IRISProperty):
            iris_name = naming.member_name(name, "setting", where_of(value) or where)
            entry = setting_entry(iris_name, value, cls)
            if entry is not None:
                settings.append(entry)
            if entry is not None and entry.startswith("-"):
                continue
            members.add(iris_name, f"{cls.__name__}.{name}", where_of(value) or where)
            prop = _property(ctx, cls, kind, name, iris_name, value, annotations.get(name))
            if prop is not None:
                props.append(prop)
        elif isinstance(value, IRISParameter):
            if name == "ADAPTER":
                adapter = _adapter(ctx, cls, kind, value)
                continue
            params.append(_parameter(ctx, cls, name, value, members, annotations))
    mapping = _message_map(ctx, cls, kind, members)
    has_on_message = callbacks.find_callback(cls, "OnMessage", API_BASES)[1] is not None
    if kind == "BusinessOperation" and not mapping and not has_on_message:
        ctx.warnings.append(PyProdWarning(
            f"{cls.__name__} defines neither OnMessage nor a MessageMap; every request to it will fail",
            where))
    # a process is persistent: its class is an SQL table and its properties are columns
    sql_table = naming.sql_safe_name(common.iris_name.rsplit(".", 1)[1], "Table") if kind == "BusinessProcess" \
        else None
    return dataclasses.replace(common, adapter=adapter, settings=tuple(settings), properties=tuple(props),
                               parameters=tuple(params), message_map=mapping, sql_table=sql_table)


def _property(ctx: Context, cls: type, kind: str, name: str, iris_name: str, prop: IRISProperty,
              annotation: Any) -> Optional[PropertyModel]:
    """The property of a setting; None for a setting that only re-places an inherited property."""
    where = where_of(prop) or where_of(cls)
    what = f"setting {cls.__name__}.{name}"
    description = text(prop.description, what, where)
    kept = inherited.setting_type(kind, iris_name, prop.datatype, annotation, prop.default, what, where)
    if kept is not None:  # the inherited property stands unless a default or description redefines it
        if prop.default is None and not description:
            return None
        return PropertyModel(name, iris_name, kept, prop.default, description)
    itype = ctx.iris_type(datatypes.declared_type(prop.datatype, annotation, prop.default), what, where)
    datatypes.check_default(prop.default, itype, what, where)
    sql_name = naming.sql_safe_name(iris_name, "Col") if kind == "BusinessProcess" else None
    return PropertyModel(name, iris_name, itype, prop.default, description, sql_name)


def _parameter(ctx: Context, cls: type, name: str, param: IRISParameter, members: naming.ClashChecker,
               annotations: dict) -> ParameterModel:
    where = where_of(param) or where_of(cls)
    what = f"parameter {cls.__name__}.{name}"
    iris_name = naming.member_name(name, "parameter", where)
    members.add(iris_name, f"{cls.__name__}.{name}", where)
    value = param.value
    if not isinstance(value, (str, int, float, bool)) or value is None:
        raise PyProdError(f"{what} has value {value!r}; parameter values are strings, numbers or booleans",
                          where=where, fix="use a str, int, float or bool value")
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        raise PyProdError(f"{what} has value {value!r}", where=where, fix="use a finite number")
    if isinstance(value, str) and naming.has_control_chars(value):
        raise PyProdError(f"{what} contains a line break or control character",
                          where=where, fix="parameter values are single-line text")
    datatype = parameters.parameter_type(param.datatype, annotations.get(name), what, where, ctx.warnings)
    keywords = parameters.parameter_keywords(param.keyword_list, what, where)
    return ParameterModel(name, iris_name, value, datatype, keywords, text(param.description, what, where))


def _adapter(ctx: Context, cls: type, kind: str, param: IRISParameter) -> str:
    where = where_of(param) or where_of(cls)
    expected = {"BusinessService": api_hosts.InboundAdapter, "BusinessOperation": api_hosts.OutboundAdapter}.get(kind)
    if expected is None:
        raise PyProdError(f"{cls.__name__} is a {kind}, which has no adapter", where=where,
                          fix="remove ADAPTER; only services and operations have adapters")
    value = param.value
    index = ctx.index
    if isinstance(value, type):
        if not issubclass(value, expected) or value not in index:
            raise PyProdError(
                f"ADAPTER of {cls.__name__} is {value.__name__}, "
                f"which is not an {expected.__name__} of this script",
                where=where, fix=f"name a subclass of {expected.__name__} or an IRIS adapter class name")
        return index.name(value)
    if not isinstance(value, str) or not naming.is_class_name(value):
        raise PyProdError(f"ADAPTER of {cls.__name__} is {value!r}, not an IRIS class name",
                          where=where, fix='write the full class name, e.g. "EnsLib.File.OutboundAdapter"')
    other = index.by_name(value)
    if other is not None:
        if not issubclass(other, expected):
            raise PyProdError(f"ADAPTER of {cls.__name__} names {other.__name__}, which is not an "
                              f"{expected.__name__}", where=where, fix=f"name an {expected.__name__}")
        return index.name(other)
    if value.rsplit(".", 1)[0].lower() in index.packages:
        ctx.warnings.append(PyProdWarning(
            f"ADAPTER of {cls.__name__} is {value!r}, which this script does not define; it must exist in IRIS",
            where))
    return value


def _message_map(ctx: Context, cls: type, kind: str, members: naming.ClashChecker) -> Tuple[MapEntryModel, ...]:
    where = where_of(cls)
    raw = None
    for spelling in ("MessageMap", "message_map"):
        for klass in cls.__mro__:
            if klass in API_BASES:
                break
            if spelling in klass.__dict__:
                raw = klass.__dict__[spelling]
                break
        if raw is not None:
            break
    if raw is None:
        return ()
    if kind != "BusinessOperation":
        raise PyProdError(f"{cls.__name__} has a MessageMap, but only business operations use one",
                          where=where, fix="remove the MessageMap or make the class a BusinessOperation")
    if not isinstance(raw, dict) or not raw:
        raise PyProdError(f"the MessageMap of {cls.__name__} must be a non-empty dict "
                          "{message class: method name}", where=where,
                          fix='write MessageMap = {MyRequest: "handle_my_request"}')
    entries: List[MapEntryModel] = []
    methods = set()
    seen_types: dict = {}
    for key, value in raw.items():
        message_class = _message_type(ctx, cls, key)
        py_method = callbacks.method_name_of(value)
        callbacks.check_map_method(cls, py_method, API_BASES)
        if message_class.lower() in seen_types:
            raise PyProdError(f"the MessageMap of {cls.__name__} lists {message_class} twice", where=where,
                              fix="keep one entry per message class")
        seen_types[message_class.lower()] = py_method
        iris_method = naming.member_name(py_method, "MessageMap method", where)
        if py_method not in methods:
            methods.add(py_method)
            members.add(iris_method, f"{cls.__name__}.{py_method}", where)
        entries.append(MapEntryModel(message_class, py_method, iris_method))
    return _with_subclasses(ctx, entries)


def _with_subclasses(ctx: Context, entries: List[MapEntryModel]) -> Tuple[MapEntryModel, ...]:
    """The entries, plus one for each message class of the load that only inherits an entry (it
    gets its nearest mapped ancestor's method), most specific class first. Whether IRIS matches a
    ``MessageType`` against subclasses is unconfirmed: listing them and ordering them this way
    sends every message of the load to the same method either way."""
    index = ctx.index
    mapped = {entry.message_class.lower(): entry for entry in entries}
    added: List[MapEntryModel] = []
    for cls in list(index.iris_names):
        if not issubclass(cls, api_messages.ProductionMessage) or index.name(cls).lower() in mapped:
            continue
        nearest = next((mapped[index.name(base).lower()] for base in cls.__mro__[1:]
                        if base in index and index.name(base).lower() in mapped), None)
        if nearest is not None:
            added.append(MapEntryModel(index.name(cls), nearest.py_method, nearest.iris_method))

    def depth(entry: MapEntryModel) -> int:
        cls = index.by_name(entry.message_class)
        return len(cls.__mro__) if cls is not None else 0

    return tuple(sorted(entries + added, key=depth, reverse=True))


def _message_type(ctx: Context, cls: type, key: Any) -> str:
    index = ctx.index
    if isinstance(key, type) and issubclass(key, api_messages.ProductionMessage) and key in index:
        return index.name(key)
    if isinstance(key, str):
        if "." in key and naming.is_class_name(key):
            return key
        matches = index.message_names(key)
        if len(matches) == 1:
            return matches[0]
    raise PyProdError(f"the MessageMap of {cls.__name__} has key {key!r}, which is not a message class",
                      where=where_of(cls), fix="use a message class of this script or a full IRIS class name")


def setting_entry(iris_name: str, prop: IRISProperty, cls: type) -> Optional[str]:
    """The SETTINGS list entry for a property, or None when it is not a setting."""
    where: Optional[Location] = where_of(prop) or where_of(cls)
    raw = prop.settings
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise PyProdError(f"settings of {cls.__name__}.{prop.name} must be a string", where=where,
                          fix='use e.g. settings="Basic" or settings="Basic:selector?context={...}"')
    if "," in raw or naming.has_control_chars(raw):
        raise PyProdError(
            f"settings of {cls.__name__}.{prop.name} contains a comma, line break or control character, "
            "which would break the SETTINGS list", where=where,
            fix='use "Category", "Category:control", ":control" or "-"')
    depth = 0
    for char in raw:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            break
    if depth:
        raise PyProdError(f"settings of {cls.__name__}.{prop.name} has unbalanced braces {{ }}: {raw!r}", where=where,
                          fix="close every { of the control's context with }")
    parts = re.split(r":(?![^{]*})", raw)  # colons inside a {context} are part of the control
    if len(parts) > 3 or (len(parts) == 3 and parts[2].strip()):
        raise PyProdError(f"settings of {cls.__name__}.{prop.name} has {len(parts)} parts: {raw!r}; IRIS takes "
                          "a category and a control", where=where,
                          fix='use "Category", "Category:control", ":control" or "-"')
    joined = ":".join(part.strip() for part in raw.split(":"))
    if joined == "-":
        return "-" + iris_name
    if joined.count(":") > 1 and not joined.split(":", 2)[2]:
        joined = joined.rstrip(":")
    return f"{iris_name}:{joined}" if joined else iris_name
