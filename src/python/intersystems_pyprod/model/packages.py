"""Which IRIS package and class name a Python class gets."""

from __future__ import annotations

import sys
from typing import Tuple

from .. import naming
from ..api import hosts, messages, production
from ..errors import Location

#: The library's own base classes: never generated, and the end of a user class's own MRO.
API_BASES: Tuple[type, ...] = (
    hosts.Component, *hosts.COMPONENT_BASES, messages.ProductionMessage, messages.JsonSerialize,
    messages.PickleSerialize, production.Production, object,
)


def package_of(cls: type) -> str:
    """``iris_package_name`` of the class (or a user base class), else of its module, else the
    module's file name."""
    where = getattr(cls, "_pyprod_where", None)
    for klass in cls.__mro__:
        if klass in API_BASES:
            break
        if "iris_package_name" in klass.__dict__:
            return naming.package_name(klass.__dict__["iris_package_name"], where)
    module = sys.modules.get(cls.__module__)
    value = getattr(module, "iris_package_name", None)
    if value is not None:
        file = getattr(module, "__file__", None)
        return naming.package_name(value, Location(file) if file else where)
    return naming.package_from_filename(cls.__module__.rsplit(".", 1)[-1], where)


def iris_class_name(cls: type) -> str:
    """The full IRIS class name generated for ``cls``."""
    where = getattr(cls, "_pyprod_where", None)
    return f"{package_of(cls)}.{naming.short_class_name(cls.__name__, where)}"
