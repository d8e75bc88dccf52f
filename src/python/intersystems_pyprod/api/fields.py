"""Declarations on user classes: ``IRISProperty``, ``IRISParameter`` and ``Column``."""

from __future__ import annotations

import copy
from typing import Any, Optional

from ..errors import Location, PyProdError
from ..model.targets import with_target_control
from .origin import caller_location

_MISSING: Any = object()


class IRISProperty:
    """A host or adapter property; with ``settings`` it is a setting on the configuration page.

    ``settings`` forms: ``None`` (a property, not a setting), ``""`` (a setting in the default
    category), ``"Category"``, ``"Category:control"``, ``":control"``, and ``"-"`` (hide the
    inherited setting of this name; no property is generated).
    ``target=True`` marks a setting that names other items (comma-separated): it gets the
    production-item selector as its control, and the portal's diagram draws an arrow for it.
    """

    def __init__(
        self,
        default: Any = None,
        datatype: Any = None,
        description: str = "",
        settings: Optional[str] = None,
        *,
        target: bool = False,
    ) -> None:
        if target:
            try:
                settings = with_target_control(settings)
            except ValueError as exc:
                raise PyProdError(str(exc), where=caller_location(),
                                  fix='write settings="Category" (or leave it out) with target=True') from None
        self.default = default
        self.datatype = datatype
        self.description = description
        self.settings = settings
        self.name: str = ""
        self.where: Optional[Location] = caller_location()

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: Optional[type] = None) -> Any:
        if instance is None:
            return self
        return instance._pyprod_get_setting(self)

    def __set__(self, instance: Any, value: Any) -> None:
        instance._pyprod_set_setting(self, value)

    def __repr__(self) -> str:
        return f"IRISProperty(default={self.default!r}, datatype={self.datatype!r}, settings={self.settings!r})"


class IRISParameter:
    """A class parameter (a constant). ``ADAPTER`` names the host's adapter class."""

    def __init__(self, value: Any, datatype: Any = "", description: str = "", keyword_list: str = "") -> None:
        self.value = value
        self.datatype = datatype
        self.description = description
        self.keyword_list = keyword_list
        self.name: str = ""
        self.where: Optional[Location] = caller_location()

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: Optional[type] = None) -> Any:
        if instance is None:
            return self
        if self.name == "ADAPTER":
            return instance._pyprod_adapter()
        return self.value

    def __set__(self, instance: Any, value: Any) -> None:
        raise AttributeError(f"{self.name} is an IRIS class parameter (a constant) and cannot be changed")

    def __repr__(self) -> str:
        return f"IRISParameter({self.value!r})"


class Column:
    """A message field stored as its own SQL column (optionally indexed), besides the body.

    ``Column(default, datatype, description, index)``; ``datatype`` may be a Python type
    (``str``, ``int``, ``float``, ``bool``, ``date``, ``datetime``, ``time``, ``Decimal``) or an
    IRIS type name; when omitted it comes from the field's annotation. Other keyword arguments
    are kept in ``extra`` (as pyprod 0.2.0 does); they do not change the generated class.
    """

    def __init__(
        self,
        default: Any = None,
        datatype: Any = None,
        description: Optional[str] = None,
        index: bool = False,
        **extra: Any,
    ) -> None:
        self.default = default
        self.datatype = datatype
        self.description = description or ""
        self.index = bool(index)
        self.extra = dict(extra)
        self.name: str = ""
        self.where: Optional[Location] = caller_location()

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def get_default(self) -> Any:
        return self.default

    def __get__(self, instance: Any, owner: Optional[type] = None) -> Any:
        """On the class: the column's declaration. On a message that never got a value for it (a
        dataclass ``__init__`` that does not know the column, a body without the field): a copy of
        its default, kept on the message so later changes stay."""
        if instance is None:
            return self
        value = copy.copy(self.default)
        if self.name:
            instance.__dict__[self.name] = value
        return value

    def __repr__(self) -> str:
        return f"Column(default={self.default!r}, datatype={self.datatype!r}, index={self.index})"
