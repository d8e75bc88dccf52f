"""The library's own base classes, where a user class's own part of its MRO ends.

``package_of`` and ``iris_class_name`` live in ``naming`` (re-exported here), so the authoring API
can name a class without importing the model."""

from __future__ import annotations

from typing import Tuple

from ..api import hosts, messages, production
from ..naming import iris_class_name, package_of

#: The library's own base classes: never generated, and the end of a user class's own MRO.
API_BASES: Tuple[type, ...] = (
    hosts.Component, *hosts.COMPONENT_BASES, messages.ProductionMessage, messages.JsonSerialize,
    messages.PickleSerialize, production.Production, object,
)

__all__ = ["API_BASES", "iris_class_name", "package_of"]
