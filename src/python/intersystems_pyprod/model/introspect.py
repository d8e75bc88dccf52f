"""Build the model of a script from its imported module (class objects, not source text)."""

from __future__ import annotations

import dataclasses
import difflib
import inspect
import types
from typing import Any, Dict, Iterable, List, Optional, Tuple

from .. import naming
from ..api import hosts, messages, production
from ..api.fields import Column, IRISParameter, IRISProperty
from ..errors import Location, PyProdError, PyProdWarning
from . import callbacks, datatypes, parameters
from .packages import API_BASES as _API_BASES
from .packages import iris_class_name
from .types import (
    ClassModel,
    ColumnModel,
    IrisType,
    ItemModel,
    MapEntryModel,
    ParameterModel,
    ProductionModel,
    PropertyModel,
    ScriptModel,
)

#: Members of the PyProd base classes (and the engine) that user members must not redefine.
HOST_RESERVED = (
    "PYMODULE", "PYCLASS", "ADAPTER", "SETTINGS", "PyObject", "PyDispatchMessage", "PyCall",
    "Adapter", "BusinessHost", "OnInit", "OnTearDown", "OnTask", "OnProcessInput", "ProcessInput",
    "OnRequest", "OnResponse", "OnComplete", "OnMessage", "SendRequestSync", "SendRequestAsync",
    "Reply", "SetTimer", "MessageMap", "OnGetConnections",
)
MESSAGE_RESERVED = ("PYMODULE", "PYCLASS", "JsonBody", "PickleBody", "PyObject")


def _doc(cls: type) -> str:
    raw = cls.__dict__.get("__doc__")
    return inspect.cleandoc(raw) if isinstance(raw, str) else ""


def _where(obj: Any) -> Optional[Location]:
    return getattr(obj, "_pyprod_where", None) or getattr(obj, "where", None)


def _kind(cls: type) -> str:
    if issubclass(cls, hosts.Component):
        return cls._pyprod_kind
    if issubclass(cls, messages.ProductionMessage):
        if cls._pyprod_serializer == "json":
            return "JsonMessage"
        if cls._pyprod_serializer == "pickle":
            return "PickleMessage"
        raise PyProdError(
            f"message class {cls.__name__} subclasses ProductionMessage directly",
            where=_where(cls),
            fix="subclass JsonSerialize (readable JSON body) or PickleSerialize (any picklable value)",
        )
    return "Production"


def user_classes(modules: Iterable[types.ModuleType]) -> List[type]:
    """The component, message and production classes defined in ``modules``."""
    names = {m.__name__ for m in modules}
    found: Dict[int, type] = {}
    for module in modules:
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, (hosts.Component, messages.ProductionMessage, production.Production))
                and value not in _API_BASES
                and value.__module__ in names
            ):
                found[id(value)] = value
    return list(found.values())


class _Builder:
    """Turns user classes into class models; one per script."""

    def __init__(self, script: str, module: str, classes: List[type]) -> None:
        self.script = script
        self.module = module
        self.classes = classes
        self.warnings: List[PyProdWarning] = []
        self.iris_names: Dict[type, str] = {}

    def build(self) -> ScriptModel:
        clash = naming.ClashChecker("IRIS class name")
        for cls in sorted(self.classes, key=lambda c: (c.__module__, (_where(c) or Location("")).line or 0)):
            where = _where(cls)
            if "." in cls.__qualname__:
                raise PyProdError(
                    f"class {cls.__qualname__} is nested inside another class or function",
                    where=where, fix="define production classes at module level",
                )
            full = iris_class_name(cls)
            clash.add(full, f"{cls.__module__}.{cls.__qualname__}", where)
            self.iris_names[cls] = full
        models = [self._class_model(cls) for cls in self.classes]
        models.sort(key=lambda m: m.iris_name)
        return ScriptModel(self.script, self.module, models, self.warnings)

    def _user_base(self, cls: type, kind: str) -> Optional[type]:
        """The first direct base class of ``cls`` that is a class of this script of the same kind:
        its IRIS class is the one ``cls``'s IRIS class extends."""
        for base in cls.__bases__:
            if base in self.iris_names and base not in _API_BASES and _kind(base) == kind:
                return base
        return None

    # -- per kind ----------------------------------------------------------------------------
    def _class_model(self, cls: type) -> ClassModel:
        kind = _kind(cls)
        parent = self._user_base(cls, kind)
        common = ClassModel(
            iris_name=self.iris_names[cls], kind=kind, py_module=cls.__module__,
            py_class=cls.__qualname__, description=_doc(cls), where=_where(cls),
            extends=self.iris_names[parent] if parent is not None else "",
        )
        if kind in ("JsonMessage", "PickleMessage"):
            return self._message(cls, common)
        if kind == "Production":
            return dataclasses.replace(common, production=self._production(cls))
        return self._host(cls, kind, common)

    def _host(self, cls: type, kind: str, common: ClassModel) -> ClassModel:
        where = _where(cls)
        callbacks.check_callbacks(cls, kind, _API_BASES, self.warnings)
        members = naming.ClashChecker(f"member of {cls.__name__}")
        members.reserve(HOST_RESERVED, "the PyProd base class")
        props: List[PropertyModel] = []
        settings: List[str] = []
        params: List[ParameterModel] = []
        adapter = ""
        annotations = _annotations(cls)
        for name, value in _class_attrs(cls):
            if isinstance(value, IRISProperty):
                iris_name = naming.member_name(name, "setting", _where(value) or where)
                entry = _setting_entry(iris_name, value, cls)
                if entry is not None:
                    settings.append(entry)
                if entry is not None and entry.startswith("-"):
                    continue
                members.add(iris_name, f"{cls.__name__}.{name}", _where(value) or where)
                props.append(self._property(cls, name, iris_name, value, annotations.get(name)))
            elif isinstance(value, IRISParameter):
                if name == "ADAPTER":
                    adapter = self._adapter(cls, kind, value)
                    continue
                params.append(self._parameter(cls, name, value, members))
        mapping = self._message_map(cls, kind, members)
        has_on_message = callbacks.find_callback(cls, "OnMessage", _API_BASES)[1] is not None
        if kind == "BusinessOperation" and not mapping and not has_on_message:
            self.warnings.append(PyProdWarning(
                f"{cls.__name__} defines neither OnMessage nor a MessageMap; every request to it will fail",
                where))
        return dataclasses.replace(common, adapter=adapter, settings=tuple(settings), properties=tuple(props),
                                   parameters=tuple(params), message_map=mapping)

    def _property(self, cls: type, name: str, iris_name: str, prop: IRISProperty, annotation: Any) -> PropertyModel:
        where = _where(prop) or _where(cls)
        what = f"setting {cls.__name__}.{name}"
        itype = self._type(datatypes.declared_type(prop.datatype, annotation, prop.default), what, where)
        datatypes.check_default(prop.default, itype, what, where)
        return PropertyModel(name, iris_name, itype, prop.default, _text(prop.description, what, where))

    def _type(self, spec: Any, what: str, where: Optional[Location]) -> IrisType:
        """The IRIS type of a setting or column; a type without an IRIS equivalent becomes text, with a warning."""
        if not datatypes.is_known(spec):
            self.warnings.append(PyProdWarning(
                f"{what} has type {getattr(spec, '__name__', spec)!r}, which has no IRIS equivalent; it is stored "
                f"as text (use {datatypes.SUPPORTED})", where))
        return datatypes.iris_type(spec, what, where)

    def _parameter(self, cls: type, name: str, param: IRISParameter, members: naming.ClashChecker) -> ParameterModel:
        where = _where(param) or _where(cls)
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
        datatype = parameters.parameter_type(param.datatype, _annotations(cls).get(name), what, where, self.warnings)
        keywords = parameters.parameter_keywords(param.keyword_list, what, where)
        return ParameterModel(name, iris_name, value, datatype, keywords, _text(param.description, what, where))

    def _adapter(self, cls: type, kind: str, param: IRISParameter) -> str:
        where = _where(param) or _where(cls)
        expected = {"BusinessService": hosts.InboundAdapter, "BusinessOperation": hosts.OutboundAdapter}.get(kind)
        if expected is None:
            raise PyProdError(f"{cls.__name__} is a {kind}, which has no adapter", where=where,
                              fix="remove ADAPTER; only services and operations have adapters")
        value = param.value
        if isinstance(value, type):
            if not issubclass(value, expected) or value not in self.iris_names:
                raise PyProdError(
                    f"ADAPTER of {cls.__name__} is {value.__name__}, "
                    f"which is not an {expected.__name__} of this script",
                    where=where, fix=f"name a subclass of {expected.__name__} or an IRIS adapter class name")
            return self.iris_names[value]
        if not isinstance(value, str) or not naming.is_class_name(value):
            raise PyProdError(f"ADAPTER of {cls.__name__} is {value!r}, not an IRIS class name",
                              where=where, fix='write the full class name, e.g. "EnsLib.File.OutboundAdapter"')
        for other, iris_name in self.iris_names.items():
            if iris_name.lower() == value.lower():
                if not issubclass(other, expected):
                    raise PyProdError(f"ADAPTER of {cls.__name__} names {other.__name__}, which is not an "
                                      f"{expected.__name__}", where=where, fix=f"name an {expected.__name__}")
                return iris_name
        own = {m.rsplit(".", 1)[0].lower() for m in self.iris_names.values()}
        if value.rsplit(".", 1)[0].lower() in own:
            self.warnings.append(PyProdWarning(
                f"ADAPTER of {cls.__name__} is {value!r}, which this script does not define; it must exist in IRIS",
                where))
        return value

    def _message_map(self, cls: type, kind: str, members: naming.ClashChecker) -> Tuple[MapEntryModel, ...]:
        where = _where(cls)
        raw = None
        for spelling in ("MessageMap", "message_map"):
            for klass in cls.__mro__:
                if klass in _API_BASES:
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
        seen_types: Dict[str, str] = {}
        for key, value in raw.items():
            message_class = self._message_type(cls, key)
            py_method = callbacks.method_name_of(value)
            callbacks.check_map_method(cls, py_method, _API_BASES)
            if message_class.lower() in seen_types:
                raise PyProdError(f"the MessageMap of {cls.__name__} lists {message_class} twice", where=where,
                                  fix="keep one entry per message class")
            seen_types[message_class.lower()] = py_method
            iris_method = naming.member_name(py_method, "MessageMap method", where)
            if not any(e.py_method == py_method for e in entries):
                members.add(iris_method, f"{cls.__name__}.{py_method}", where)
            entries.append(MapEntryModel(message_class, py_method, iris_method))
        return tuple(entries)

    def _message_type(self, cls: type, key: Any) -> str:
        where = _where(cls)
        if isinstance(key, type) and issubclass(key, messages.ProductionMessage) and key in self.iris_names:
            return self.iris_names[key]
        if isinstance(key, str):
            if "." in key and naming.is_class_name(key):
                return key
            matches = [n for c, n in self.iris_names.items()
                       if c.__name__ == key and issubclass(c, messages.ProductionMessage)]
            if len(matches) == 1:
                return matches[0]
        raise PyProdError(f"the MessageMap of {cls.__name__} has key {key!r}, which is not a message class",
                          where=where, fix="use a message class of this script or a full IRIS class name")

    # -- messages --------------------------------------------------------------------------
    def _message(self, cls: type, common: ClassModel) -> ClassModel:
        where = _where(cls)
        annotations = _annotations(cls)
        members = naming.ClashChecker(f"field of {cls.__name__}")
        members.reserve(MESSAGE_RESERVED, "the PyProd message base class")
        columns = []
        inherited = self._inherited_names(cls, common.extends)
        for name in getattr(cls, "_pyprod_fields", ()):
            column = _column_of(cls, name)
            if column is None or name in inherited:
                continue
            cwhere = _where(column) or where
            what = f"column {cls.__name__}.{name}"
            iris_name = naming.member_name(name, "column", cwhere)
            members.add(iris_name, f"{cls.__name__}.{name}", cwhere)
            if column.index:
                members.add(iris_name + "IDX", f"the index of {cls.__name__}.{name}", cwhere)
            for keyword in column.extra:
                self.warnings.append(PyProdWarning(
                    f"{what}: Column keyword {keyword!r} has no effect on the IRIS class", cwhere))
            spec = datatypes.declared_type(column.datatype, annotations.get(name), column.default)
            itype = self._type(spec, what, cwhere)
            datatypes.check_default(column.default, itype, what, cwhere)
            columns.append(ColumnModel(name, iris_name, itype, column.default, _text(column.description, what, cwhere),
                                       column.index, naming.sql_safe_name(iris_name, "Col")))
        if common.kind == "PickleMessage":
            self.warnings.append(PyProdWarning(
                f"{cls.__name__} is a pickle message: its body is readable only by Python, and only message "
                "classes of your scripts and standard types can be unpickled", where))
        short = common.iris_name.rsplit(".", 1)[1]
        return dataclasses.replace(common, columns=tuple(columns), sql_table=naming.sql_safe_name(short, "Table"))

    def _inherited_names(self, cls: type, extends: str) -> set:
        """Names that the IRIS class ``cls`` extends already declares (set by a user base class)."""
        if not extends:
            return set()
        parent = next(c for c, n in self.iris_names.items() if n == extends)
        own = {name for klass in cls.__mro__ if klass not in parent.__mro__ for name in klass.__dict__}
        return {name for klass in parent.__mro__ for name in klass.__dict__} - own

    # -- productions -----------------------------------------------------------------------
    def _production(self, cls: Any) -> ProductionModel:
        where = _where(cls)
        for name in cls.__dict__:
            if name.startswith("_") or name in production.PRODUCTION_ATTRIBUTES:
                continue
            close = difflib.get_close_matches(name, production.PRODUCTION_ATTRIBUTES, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"use only {', '.join(production.PRODUCTION_ATTRIBUTES)}"
            self.warnings.append(PyProdWarning(
                f"Production {cls.__name__} has unknown attribute {name!r}, which is ignored; {hint}", where))
        items: List[ItemModel] = []
        names = naming.ClashChecker(f"item name in {cls.__name__}")
        for attr, item_type in (("services", production.ServiceItem), ("processes", production.ProcessItem),
                                ("operations", production.OperationItem)):
            listed = getattr(cls, attr) or []
            if not isinstance(listed, (list, tuple)):
                raise PyProdError(f"{cls.__name__}.{attr} must be a list of {item_type.__name__}", where=where,
                                  fix=f"{attr} = [{item_type.__name__}(...)]")
            for item in listed:
                if not isinstance(item, item_type):
                    raise PyProdError(f"{cls.__name__}.{attr} contains {item!r}; expected {item_type.__name__}",
                                      where=_where(item) or where, fix=f"use {item_type.__name__}(name, class)")
                items.append(self._item(cls, item, names))
        settings = []
        for key in production.PRODUCTION_SETTINGS:
            value = getattr(cls, key)
            if value != getattr(production.Production, key):
                settings.append((naming.iris_name(key), _setting_text(value, f"{cls.__name__}.{key}", where)))
        return ProductionModel(
            description=_text(cls.description or _doc(cls), f"description of {cls.__name__}", where),
            actor_pool_size=_int(cls.actor_pool_size, f"{cls.__name__}.actor_pool_size", where),
            testing_enabled=bool(cls.testing_enabled),
            log_general_trace_events=bool(cls.log_general_trace_events),
            settings=tuple(settings), items=tuple(items),
        )

    def _item(self, prod: type, item: production.HostItem, names: naming.ClashChecker) -> ItemModel:
        where = _where(item) or _where(prod)
        if not isinstance(item.name, str) or not item.name.strip():
            raise PyProdError(f"an item of {prod.__name__} has no name", where=where, fix="give every item a name")
        names.add(item.name, f"item {item.name!r}", where)
        target = item.class_name
        role_kind = {"service": "BusinessService", "process": "BusinessProcess", "operation": "BusinessOperation"}
        host_cls: Optional[type] = None
        if isinstance(target, type):
            if target not in self.iris_names or _kind(target) != role_kind[item.role]:
                raise PyProdError(f"item {item.name!r} uses class {target.__name__}, which is not a "
                                  f"{role_kind[item.role]} of this script", where=where,
                                  fix=f"use a {role_kind[item.role]} subclass or an IRIS class name")
            host_cls = target
            class_name = self.iris_names[target]
        elif isinstance(target, str) and naming.is_class_name(target):
            class_name = target
            host_cls = next((c for c, n in self.iris_names.items() if n.lower() == target.lower()), None)
        else:
            raise PyProdError(f"item {item.name!r} has class {target!r}, not a class or IRIS class name",
                              where=where, fix="pass the component class or its full IRIS class name")
        adapter_cls = None
        if host_cls is not None:
            param = _class_attr(host_cls, "ADAPTER")
            if isinstance(param, IRISParameter):
                adapter_cls = param.value if isinstance(param.value, type) else next(
                    (c for c, n in self.iris_names.items() if isinstance(param.value, str)
                     and n.lower() == param.value.lower()), None)
        pool = item.pool_size
        if pool is None:
            adapterless = host_cls is not None and item.role == "service" and \
                not isinstance(_class_attr(host_cls, "ADAPTER"), IRISParameter)
            pool = 0 if adapterless else 1
        return ItemModel(
            name=_text(item.name, f"item name {item.name!r}", where), class_name=class_name,
            category=_text(item.category, f"category of item {item.name!r}", where),
            pool_size=_int(pool, f"pool_size of item {item.name!r}", where),
            enabled=bool(item.enabled), foreground=bool(item.foreground),
            comment=_text(item.comment, f"comment of item {item.name!r}", where),
            log_trace_events=bool(item.log_trace_events),
            schedule=_text(item.schedule, f"schedule of item {item.name!r}", where),
            host_settings=_item_settings(item.host_settings, host_cls, item.name, "host", where, self.warnings),
            adapter_settings=_item_settings(item.adapter_settings, adapter_cls, item.name, "adapter", where,
                                            self.warnings),
        )


# -- helpers ---------------------------------------------------------------------------------
def _annotations(cls: type) -> Dict[str, Any]:
    """Annotations of the user's classes in the MRO (string annotations stay text: the data-type
    rules read type names, so nothing needs evaluating)."""
    merged: Dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        if klass not in _API_BASES:
            merged.update(messages.own_annotations(klass))
    return merged


def _class_attrs(cls: type) -> List[Tuple[str, Any]]:
    """Attributes of ``cls`` and its user base classes, base classes first, each name once."""
    seen: Dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        if klass in _API_BASES:
            continue
        for name, value in klass.__dict__.items():
            seen.pop(name, None)
            seen[name] = value
    return [(n, v) for n, v in seen.items() if not n.startswith("__")]


def _class_attr(cls: type, name: str) -> Any:
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass.__dict__[name]
    return None


def _column_of(cls: type, name: str) -> Optional[Column]:
    value = _class_attr(cls, name)
    return value if isinstance(value, Column) else None


def _text(value: Any, what: str, where: Optional[Location]) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise PyProdError(f"{what} must be a string, not {type(value).__name__}", where=where, fix="pass text")
    return value


def _int(value: Any, what: str, where: Optional[Location]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise PyProdError(f"{what} must be a whole number >= 0, not {value!r}", where=where, fix="use an int")
    return value


def _setting_entry(iris_name: str, prop: IRISProperty, cls: type) -> Optional[str]:
    """The SETTINGS list entry for a property, or None when it is not a setting."""
    where = _where(prop) or _where(cls)
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
    text = ":".join(part.strip() for part in raw.split(":"))
    if text == "-":
        return "-" + iris_name
    if text.count(":") > 1 and not text.split(":", 2)[2]:
        text = text.rstrip(":")
    return f"{iris_name}:{text}" if text else iris_name


def _setting_text(value: Any, what: str, where: Optional[Location]) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float, str)):
        return str(value)
    raise PyProdError(f"{what} is {value!r}; setting values are text, numbers or booleans", where=where,
                      fix="use a str, int, float or bool")


def _item_settings(values: Dict[str, Any], cls: Optional[type], item: str, target: str,
                   where: Optional[Location], warnings: List[PyProdWarning]) -> Tuple[Tuple[str, str], ...]:
    """The ``<Setting>`` entries of an item, keyed by IRIS name. A name that is no setting of a Python
    component is a warning with a suggestion (IRIS itself ignores unknown settings; inherited IRIS
    settings such as ``CallInterval`` are not known here)."""
    if not isinstance(values, dict):
        raise PyProdError(f"{target}_settings of item {item!r} must be a dict", where=where,
                          fix=f"{target}_settings={{'name': value}}")
    known: Dict[str, str] = {}
    if cls is not None:
        for name, value in _class_attrs(cls):
            if isinstance(value, IRISProperty):
                known[name] = naming.iris_name(name)
    out = []
    for key, value in values.items():
        if not isinstance(key, str):
            raise PyProdError(f"{target} setting name {key!r} of item {item!r} is not a string", where=where,
                              fix="use the attribute name as a string")
        name = known.get(key) or naming.member_name(key, f"{target} setting", where)
        if cls is not None and name not in known.values() and not (key[:1].isupper() and "_" not in key):
            close = difflib.get_close_matches(key, list(known), n=1)
            warnings.append(PyProdWarning(
                f"item {item!r}: {cls.__name__} has no setting {key!r}; "
                + (f"did you mean {close[0]!r}?" if close else
                   "declare it with IRISProperty, or use the IRIS name of an inherited setting"), where))
        out.append((name, _setting_text(value, f"{target} setting {key!r} of item {item!r}", where)))
    return tuple(out)


def build_model(script: str, module_name: str, modules: Iterable[types.ModuleType]) -> ScriptModel:
    """The model of everything ``modules`` define (the script and its local modules)."""
    modules = list(modules)
    return _Builder(script, module_name, user_classes(modules)).build()
