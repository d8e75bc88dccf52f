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

    Reading the attribute on a component gives the setting's current value (as configured on
    the production item), converted to ``datatype``; outside a production it is the default.
    Without a ``datatype`` or an annotation the property is ``%VarString`` and reads as text.

    Args:
        default: The initial value (the ``InitialExpression`` of the property).
        datatype: A Python type (``str``, ``int``, ``float``, ``bool``, ``Decimal``, ``date``,
            ``datetime``, ``time``) or an IRIS type name (``"%Integer"``).
        description: The property's description, shown as the setting's help in the portal.
        settings: Where the setting goes on the configuration page (see the forms above);
            ``None`` makes a plain property.
        target: The setting names other production items: the item selector is its control.

    Examples:
        ```python
        from intersystems_pyprod import BusinessService, IRISProperty, JsonSerialize

        class OrderRequest(JsonSerialize):
            text: str

        class OrderService(BusinessService):
            target = IRISProperty("OrderRouter", settings="Basic", target=True)
            folder = IRISProperty("/data/in", str, "Where orders arrive", "Basic:directorySelector")
            retries = IRISProperty(3, int, "Retries", ":spinner")
            counter = IRISProperty(0, int)          # a property, not a setting

            def OnProcessInput(self, input):
                self.counter += 1
                return self.SendRequestAsync(self.target, OrderRequest(input))
        ```
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
    """A class parameter (a constant). ``ADAPTER`` names the host's adapter class.

    Reading the attribute gives ``value``; reading ``ADAPTER`` on a running host gives the
    adapter object, whose methods the host calls. Assigning to it is an error.

    Args:
        value: The parameter's value; for ``ADAPTER``, a Python adapter class or an IRIS class
            name (``"EnsLib.File.OutboundAdapter"``).
        datatype: An IRIS parameter type (``STRING``, ``INTEGER``, ``BOOLEAN``,
            ``COSEXPRESSION``, ``CONFIGVALUE``, ``CLASSNAME``, ...) or ``str``, ``int``, ``bool``.
        description: The parameter's description.
        keyword_list: Parameter keywords separated by commas: ``Final``, ``Internal``,
            ``Abstract``, ``Deprecated``, ``Constraint = "..."``, ``Flags = ...``.

    Examples:
        ```python
        from intersystems_pyprod import BusinessOperation, IRISParameter

        class FileWriter(BusinessOperation):
            ADAPTER = IRISParameter("EnsLib.File.OutboundAdapter")
            INVOCATION = IRISParameter("Queue")
            MAX_LINES = IRISParameter(100, "INTEGER", "Lines per file", "Final")

            def OnMessage(self, request):
                lines = request.text.splitlines(keepends=True)[:self.MAX_LINES]
                return self.ADAPTER.PutString("out.txt", "".join(lines))
        ```
    """

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

    The column is a real property of the message's IRIS class: routing rules, DTL, SQL and the
    Message Viewer's search see it, and with ``index=True`` it gets an index ``<Name>IDX``.

    Args:
        default: The field's default (copied for each message when mutable).
        datatype: The column's type (see above); text (``%VarString``) without it and without an
            annotation.
        description: The property's description.
        index: Also create an index on the column.
        **extra: Other keywords, kept in ``extra`` and otherwise ignored.

    Examples:
        ```python
        from intersystems_pyprod import Column, JsonSerialize

        class Order(JsonSerialize):
            order_id = Column(0, int, "The order number", index=True)
            customer: str = Column(index=True)
            lines: list          # travels in the body only
        ```
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
        """The column's default (pyprod 0.2.0's accessor).

        Examples:
            ```python
            Order.order_id.get_default()   # 0
            ```
        """
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
