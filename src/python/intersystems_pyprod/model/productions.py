"""The model of a production class: its settings and items."""

from __future__ import annotations

import difflib
from typing import Any, Dict, List, Optional, Tuple

from .. import naming
from ..api import production
from ..api.fields import IRISParameter, IRISProperty
from ..errors import Location, PyProdError, PyProdWarning
from .classes import Context, class_attr, class_attrs, doc_of, kind_of, setting_text, text, where_of, whole
from .targets import is_conventional_target, is_target_entry, split_targets
from .types import ItemModel, ProductionModel

#: The longest item name IRIS stores (Ens.Config.Item's Name, an Ens.DataType.ConfigName: MAXLEN 128).
ITEM_NAME_MAX = 128

_ROLE_KIND = {"service": "BusinessService", "process": "BusinessProcess", "operation": "BusinessOperation"}


def production_model(ctx: Context, cls: Any) -> ProductionModel:
    """The settings and items of production class ``cls``."""
    where = where_of(cls)
    for name in cls.__dict__:
        if name.startswith("_") or name in production.PRODUCTION_ATTRIBUTES:
            continue
        close = difflib.get_close_matches(name, production.PRODUCTION_ATTRIBUTES, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"use only {', '.join(production.PRODUCTION_ATTRIBUTES)}"
        ctx.warnings.append(PyProdWarning(
            f"Production {cls.__name__} has unknown attribute {name!r}, which is ignored; {hint}", where))
    items: List[ItemModel] = []
    names = naming.ClashChecker(f"item name in {cls.__name__}")
    classes: Dict[str, Optional[type]] = {}
    for attr, item_type in (("services", production.ServiceItem), ("processes", production.ProcessItem),
                            ("operations", production.OperationItem)):
        listed = getattr(cls, attr) or []
        if not isinstance(listed, (list, tuple)):
            raise PyProdError(f"{cls.__name__}.{attr} must be a list of {item_type.__name__}", where=where,
                              fix=f"{attr} = [{item_type.__name__}(...)]")
        for item in listed:
            if not isinstance(item, item_type):
                raise PyProdError(f"{cls.__name__}.{attr} contains {item!r}; expected {item_type.__name__}",
                                  where=where_of(item) or where, fix=f"use {item_type.__name__}(name, class)")
            items.append(_item(ctx, cls, item, names, classes))
    _target_warnings(ctx, cls, items, classes)
    settings = []
    for key in production.PRODUCTION_SETTINGS:
        value = getattr(cls, key)
        if value != getattr(production.Production, key):
            settings.append((naming.iris_name(key), setting_text(value, f"{cls.__name__}.{key}", where)))
    return ProductionModel(
        description=text(cls.description or doc_of(cls), f"description of {cls.__name__}", where),
        actor_pool_size=whole(cls.actor_pool_size, f"{cls.__name__}.actor_pool_size", where),
        testing_enabled=bool(cls.testing_enabled),
        log_general_trace_events=bool(cls.log_general_trace_events),
        settings=tuple(settings), items=tuple(items),
    )


def _target_warnings(ctx: Context, prod: type, items: List[ItemModel], classes: Dict[str, Optional[type]]) -> None:
    """Warn about a target setting (an item's value, else the class default) naming no item of the
    production: the message sent there fails at run time."""
    known = {item.name for item in items}
    for item in items:
        values: Dict[str, Any] = {}
        host_cls = classes.get(item.name)
        for attr, prop in class_attrs(host_cls) if host_cls is not None else []:
            settings = prop.settings if isinstance(prop, IRISProperty) else None
            if isinstance(settings, str) and is_target_entry(f"x:{settings}"):
                values[naming.iris_name(attr)] = prop.default
        for name, value in item.host_settings:
            if name in values or is_conventional_target(name):
                values[name] = value
        for name, value in values.items():
            for missing in [t for t in split_targets(value) if t not in known]:
                ctx.warnings.append(PyProdWarning(
                    f"item {item.name!r}: target setting {name} names {missing!r}, which is no item of production "
                    f"{prod.__name__}; messages sent there will fail", where_of(prod)))


def _item(ctx: Context, prod: type, item: production.HostItem, names: naming.ClashChecker,
          classes: Dict[str, Optional[type]]) -> ItemModel:
    where = where_of(item) or where_of(prod)
    index = ctx.index
    if not isinstance(item.name, str) or not item.name.strip():
        raise PyProdError(f"an item of {prod.__name__} has no name", where=where, fix="give every item a name")
    if "," in item.name or naming.has_control_chars(item.name):
        raise PyProdError(f"item name {item.name!r} contains a comma, line break or control character; IRIS "
                          "lists target items separated by commas", where=where,
                          fix="name the item without commas (dots, dashes and spaces are fine)")
    if len(item.name) > ITEM_NAME_MAX:
        raise PyProdError(f"item name {item.name[:40]!r}... is {len(item.name)} characters; IRIS stores at most "
                          f"{ITEM_NAME_MAX}", where=where, fix="shorten the item name")
    names.add(item.name, f"item {item.name!r}", where)
    target = item.class_name
    host_cls: Optional[type] = None
    if isinstance(target, type):
        if target not in index or kind_of(target) != _ROLE_KIND[item.role]:
            raise PyProdError(f"item {item.name!r} uses class {target.__name__}, which is not a "
                              f"{_ROLE_KIND[item.role]} of this script", where=where,
                              fix=f"use a {_ROLE_KIND[item.role]} subclass or an IRIS class name")
        host_cls = target
        class_name = index.name(target)
    elif isinstance(target, str) and naming.is_class_name(target):
        class_name = target
        host_cls = index.by_name(target)
    else:
        raise PyProdError(f"item {item.name!r} has class {target!r}, not a class or IRIS class name",
                          where=where, fix="pass the component class or its full IRIS class name")
    classes[item.name] = host_cls
    adapter_cls = None
    if host_cls is not None:
        param = class_attr(host_cls, "ADAPTER")
        if isinstance(param, IRISParameter):
            value = param.value
            adapter_cls = value if isinstance(value, type) else (
                index.by_name(value) if isinstance(value, str) else None)
    pool = item.pool_size
    if pool is None:
        adapterless = host_cls is not None and item.role == "service" and \
            not isinstance(class_attr(host_cls, "ADAPTER"), IRISParameter)
        pool = 0 if adapterless else 1
    return ItemModel(
        name=text(item.name, f"item name {item.name!r}", where), class_name=class_name,
        category=text(item.category, f"category of item {item.name!r}", where),
        pool_size=whole(pool, f"pool_size of item {item.name!r}", where),
        enabled=bool(item.enabled), foreground=bool(item.foreground),
        comment=text(item.comment, f"comment of item {item.name!r}", where),
        log_trace_events=bool(item.log_trace_events),
        schedule=text(item.schedule, f"schedule of item {item.name!r}", where),
        host_settings=_item_settings(item.host_settings, host_cls, item.name, "host", where, ctx.warnings),
        adapter_settings=_item_settings(item.adapter_settings, adapter_cls, item.name, "adapter", where,
                                        ctx.warnings),
    )


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
        for name, value in class_attrs(cls):
            if isinstance(value, IRISProperty):
                known[name] = naming.iris_name(name)
    known_iris = set(known.values())
    out = []
    for key, value in values.items():
        if not isinstance(key, str):
            raise PyProdError(f"{target} setting name {key!r} of item {item!r} is not a string", where=where,
                              fix="use the attribute name as a string")
        name = known.get(key) or naming.member_name(key, f"{target} setting", where)
        if cls is not None and name not in known_iris and not (key[:1].isupper() and "_" not in key):
            close = difflib.get_close_matches(key, list(known), n=1)
            warnings.append(PyProdWarning(
                f"item {item!r}: {cls.__name__} has no setting {key!r}; "
                + (f"did you mean {close[0]!r}?" if close else
                   "declare it with IRISProperty, or use the IRIS name of an inherited setting"), where))
        out.append((name, setting_text(value, f"{target} setting {key!r} of item {item!r}", where)))
    return tuple(out)
