"""A bounded ``repr`` for message traces and the message viewer.

Messages that arrived as pickles may share references (a list holding the same list twice, a
hundred levels deep, prints as 2**100 items) or hold numbers Python refuses to print. This
renderer visits a bounded number of values, to a bounded depth, and stops at a bounded length,
so showing any message takes bounded time. It never runs a user class's ``__repr__``.
"""

from __future__ import annotations

import collections
import datetime
import decimal
import enum
import fractions
import ipaddress
import pathlib
import uuid
from typing import Any, List

MAX_CHARS = 20_000
MAX_DEPTH = 12
MAX_ITEMS = 200
MAX_NODES = 5_000
MAX_STRING = 2_000
_VALUE_TYPES = (float, complex, decimal.Decimal, fractions.Fraction, datetime.date, datetime.time,
                datetime.timedelta, datetime.tzinfo, uuid.UUID, pathlib.PurePath, enum.Enum,
                ipaddress.IPv4Address, ipaddress.IPv6Address, ipaddress.IPv4Network, ipaddress.IPv6Network)


class _Budget:
    def __init__(self, chars: int, nodes: int) -> None:
        self.chars, self.nodes = chars, nodes


def bounded_repr(value: Any, max_chars: int = MAX_CHARS) -> str:
    """``repr(value)``, bounded in time and length (``...`` marks what was left out)."""
    parts: List[str] = []
    _render(value, parts, _Budget(max_chars, MAX_NODES), 0)
    text = "".join(parts)
    return text if len(text) <= max_chars else text[:max_chars] + "..."


def _emit(parts: List[str], budget: _Budget, text: str) -> None:
    parts.append(text)
    budget.chars -= len(text)


def _render(value: Any, parts: List[str], budget: _Budget, depth: int) -> None:
    budget.nodes -= 1
    if budget.nodes < 0 or budget.chars < 0 or depth > MAX_DEPTH:
        _emit(parts, budget, "...")
        return
    if value is None or isinstance(value, bool):
        _emit(parts, budget, repr(value))
    elif isinstance(value, int):
        _emit(parts, budget, repr(int(value)) if value.bit_length() <= 4000 else f"<int of {value.bit_length()} bits>")
    elif isinstance(value, (str, bytes, bytearray)):
        cut = value[:MAX_STRING]
        more = f"...({len(value) - MAX_STRING} more)" if len(value) > MAX_STRING else ""
        _emit(parts, budget, repr(cut) + more)
    elif isinstance(value, type):
        _emit(parts, budget, f"<class {value.__module__}.{value.__qualname__}>")
    elif isinstance(value, _VALUE_TYPES):
        _emit(parts, budget, _safe_repr(value))
    elif isinstance(value, dict):
        _sequence(_prefix(value, dict), "{", "}", list(value.items())[:MAX_ITEMS + 1], parts, budget, depth, pairs=True)
    elif isinstance(value, (list, tuple, set, frozenset, collections.deque)):
        base = next(t for t in (list, tuple, set, frozenset, collections.deque) if isinstance(value, t))
        brackets = {list: "[]", tuple: "()", set: "{}", frozenset: "{}", collections.deque: "[]"}[base]
        opening, closing = brackets[0], brackets[1]
        items = list(value)[:MAX_ITEMS + 1] if len(value) <= 100_000 else _first(value)
        _sequence(_prefix(value, base), opening, closing, items, parts, budget, depth)
    else:
        _instance(value, parts, budget, depth)


def _first(value: Any) -> List[Any]:
    items = []
    for item in value:
        items.append(item)
        if len(items) > MAX_ITEMS:
            break
    return items


def _prefix(value: Any, base: type) -> str:
    return "" if type(value) is base else type(value).__qualname__


def _sequence(prefix: str, opening: str, closing: str, items: List[Any], parts: List[str], budget: _Budget,
              depth: int, pairs: bool = False) -> None:
    _emit(parts, budget, f"{prefix}({opening}" if prefix else opening)
    for index, item in enumerate(items):
        if index:
            _emit(parts, budget, ", ")
        if index == MAX_ITEMS or budget.chars < 0 or budget.nodes < 0:
            _emit(parts, budget, "...")
            break
        if pairs:
            _render(item[0], parts, budget, depth + 1)
            _emit(parts, budget, ": ")
            _render(item[1], parts, budget, depth + 1)
        else:
            _render(item, parts, budget, depth + 1)
    _emit(parts, budget, f"{closing})" if prefix else closing)


def _instance(value: Any, parts: List[str], budget: _Budget, depth: int) -> None:
    """``Class(attr=value, ...)`` from the message fields or the instance's attributes."""
    fields = getattr(type(value), "_pyprod_fields", None)
    if isinstance(fields, tuple):
        names = list(fields)
    else:
        try:
            names = [n for n in vars(value) if isinstance(n, str)]
        except TypeError:  # no __dict__ (slots or a built-in type): name the object only
            _emit(parts, budget, f"<{type(value).__qualname__} object>")
            return
    _emit(parts, budget, f"{type(value).__qualname__}(")
    for index, name in enumerate(names[:MAX_ITEMS + 1]):
        if index:
            _emit(parts, budget, ", ")
        if index == MAX_ITEMS or budget.chars < 0 or budget.nodes < 0:
            _emit(parts, budget, "...")
            break
        _emit(parts, budget, f"{name}=")
        _render(getattr(value, name, None) if fields else vars(value)[name], parts, budget, depth + 1)
    _emit(parts, budget, ")")


def _safe_repr(value: Any) -> str:
    try:
        text = repr(value)
    except Exception as exc:  # e.g. a Fraction whose integers exceed Python's digit limit
        return f"<{type(value).__qualname__}: {type(exc).__name__}>"
    return text if len(text) <= MAX_STRING else text[:MAX_STRING] + f"...({len(text) - MAX_STRING} more)"
