"""What IRIS's data types accept when an object is saved (``%Integer``, ``%Double``, ...), so the
stand-in refuses what IRIS refuses: a value an ``%Integer`` column cannot hold fails the save."""

from __future__ import annotations

import decimal
import re
from typing import Any

_INTEGER = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def _number(value: Any) -> Any:
    """The value as a number, or None when IRIS would not take it for one."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float, decimal.Decimal)):
        return value
    if isinstance(value, str) and _NUMBER.match(value.strip()):
        return decimal.Decimal(value.strip())
    return None


def valid(datatype: str, value: Any) -> bool:
    """True when a property of ``datatype`` can hold ``value`` (an empty value is always valid: it
    is SQL null); types not listed here are not checked."""
    if value is None or value == "":
        return True
    number = _number(value)
    if datatype == "%Integer":
        if isinstance(value, str):
            return bool(_INTEGER.match(value.strip()))
        return number is not None and number == int(number)
    if datatype in ("%Double", "%Numeric", "%Decimal", "%Float", "%Currency"):
        return number is not None
    if datatype == "%Boolean":
        return value in (0, 1, "0", "1") or isinstance(value, bool)
    return True
