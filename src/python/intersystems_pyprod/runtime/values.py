"""Scalar values between Python and IRIS properties (settings and message columns)."""

from __future__ import annotations

import datetime
import decimal
import re
from typing import Any, Optional

from ..api.fields import IRISProperty
from ..api.messages import own_annotations
from ..model import datatypes, inherited
from ..model.types import IrisType
from ..naming import iris_name
from . import timevalues

_HOROLOG_EPOCH = datetime.date(1840, 12, 31)
_HOROLOG_DAYS = re.compile(r"-?\d+", re.ASCII)
_HOROLOG_SECONDS = re.compile(r"\d+(?:\.\d*)?", re.ASCII)
_BY_IRIS = {
    "%Integer": int, "%Double": float, "%Boolean": bool, "%Numeric": decimal.Decimal,
    "%Date": datetime.date, "%TimeStamp": datetime.datetime, "%Time": datetime.time,
}


def python_type(itype: IrisType) -> Optional[type]:
    """The Python type values of ``itype`` convert to (None: leave them as they are)."""
    if itype.name in datatypes.TEXT_TYPES:
        return str
    return _BY_IRIS.get(itype.name)


def property_type(prop: IRISProperty, owner: type) -> IrisType:
    """The IRIS type of a setting, derived exactly as class generation derives it (cached)."""
    cached = prop.__dict__.get("_pyprod_type")
    if cached is None:
        annotation = None
        for klass in owner.__mro__:
            annotations = own_annotations(klass)
            if prop.name in annotations:
                annotation = annotations[prop.name]
                break
        found = inherited.inherited(getattr(owner, "_pyprod_kind", ""), iris_name(prop.name))
        if found is not None and found[1] is not None:  # a setting that keeps an inherited property
            cached = found[1]
        else:
            spec = datatypes.declared_type(prop.datatype, annotation, prop.default)
            cached = datatypes.iris_type(spec, f"setting {owner.__name__}.{prop.name}", prop.where)
        prop.__dict__["_pyprod_type"] = cached
    return cached


def initial_value(default: Any, itype: IrisType) -> Any:
    """The value an IRIS property holds from its ``InitialExpression`` (``""`` without a default):
    a text property holds the default's ``str()`` (``IRISProperty(True)`` reads ``"True"``)."""
    if default is None:
        return ""
    if itype.name in datatypes.TEXT_TYPES and not isinstance(default, str):
        return str(default)
    return to_iris(default, None)


def to_python(value: Any, kind: Optional[type]) -> Any:
    """An IRIS property value (possibly text from production settings) as a Python value."""
    if value is None or kind is None:
        return value
    if value == "" and kind is not str:
        return None
    if kind is str:
        return value if isinstance(value, str) else str(value)
    if kind is bool:
        if isinstance(value, str):
            return value.strip().lower() in ("1", "true", "yes", "on")
        return bool(value)
    if kind is int:
        return value if isinstance(value, int) and not isinstance(value, bool) else int(str(value).strip())
    if kind is float:
        return float(value)
    if kind is decimal.Decimal:
        return decimal.Decimal(str(value))
    if kind is datetime.date:
        if isinstance(value, datetime.date):
            return value
        text = str(value).strip()
        if _HOROLOG_DAYS.fullmatch(text):
            return _HOROLOG_EPOCH + datetime.timedelta(days=int(text))
        return timevalues.parse_date(text)
    if kind is datetime.datetime:
        # %TimeStamp text in any form IRIS writes, read alike on every Python (see timevalues)
        found = value if isinstance(value, datetime.datetime) else timevalues.parse_datetime(value)
        return timevalues.utc_naive(found)
    if kind is datetime.time:
        if isinstance(value, datetime.time):
            return value
        text = str(value).strip()
        if _HOROLOG_SECONDS.fullmatch(text):  # %Time: seconds since midnight, maybe with a fraction
            whole, _, fraction = text.partition(".")
            seconds = int(whole)
            return datetime.time(seconds // 3600, seconds // 60 % 60, seconds % 60, int(fraction[:6].ljust(6, "0")))
        return timevalues.parse_time(text)
    return value


#: Types whose values IRIS properties store as they are (bool, a subclass of int, is not one).
_AS_IS = frozenset((str, int, float))


def to_iris(value: Any, kind: Optional[type]) -> Any:
    """A Python value in the form its IRIS property stores (``%Date`` as $HOROLOG days, ...)."""
    if type(value) in _AS_IS:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime.datetime):
        # %TimeStamp holds no zone and refuses an offset on save: aware values are stored as UTC
        return timevalues.timestamp_text(value)
    if isinstance(value, datetime.date):
        return (value - _HOROLOG_EPOCH).days
    if isinstance(value, datetime.time):
        return value.hour * 3600 + value.minute * 60 + value.second
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value
