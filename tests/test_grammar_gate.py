"""The grammar gate: every hand-written class parses, and broken classes are caught."""

from __future__ import annotations

from pathlib import Path

import pytest

from intersystems_pyprod.classgen import grammar

from .helpers import REPO

HAND_WRITTEN = sorted((REPO / "src" / "cls").rglob("*.cls"))
#: ObjectScript classes shipped with the examples (productions, routing rules, DTL).
EXAMPLES = sorted((REPO / "examples").rglob("*.cls"))
#: The e2e suite's helper and DTL classes, which it loads into IRIS.
E2E = sorted((REPO / "tests" / "e2e").rglob("*.cls"))


def test_there_are_hand_written_classes():
    names = {p.stem for p in HAND_WRITTEN}
    assert {"BusinessService", "BusinessProcess", "BusinessOperation", "InboundAdapter", "OutboundAdapter",
            "JsonMessage", "PickleMessage"} <= names


def test_the_examples_classes_are_checked():
    names = {p.stem for p in EXAMPLES}
    assert {"HelloWorldProduction", "InvoiceRules", "MarkForReview"} <= names


def test_the_e2e_classes_are_checked():
    names = {p.stem for p in E2E}
    assert {"Tools", "Plain", "InvoiceNew", "InvoiceCopy", "InvoiceExisting", "InvoiceToPlain",
            "PlainToInvoice"} <= names


@pytest.mark.parametrize("path", HAND_WRITTEN + EXAMPLES + E2E, ids=lambda p: str(p.relative_to(REPO)))
def test_hand_written_class_parses(path: Path):
    assert grammar.check(path.read_text(encoding="utf-8")) == []


GOOD = '''/// A class.
Class Demo.Good Extends %RegisteredObject
{

/// A property.
Property Name As %String [ InitialExpression = "x" ];

/// A method.
Method Hello() As %Status
{
\tquit $$$OK
}

}
'''

BROKEN = {
    "unterminated string": GOOD.replace('"x" ]', '"x ]'),
    "missing closing brace": GOOD.rstrip().rstrip("}"),
    "property without type": GOOD.replace("Property Name As %String", "Property Name As"),
    "garbage member": GOOD.replace("/// A method.", "Bogus Member Here;\n/// A method."),
    "unbalanced keyword bracket": GOOD.replace('[ InitialExpression = "x" ]', '[ InitialExpression = "x"'),
}


def test_good_class_passes():
    assert grammar.check(GOOD) == []


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_gate_catches_broken_class(name: str):
    problems = grammar.check(BROKEN[name])
    assert problems, f"{name} was not detected"
    assert all(p.kind in ("ERROR", "MISSING") and p.line >= 1 for p in problems)


def test_problem_names_the_line():
    text = GOOD.replace("Property Name As %String", "Property Name As %String(")
    problems = grammar.check(text)
    assert problems and problems[0].line == 6
