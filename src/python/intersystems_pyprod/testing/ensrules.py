"""Routing-rule conditions and DTL assignments, run the way IRIS compiles them.

A condition such as ``Document.amount > 100 && Document.{lines(1).sku} = "A1"`` reads
``Document.amount`` as a property of the IRIS message object and ``Document.{path}`` through its
``GetValueAt`` (Ens.Rule.Model.expression); a DTL assignment to ``target.X`` is a property write
and to ``target.{path}`` a ``SetValueAt`` call (Ens.DTL.Assign); a DTL
``<foreach property="source.{lines()}" key="k">`` loops ``k`` over ``GetNextIndex("lines()", k)``
until it answers "", and a key inside a path (``{lines(k).sku}``) is replaced by its value
(Ens.DTL.ForEach). Operators follow ObjectScript:
``=`` and ``!=`` compare text, ``<``, ``>``, ``<=``, ``>=`` compare numbers, ``&&``/``||`` combine,
``+ - * /`` compute and ``_`` concatenates.
"""

from __future__ import annotations

import copy
import operator
import re
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Tuple

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


class ForEach(NamedTuple):
    """A DTL ``<foreach property="source.{lines()}" key="k">`` and the actions inside it, for
    :meth:`Harness.transform`.

    Examples:
        ```python
        from intersystems_pyprod.testing import ForEach

        count = ForEach("source.{lines()}", "k",
                        [("target.items", "target.items + source.{lines(k).qty}")])
        ```
    """

    property: str
    """The list the loop walks, as the DTL writes it (``source.{lines()}``)."""
    key: str
    """The loop variable, usable inside the actions' paths (``lines(k).qty``)."""
    actions: Sequence[Any]
    """Assignments ``(property, value)`` and nested loops, in order."""


class _Parser:
    def __init__(self, expression: str, names: Dict[str, Any]) -> None:
        self.tokens = self._tokens(expression)
        self.names = names
        self.keys = {n: v for n, v in names.items() if isinstance(v, (str, int))}
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
        return read(self.names[head], rest, self.expression, self.keys)


def _steps(path: str) -> List[str]:
    return re.findall(r"\{[^}]*\}|[^.{}]+", path)


def _with_keys(path: str, keys: Optional[Dict[str, Any]]) -> str:
    """``lines(k).sku`` with each foreach key in an index replaced by its value (``lines(2).sku``)."""
    if not keys:
        return path
    return re.sub(r"\((%?[A-Za-z][A-Za-z0-9]*)\)",
                  lambda m: f"({keys[m.group(1)]})" if m.group(1) in keys else m.group(0), path)


def read(obj: Any, path: str, where: str = "", keys: Optional[Dict[str, Any]] = None) -> Any:
    """``obj.a.b`` as compiled ObjectScript reads it: property reads; ``{p}`` is ``GetValueAt(p)``
    (``keys``: the foreach keys in scope)."""
    value = obj
    for step in _steps(path):
        if step.startswith("{"):
            status = Ref()
            value = value.GetValueAt(_with_keys(step[1:-1], keys), "", status)
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


def transform(source: Any, target: Any, assigns: Sequence[Any], keys: Optional[Dict[str, Any]] = None) -> Any:
    """Run DTL actions: ``(property, value)`` for ``<assign property=... value=...>`` and
    :class:`ForEach` loops; returns the status ``Transform`` returns (``keys``: foreach keys in scope)."""
    scope = dict(keys or {})
    for action in assigns:
        if isinstance(action, ForEach):
            status = _foreach(source, target, action, scope)
        else:
            status = _assign(source, target, action[0], action[1], scope)
        if is_error_value(status):
            return status
    return 1


def _assign(source: Any, target: Any, prop: str, value_text: str, keys: Dict[str, Any]) -> Any:
    value = evaluate(value_text, {**keys, "source": source, "target": target})
    head, _, path = prop.partition(".")
    if head != "target" or not path:
        raise HarnessError(f"assign property {prop!r}: write target.<property> or target.{{path}}")
    steps = _steps(path)
    owner = read(target, ".".join(steps[:-1]), prop, keys) if len(steps) > 1 else target
    last = steps[-1]
    if last.startswith("{"):
        return owner.SetValueAt(value, _with_keys(last[1:-1], keys), "set", "")
    declared = owner.__dict__.get("_properties")
    if declared is not None and last not in declared:
        return OfflineErrorStatus(f"<PROPERTY DOES NOT EXIST> {last} of {_class(owner)} (DTL {prop})")
    setattr(owner, last, value)
    return 1


def _foreach(source: Any, target: Any, loop: ForEach, keys: Dict[str, Any]) -> Any:
    """``<foreach property="source.{lines()}" key="k">``: ``k`` = ``GetNextIndex("lines()", k)``
    from "" until it answers "", the actions run for each ``k``."""
    head, _, path = loop.property.partition(".")
    if head not in ("source", "target") or not (path.startswith("{") and path.endswith("}")):
        raise HarnessError(f"foreach property {loop.property!r}: write source.{{list()}} (a path of a Python "
                           "message; its lists are no collection properties)")
    owner = source if head == "source" else target
    where = _with_keys(path[1:-1], keys)
    key: Any = ""
    while True:
        status = Ref()
        key = owner.GetNextIndex(where, key, status)
        if is_error_value(status.value):
            return status.value
        if key == "":
            return 1
        found = transform(source, target, loop.actions, {**keys, loop.key: key})
        if is_error_value(found):
            return found


def dtl_actions(transform_element: Any) -> List[Any]:
    """The actions of a DTL ``<transform>`` element (``xml.etree`` element) in order, for
    :meth:`Harness.transform`: ``<assign action="set">`` as ``(property, value)``, ``<foreach>``
    as :class:`ForEach`; ``<annotation>`` is skipped and any other action is refused.

    Args:
        transform_element: the ``<transform>`` element of a DTL class's ``XData DTL`` block.

    Returns:
        The actions, ready for ``Harness.transform(message, actions, create=...)``.

    Raises:
        HarnessError: an action the harness does not run offline, named.

    Examples:
        ```python
        import xml.etree.ElementTree as ET

        from intersystems_pyprod.testing import dtl_actions

        xml = ("<transform sourceClass='Routing.Invoice' targetClass='Routing.Invoice' create='copy'>"
               "<assign value='&quot;review&quot;' property='target.status' action='set' /></transform>")
        assert dtl_actions(ET.fromstring(xml)) == [("target.status", '"review"')]
        ```
    """
    found: List[Any] = []
    for child in transform_element:
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "annotation":
            continue
        if tag == "assign" and child.get("action", "set") == "set":
            found.append((child.get("property", ""), child.get("value", "")))
        elif tag == "foreach":
            found.append(ForEach(child.get("property", ""), child.get("key", ""), dtl_actions(child)))
        else:
            raise HarnessError(f"DTL <{tag}{' action=' + repr(child.get('action')) if child.get('action') else ''}> "
                               "is not run offline: the harness runs <assign action=\"set\"> and <foreach>")
    return found


def _status_text(status: Any) -> str:
    return status.text if isinstance(status, OfflineErrorStatus) else str(status)


def _class(obj: Any) -> str:
    try:
        return str(obj._ClassName(1))
    except Exception:  # not an IRIS object
        return type(obj).__name__
