"""Model types: plain data, free of Python class objects, ready for class generation."""

from __future__ import annotations

import dataclasses
from typing import Any, List, Optional, Tuple

from ..errors import Location, PyProdWarning

#: Kinds of generated classes and the PyProd base class each one extends.
BASE_CLASSES = {
    "InboundAdapter": "PyProd.InboundAdapter",
    "OutboundAdapter": "PyProd.OutboundAdapter",
    "BusinessService": "PyProd.BusinessService",
    "BusinessProcess": "PyProd.BusinessProcess",
    "BusinessOperation": "PyProd.BusinessOperation",
    "JsonMessage": "PyProd.JsonMessage",
    "PickleMessage": "PyProd.PickleMessage",
    "Production": "Ens.Production",
}


@dataclasses.dataclass(frozen=True)
class IrisType:
    """An IRIS data type with its type parameters, e.g. ``%String(MAXLEN = "")``."""

    name: str
    params: Tuple[Tuple[str, str], ...] = ()


@dataclasses.dataclass(frozen=True)
class PropertyModel:
    """A property of a host or adapter (from ``IRISProperty``)."""

    py_name: str
    iris_name: str
    iris_type: IrisType
    default: Any
    description: str
    #: The SQL name of a property of a persistent class whose name is an SQL reserved word.
    sql_name: Optional[str] = None


@dataclasses.dataclass(frozen=True)
class ParameterModel:
    """A class parameter (from ``IRISParameter``), other than ``ADAPTER``."""

    py_name: str
    iris_name: str
    value: Any
    datatype: str
    keywords: Tuple[str, ...]
    description: str


@dataclasses.dataclass(frozen=True)
class ColumnModel:
    """A message field projected as its own property and SQL column."""

    py_name: str
    iris_name: str
    iris_type: IrisType
    default: Any
    description: str
    index: bool
    sql_name: Optional[str]
    #: a ``Column`` (pyprod 0.2.0); False for another scalar field held in a property
    column: bool = True


@dataclasses.dataclass(frozen=True)
class MapEntryModel:
    """One ``MessageMap`` entry: a message class and the Python method that handles it."""

    message_class: str
    py_method: str
    iris_method: str


@dataclasses.dataclass(frozen=True)
class ItemModel:
    """An item of a production."""

    name: str
    class_name: str
    category: str
    pool_size: int
    enabled: bool
    foreground: bool
    comment: str
    log_trace_events: bool
    schedule: str
    host_settings: Tuple[Tuple[str, str], ...]
    adapter_settings: Tuple[Tuple[str, str], ...]


@dataclasses.dataclass(frozen=True)
class ProductionModel:
    """The definition of a production."""

    description: str
    actor_pool_size: int
    testing_enabled: bool
    log_general_trace_events: bool
    settings: Tuple[Tuple[str, str], ...]
    items: Tuple[ItemModel, ...]


@dataclasses.dataclass(frozen=True)
class ClassModel:
    """One IRIS class to generate."""

    iris_name: str
    kind: str
    py_module: str
    py_class: str
    description: str
    where: Optional[Location]
    adapter: str = ""
    settings: Tuple[str, ...] = ()
    properties: Tuple[PropertyModel, ...] = ()
    parameters: Tuple[ParameterModel, ...] = ()
    message_map: Tuple[MapEntryModel, ...] = ()
    columns: Tuple[ColumnModel, ...] = ()
    sql_table: Optional[str] = None
    production: Optional[ProductionModel] = None
    #: The IRIS class of the user base class this class extends ("" for the PyProd base class).
    extends: str = ""

    @property
    def base_class(self) -> str:
        return self.extends or BASE_CLASSES[self.kind]

    @property
    def package(self) -> str:
        return self.iris_name.rsplit(".", 1)[0]


@dataclasses.dataclass
class ScriptModel:
    """Everything one script defines, in a stable order (by IRIS class name)."""

    script: str
    module: str
    classes: List[ClassModel]
    warnings: List[PyProdWarning]
