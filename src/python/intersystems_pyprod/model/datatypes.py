"""Python types and values -> IRIS data types, in one table."""

from __future__ import annotations

import datetime
import decimal
import typing
from typing import Any, Optional

from ..errors import Location, PyProdError
from ..naming import is_type_name
from .types import IrisType

#: Text of any length: pyprod 0.2.0's type for ``str`` and for every setting or column that
#: declares no type (``%Library.VarString`` is ``%String`` with ``MAXLEN = ""``).
UNLIMITED_STRING = IrisType("%VarString")
#: IRIS types whose values are text: a default of any Python type is written as its ``str()``.
TEXT_TYPES = ("%String", "%VarString", "%Library.String", "%Library.VarString")

_BY_TYPE = {
    str: UNLIMITED_STRING,
    int: IrisType("%Integer"),
    float: IrisType("%Double"),
    bool: IrisType("%Boolean"),
    decimal.Decimal: IrisType("%Numeric"),
    datetime.date: IrisType("%Date"),
    datetime.datetime: IrisType("%TimeStamp"),
    datetime.time: IrisType("%Time"),
}
_BY_NAME = {t.__name__: it for t, it in _BY_TYPE.items()}
_BY_NAME["decimal"] = _BY_TYPE[decimal.Decimal]
_BY_NAME["num"] = _BY_TYPE[decimal.Decimal]  # pyprod 0.2.0's name for %Numeric
SUPPORTED = "str, int, float, bool, Decimal, date, datetime, time, or an IRIS type name such as %String"


def _unwrap_optional(tp: Any) -> Any:
    """``Optional[int]`` / ``int | None`` -> ``int``."""
    args = typing.get_args(tp)
    if args and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1:
            return rest[0]
    return tp


def is_known(spec: Any) -> bool:
    """True when ``spec`` names a type with an IRIS equivalent; other types are stored as text."""
    try:
        _lookup(spec)
    except LookupError:
        return False
    return True


def iris_type(spec: Any, what: str, where: Optional[Location]) -> IrisType:
    """The IRIS type for a ``datatype`` argument or an annotation: a type without an IRIS
    equivalent is stored as unlimited text, as pyprod 0.2.0 stores it (the model warns)."""
    try:
        return _lookup(spec)
    except LookupError:
        return UNLIMITED_STRING


def _lookup(spec: Any) -> IrisType:
    spec = _unwrap_optional(spec)
    if isinstance(spec, type) and spec in _BY_TYPE:
        return _BY_TYPE[spec]
    if isinstance(spec, str):
        text = spec.strip()
        if text.startswith("Optional[") and text.endswith("]"):
            text = text[len("Optional["):-1].strip()
        if text.endswith("| None"):
            text = text[: -len("| None")].strip()
        if text in _BY_NAME:
            return _BY_NAME[text]
        if text.startswith("datetime.") and text[len("datetime."):] in _BY_NAME:
            return _BY_NAME[text[len("datetime."):]]
        if (text.startswith("%") or "." in text) and is_type_name(text):
            return IrisType(text)
    raise LookupError(spec)


def declared_type(datatype: Any, annotation: Any, default: Any) -> Any:
    """The type a setting or column declares: its ``datatype``, else its annotation, else ``str``,
    whatever its default (as pyprod 0.2.0: ``IRISProperty(0)`` is text, so the portal and a
    column take ``"5s"`` or ``12.5`` as well). Generation and the runtime both use this one rule."""
    if datatype not in (None, ""):
        return datatype
    if annotation is not None:
        return annotation
    return str


def family(name: str) -> str:
    """``%String`` for every text type name, else ``name``."""
    return "%String" if name in TEXT_TYPES else name


def check_default(value: Any, itype: IrisType, what: str, where: Optional[Location]) -> None:
    """Refuse a default that cannot be written for ``itype``."""
    if value is None:
        return
    expected = {
        "%Integer": (int,), "%Boolean": (bool, int), "%Double": (int, float),
        "%Numeric": (int, float, decimal.Decimal), "%Date": (datetime.date,),
        "%TimeStamp": (datetime.datetime,), "%Time": (datetime.time,),
    }.get(itype.name)
    # a scalar default of a text property is written as its str(), as pyprod 0.2.0 writes it
    ok_types = expected or (str, int, float, bool, decimal.Decimal, datetime.date, datetime.time)
    if expected and itype.name == "%Date" and isinstance(value, datetime.datetime):
        ok_types = ()
    if expected == (int,) and isinstance(value, bool):
        ok_types = ()
    if not isinstance(value, ok_types):
        raise PyProdError(
            f"{what} has default {value!r}, which does not fit its IRIS type {itype.name}",
            where=where,
            fix="give a default of the declared type, or change the datatype",
        )
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        raise PyProdError(f"{what} has default {value!r}; IRIS numbers cannot be NaN or infinite",
                          where=where, fix="use a finite number")
