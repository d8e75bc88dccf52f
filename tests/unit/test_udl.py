"""Escaping user values into UDL and XML text."""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intersystems_pyprod.classgen import udl
from intersystems_pyprod.errors import PyProdError
from intersystems_pyprod.model.types import IrisType

_TOKEN = re.compile(r'"((?:[^"]|"")*)"|\$c\(([0-9,]+)\)|(_)')


def evaluate(expr: str) -> str:
    """Evaluate the tiny ObjectScript subset string_expression emits: literals, $c(), and _."""
    out, pos = [], 0
    while pos < len(expr):
        match = _TOKEN.match(expr, pos)
        assert match, f"unexpected text at {pos}: {expr[pos:pos + 20]!r}"
        if match.group(1) is not None:
            out.append(match.group(1).replace('""', '"'))
        elif match.group(2) is not None:
            out.append("".join(chr(int(c)) for c in match.group(2).split(",")))
        pos = match.end()
    return "".join(out)


@given(st.text())
def test_string_expression_round_trips(text):
    expr = udl.string_expression(text)
    assert evaluate(expr) == text
    assert not any(ord(ch) < 32 or ch in "{}[]\x7f\x85\u2028\u2029" for ch in expr)


@given(st.text())
def test_initial_expression_of_text_is_single_line_and_balanced(text):
    expr = udl.initial_expression(text, IrisType("%String"))
    assert "\n" not in expr and "\r" not in expr
    inner = expr[1:-1] if expr.startswith("{") else expr
    assert "{" not in inner and "}" not in inner
    assert evaluate(inner) == text


def test_quotes_are_doubled():
    assert udl.string_literal('say "hi"') == '"say ""hi"""'
    assert udl.initial_expression('a"b', IrisType("%String")) == '"a""b"'


def test_newline_becomes_char_code():
    assert udl.initial_expression("a\nb", IrisType("%String")) == '{"a"_$c(10)_"b"}'


@pytest.mark.parametrize("value, itype, expected", [
    (5, "%Integer", "5"), (True, "%Boolean", "1"), (False, "%Boolean", "0"), (2.5, "%Double", "2.5"),
    (1e-05, "%Double", "1E-05"), (3.0, "%Double", "3"), (7, "%String", '"7"'),
    (datetime.date(2024, 1, 31), "%Date", '{$zdateh("2024-01-31",3)}'),
    (datetime.datetime(2024, 1, 31, 10, 5), "%TimeStamp", '"2024-01-31 10:05:00"'),
    (datetime.time(10, 5), "%Time", '{$ztimeh("10:05:00")}'),
])
def test_initial_expressions(value, itype, expected):
    assert udl.initial_expression(value, IrisType(itype)) == expected


@given(st.text())
def test_doc_lines_never_break_out(text):
    lines = udl.doc_lines(text, "")
    for line in lines:
        assert line.startswith("///")
        assert not any(ch in line for ch in "\r\n\x0b\x0c\x85\u2028\u2029")


_XML_OK = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\ufffe\uffff")
                  .filter(lambda c: ord(c) >= 32 or c in "\t\n\r"))


@given(_XML_OK)
def test_xml_text_round_trips_through_a_parser(text):
    escaped = udl.xml_text(text, "a value")
    assert "{" not in escaped and "}" not in escaped and "\n" not in escaped
    element = ET.fromstring(f'<a b="{escaped}">{escaped}</a>')
    assert element.get("b") == text
    assert element.text in (text, None if text == "" else text)


def test_xml_text_refuses_control_characters():
    with pytest.raises(PyProdError, match="U\\+0001"):
        udl.xml_text("a\x01b", "item comment")
