"""Writing user values into UDL text so that no value can escape its literal or comment."""

from __future__ import annotations

import datetime
import decimal
from typing import Any, List

from ..errors import PyProdError
from ..model.datatypes import TEXT_TYPES
from ..model.types import IrisType
from ..naming import CONTROL_CHARS
from ..runtime.timevalues import timestamp_text

#: Characters that never appear raw in generated UDL text.
_CONTROL = CONTROL_CHARS
#: Characters written as ``$c()`` inside keyword values (where brackets delimit the value).
_UNSAFE = _CONTROL | {"{", "}", "[", "]"}
#: Characters that end or disturb a ``///`` comment line.
_LINE_BREAKS = {"\r", "\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"}


def string_literal(text: str) -> str:
    """``"text"`` with ``"`` doubled; only for text without unsafe characters."""
    return '"' + text.replace('"', '""') + '"'


def needs_expression(text: str) -> bool:
    """True when ``text`` holds characters that must be written as ``$c(...)``."""
    return any(ch in _UNSAFE for ch in text)


def string_expression(text: str) -> str:
    """An ObjectScript expression whose value is ``text``: literals joined with ``$c()``."""
    parts: List[str] = []
    run: List[str] = []
    codes: List[int] = []
    for ch in text:
        if ch in _UNSAFE:
            if run:
                parts.append(string_literal("".join(run)))
                run = []
            codes.append(ord(ch))
        else:
            if codes:
                parts.append("$c(" + ",".join(map(str, codes)) + ")")
                codes = []
            run.append(ch)
    if run:
        parts.append(string_literal("".join(run)))
    if codes:
        parts.append("$c(" + ",".join(map(str, codes)) + ")")
    return "_".join(parts) if parts else '""'


def number_literal(value: Any) -> str:
    """An ObjectScript numeric literal."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value).upper()
        return text[:-2] if text.endswith(".0") else text
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    raise TypeError(value)


def initial_expression(value: Any, itype: IrisType) -> str:
    """The ``InitialExpression`` keyword value for a default of type ``itype``; a text property gets
    the default as Python writes it (``"True"``, ``"12.5"``), the value pyprod 0.2.0 gives."""
    if itype.name in TEXT_TYPES and not isinstance(value, str):
        value = str(value)
    if isinstance(value, bool) or isinstance(value, (int, float, decimal.Decimal)):
        if itype.name in ("%Integer", "%Boolean", "%Double", "%Numeric", "%Float", "%Decimal"):
            return number_literal(value)
        return string_literal(number_literal(value))
    if isinstance(value, datetime.datetime):
        return string_literal(timestamp_text(value))  # UTC when aware: %TimeStamp has no zone
    if isinstance(value, datetime.date):
        return "{$zdateh(" + string_literal(value.isoformat()) + ",3)}"
    if isinstance(value, datetime.time):
        return "{$ztimeh(" + string_literal(value.isoformat()) + ")}"
    text = str(value)
    return "{" + string_expression(text) + "}" if needs_expression(text) else string_literal(text)


def parameter_value(value: Any) -> str:
    """A class parameter value (text is single-line, checked by the model)."""
    if isinstance(value, (bool, int, float)):
        return number_literal(value)
    if any(ch in _CONTROL for ch in value):
        raise ValueError("parameter values must not contain control characters")
    return string_literal(value)


def type_text(itype: IrisType) -> str:
    """``%String(MAXLEN = "")``."""
    if not itype.params:
        return itype.name
    return itype.name + "(" + ", ".join(f"{k} = {v}" for k, v in itype.params) + ")"


def doc_lines(text: str, indent: str = "") -> List[str]:
    """``///`` comment lines holding ``text``; line breaks start new comment lines."""
    if not text:
        return []
    for ch in _LINE_BREAKS:
        text = text.replace(ch, "\n")
    cleaned = "".join(ch if ch == "\n" or ch == "\t" or (ord(ch) >= 32 and ch != "\x7f") else " " for ch in text)
    lines = [line.rstrip() for line in cleaned.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return [f"{indent}/// {line}".rstrip() for line in lines]


_XML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;", "{": "&#123;", "}": "&#125;",
        "\n": "&#10;", "\r": "&#13;", "\t": "&#9;", "\u2028": "&#8232;", "\u2029": "&#8233;", "\x85": "&#133;"}


def xml_text(text: str, what: str) -> str:
    """``text`` escaped for an XML attribute or element inside an XData block."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch in _XML:
            out.append(_XML[ch])
        elif code < 32 or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
            raise PyProdError(f"{what} contains the control character U+{code:04X}, which XML cannot hold",
                              fix="remove control characters from the text")
        elif code == 0x7F:
            out.append("&#127;")
        else:
            out.append(ch)
    return "".join(out)
