"""Rows stored before a field was retyped: the property keeps the value its old type stored.

IRIS does not convert stored rows when a class's properties change: a property whose type
changed reads the value its slot holds, written under the old type (``"abc"`` where an
``%Integer`` is now declared, ``$HOROLOG`` days where a ``%String`` is). Such a property still
holds what Python wrote with the body, so it is no change made by ObjectScript: the body's value
is what Python reads. For a dataclass or pydantic message, a JSON scalar that the new type takes
exactly (``"12"`` for an ``int``, ``12`` for a ``str``, ``12.0`` for an ``int``) is converted to it;
any other value is left as stored, so the message stays readable (a pydantic model then
validates it). See docs/messages-in-iris.md, "Messages stored before a reload".
"""

from __future__ import annotations

import decimal
import re
from typing import Any, List, Optional

from . import timevalues, values

_INTEGER = re.compile(r"[+-]?\d+\Z", re.ASCII)
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z", re.ASCII)


def _number(value: Any) -> Optional[decimal.Decimal]:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, decimal.Decimal)):
        found = decimal.Decimal(str(value)) if not isinstance(value, decimal.Decimal) else value
        return found if found.is_finite() else None
    if isinstance(value, str) and _NUMBER.match(value.strip()):
        return decimal.Decimal(value.strip())
    return None


def same(stored: Any, form: Any) -> bool:
    """True when property value ``stored`` is ``form`` as ObjectScript compares stored values: the
    same text, or the same number where either side is a number (a slot holds ``12`` or ``"12"``)."""
    if str(stored) == str(form):
        return True
    if isinstance(stored, str) and isinstance(form, str):
        return False
    a, b = _number(stored), _number(form)
    return a is not None and b is not None and a == b


def stored_forms(value: Any) -> List[Any]:
    """Every property value a send could have written for body value ``value``, whatever the
    field's type was then (text, a number, 0/1, ``$HOROLOG`` days or seconds, a time stamp)."""
    if value is None or isinstance(value, (list, dict)):
        return []
    forms = [values.to_iris(value, None)]
    if isinstance(value, str):
        for parse in (timevalues.parse_date, timevalues.parse_datetime, timevalues.parse_time):
            try:
                forms.append(values.to_iris(parse(value), None))
            except (ValueError, TypeError, OverflowError):
                continue
    return forms


def written_before(stored: Any, body_value: Any) -> bool:
    """True when non-empty property value ``stored`` is what a send wrote for ``body_value``
    under some field type: the row was stored so, and ObjectScript has not changed it."""
    if stored in (None, ""):
        return False
    return any(same(stored, form) for form in stored_forms(body_value))


def retype(value: Any, kind: Optional[type]) -> Any:
    """JSON scalar ``value`` as ``kind`` (str, int, float, bool) when it converts exactly; else
    ``value`` unchanged."""
    if kind is str and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if kind is int:
        if isinstance(value, str) and _INTEGER.match(value.strip()):
            return int(value.strip())
        if isinstance(value, float) and value.is_integer():
            return int(value)
    if kind is float and isinstance(value, str) and _number(value) is not None:
        return float(value)
    if kind is bool and type(value) is int and value in (0, 1):
        return bool(value)
    return value
