"""Routing-rule conditions and DTL assignments, run the way IRIS compiles them.

A condition such as ``Document.amount > 100 && Document.{lines(1).sku} = "A1"`` reads
``Document.amount`` as a property of the IRIS message object and ``Document.{path}`` through its
``GetValueAt`` (Ens.Rule.Model.expression); a DTL assignment to ``target.X`` is a property write
and to ``target.{path}`` a ``SetValueAt`` call (Ens.DTL.Assign). Operators follow ObjectScript:
``=`` and ``!=`` compare text, ``<``, ``>``, ``<=``, ``>=`` compare numbers, ``&&``/``||`` combine,
``+ - * /`` compute and ``_`` concatenates.
"""

from __future__ import annotations

import copy
import operator
import re
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..api.engine import OfflineErrorStatus, is_error_value
from .records import HarnessError
from .standin import Ref, Stream

_TOKEN = re.compile(r'\s*(?:(?P<num>\d+(?:\.\d*)?|\.\d+)|(?P<str>"(?:[^"]|"")*")|'
                    r"(?P<ref>[A-Za-z][A-Za-z0-9]*(?:\.(?:\{[^}]*\}|%?[A-Za-z][A-Za-z0-9]*))*)|"
                    r"(?P<op>&&|\|\||!=|>=|<=|[=<>()+\-*/_!]))")
_ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}
_NUMBER_PREFIX = re.compile(r"\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def number(value: Any) -> Any:
    """ObjectScript's numeric value of ``value`` (``+value``): a string's leading number, else 0."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    match = _NUMBER_PREFIX.match(str(value))
    if not match:
        return 0
    found = float(match.group(0))
    return int(found) if found.is_integer() and "e" not in match.group(0).lower() else found


def text(value: Any) -> str:
    """ObjectScript's string form of ``value`` (numbers canonical: ``.5``, ``100``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        shown = repr(value)
        return shown[1:] if shown.startswith("0.") else "-" + shown[2:] if shown.startswith("-0.") else shown
    return str(value)


class _Parser:
    def __init__(self, expression: str, names: Dict[str, Any]) -> None:
        self.tokens = self._tokens(expression)
        self.names = names
        self.expression = expression
        self.at = 0

    def _tokens(self, expression: str) -> List[Tuple[str, str]]:
        found, position = [], 0
        while position < len(expression.rstrip()):
            match = _TOKEN.match(expression, position)
            if match is None or match.end() == position:
                raise HarnessError(f"cannot read {expression[position:]!r} in {expression!r}")
            kind = match.lastgroup or ""
            found.append((kind, match.group(kind)))
            position = match.end()
        return found

    def peek(self) -> Optional[str]:
        return self.tokens[self.at][1] if self.at < len(self.tokens) else None

    def take(self) -> Tuple[str, str]:
        if self.at >= len(self.tokens):
            raise HarnessError(f"{self.expression!r} ends too early")
        self.at += 1
        return self.tokens[self.at - 1]

    def parse(self) -> Any:
        value = self.either()
        if self.at != len(self.tokens):
            raise HarnessError(f"unexpected {self.peek()!r} in {self.expression!r}")
        return value

    def either(self) -> Any:
        value = self.both()
        while self.peek() == "||":
            self.take()
            right = self.both()
            value = int(bool(number(value)) or bool(number(right)))
        return value

    def both(self) -> Any:
        value = self.compare()
        while self.peek() == "&&":
            self.take()
            right = self.compare()
            value = int(bool(number(value)) and bool(number(right)))
        return value

    def compare(self) -> Any:
        value = self.arithmetic()
        while self.peek() in ("=", "!=", "<", ">", "<=", ">="):
            op = self.take()[1]
            right = self.arithmetic()
            if op in ("=", "!="):
                value = int((text(value) == text(right)) == (op == "="))
            else:
                a, b = number(value), number(right)
                value = int({"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op])
        return value

    def arithmetic(self) -> Any:
        value = self.unary()
        while self.peek() in ("+", "-", "*", "/", "_"):
            op = self.take()[1]
            right = self.unary()
            if op == "_":
                value = text(value) + text(right)
            else:
                a, b = number(value), number(right)
                value = _ARITHMETIC[op](a, b)
        return value

    def unary(self) -> Any:
        if self.peek() in ("!", "-"):
            op = self.take()[1]
            value = self.unary()
            return int(not number(value)) if op == "!" else -number(value)
        return self.primary()

    def primary(self) -> Any:
        kind, token = self.take()
        if token == "(":
            value = self.either()
            if self.take()[1] != ")":
                raise HarnessError(f"a ')' is missing in {self.expression!r}")
            return value
        if kind == "num":
            return number(token)
        if kind == "str":
            return token[1:-1].replace('""', '"')
        if kind == "ref":
            return self.reference(token)
        raise HarnessError(f"unexpected {token!r} in {self.expression!r}")

    def reference(self, token: str) -> Any:
        head, _, rest = token.partition(".")
        if head not in self.names:
            raise HarnessError(f"{head!r} is not one of {sorted(self.names)} in {self.expression!r}")
        return read(self.names[head], rest, self.expression)


def _steps(path: str) -> List[str]:
    return re.findall(r"\{[^}]*\}|[^.{}]+", path)


def read(obj: Any, path: str, where: str = "") -> Any:
    """``obj.a.b`` as compiled ObjectScript reads it: property reads; ``{p}`` is ``GetValueAt(p)``."""
    value = obj
    for step in _steps(path):
        if step.startswith("{"):
            status = Ref()
            value = value.GetValueAt(step[1:-1], "", status)
            if is_error_value(status.value):
                raise HarnessError(f"{where}: GetValueAt failed: {_status_text(status.value)}")
        else:
            try:
                value = getattr(value, step)
            except AttributeError:
                raise HarnessError(f"{where}: <PROPERTY DOES NOT EXIST> {step} of {_class(value)}") from None
    return value


def evaluate(expression: str, names: Dict[str, Any]) -> Any:
    """The value of a rule or DTL expression over the IRIS objects ``names`` (``Document``, ``source``)."""
    return _Parser(expression, names).parse()


def condition(document: Any, expression: str) -> bool:
    """A routing rule condition over ``Document`` (the IRIS message body object)."""
    return bool(number(evaluate(expression, {"Document": document})))


def clone(obj: Any) -> Any:
    """``%ConstructClone()``: a new object with the same property values and copies of its streams."""
    twin = object.__new__(type(obj))
    for name, value in obj.__dict__.items():
        if isinstance(value, Stream):
            copied = Stream(value.class_name)
            copied._chunks = list(value._chunks)
            value = copied
        twin.__dict__[name] = copy.copy(value) if isinstance(value, (list, dict)) else value
    twin.__dict__.pop("_id", None)
    return twin


def transform(source: Any, target: Any, assigns: Sequence[Tuple[str, str]]) -> Any:
    """Run DTL ``<assign property=... value=...>`` actions; returns the status ``Transform`` returns."""
    for prop, value_text in assigns:
        value = evaluate(value_text, {"source": source, "target": target})
        head, _, path = prop.partition(".")
        if head != "target" or not path:
            raise HarnessError(f"assign property {prop!r}: write target.<property> or target.{{path}}")
        steps = _steps(path)
        owner = read(target, ".".join(steps[:-1]), prop) if len(steps) > 1 else target
        last = steps[-1]
        if last.startswith("{"):
            status = owner.SetValueAt(value, last[1:-1], "set", "")
            if is_error_value(status):
                return status
            continue
        declared = owner.__dict__.get("_properties")
        if declared is not None and last not in declared:
            return OfflineErrorStatus(f"<PROPERTY DOES NOT EXIST> {last} of {_class(owner)} (DTL {prop})")
        setattr(owner, last, value)
    return 1


def _status_text(status: Any) -> str:
    return status.text if isinstance(status, OfflineErrorStatus) else str(status)


def _class(obj: Any) -> str:
    try:
        return str(obj._ClassName(1))
    except Exception:  # not an IRIS object
        return type(obj).__name__
