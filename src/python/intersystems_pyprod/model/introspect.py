"""Build the model of a script from its imported module (class objects, not source text).

Every class is named once and indexed (:class:`.classes.ClassIndex`), so building the model
takes time in proportion to the script; the per-kind parts live in :mod:`.hosts`,
:mod:`.messages` and :mod:`.productions`.
"""

from __future__ import annotations

import dataclasses
import types
from typing import Dict, Iterable, List, Optional

from .. import naming
from ..api import hosts as api_hosts
from ..api import messages as api_messages
from ..api import production
from ..errors import PyProdError, PyProdWarning
from .classes import ClassIndex, Context, doc_of, kind_of, where_of
from .hosts import host_model
from .messages import message_model
from .packages import API_BASES, iris_class_name
from .productions import production_model
from .types import ClassModel, ScriptModel


def user_classes(modules: Iterable[types.ModuleType]) -> List[type]:
    """The component, message and production classes defined in ``modules``."""
    names = {m.__name__ for m in modules}
    found: Dict[int, type] = {}
    for module in modules:
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, (api_hosts.Component, api_messages.ProductionMessage, production.Production))
                and value not in API_BASES
                and value.__module__ in names
            ):
                found[id(value)] = value
    return list(found.values())


def _line(cls: type) -> int:
    where = where_of(cls)
    return (where.line if where is not None else None) or 0


def _index(classes: List[type]) -> ClassIndex:
    """Name every class (in source order, so a clash names the later class) and index the names."""
    clash = naming.ClashChecker("IRIS class name")
    index = ClassIndex()
    for cls in sorted(classes, key=lambda c: (c.__module__, _line(c))):
        where = where_of(cls)
        if "." in cls.__qualname__:
            raise PyProdError(
                f"class {cls.__qualname__} is nested inside another class or function",
                where=where, fix="define production classes at module level",
            )
        full = iris_class_name(cls)
        clash.add(full, f"{cls.__module__}.{cls.__qualname__}", where)
        index.add(cls, full)
    return index


def _ignored_packages(classes: List[type], index: ClassIndex) -> List[PyProdWarning]:
    """A warning for each class that sets ``iris_package_name`` itself: the name is not used."""
    found = []
    for cls in classes:
        value = naming.class_level_package(cls)
        if value is None:
            continue
        package = index.name(cls).rsplit(".", 1)[0]
        found.append(PyProdWarning(
            f"class {cls.__name__} sets iris_package_name = {value!r}, which is ignored: a class takes the "
            f"iris_package_name of its module, so it is {index.name(cls)} (pyprod 0.2.0 generates the same "
            f"name). To put it in {value!r}, move the class to a module of its own with "
            f"iris_package_name = {value!r} at the top; to keep {package!r}, remove the class-level line",
            where_of(cls)))
    return found


def _user_base(index: ClassIndex, cls: type, kind: str) -> Optional[type]:
    """The first direct base class of ``cls`` that is a class of this script of the same kind:
    its IRIS class is the one ``cls``'s IRIS class extends."""
    for base in cls.__bases__:
        if base in index and base not in API_BASES and kind_of(base) == kind:
            return base
    return None


def _class_model(ctx: Context, cls: type) -> ClassModel:
    kind = kind_of(cls)
    parent = _user_base(ctx.index, cls, kind)
    common = ClassModel(
        iris_name=ctx.index.name(cls), kind=kind, py_module=cls.__module__,
        py_class=cls.__qualname__, description=doc_of(cls), where=where_of(cls),
        extends=ctx.index.name(parent) if parent is not None else "",
    )
    if kind in ("JsonMessage", "PickleMessage"):
        return message_model(ctx, cls, common, parent)
    if kind == "Production":
        return dataclasses.replace(common, production=production_model(ctx, cls))
    return host_model(ctx, cls, kind, common)


def build_model(script: str, module_name: str, modules: Iterable[types.ModuleType]) -> ScriptModel:
    """The model of everything ``modules`` define (the script and its local modules)."""
    classes = user_classes(list(modules))
    ctx = Context(_index(classes))
    ctx.warnings.extend(_ignored_packages(classes, ctx.index))
    models = [_class_model(ctx, cls) for cls in classes]
    models.sort(key=lambda m: m.iris_name)
    return ScriptModel(script, module_name, models, ctx.warnings)
