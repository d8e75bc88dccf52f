"""The example's routing rule and DTL, run offline on its messages as IRIS compiles them.

The conditions and assignments are read from InvoiceRules.cls and MarkForReview.cls, so this
checks the classes that ship: ``Document.amount`` is a property read, ``Document.{lines(1).sku}``
a ``GetValueAt`` call, ``target.status`` a property write after a ``create="copy"``, and the
``foreach`` over ``source.{lines()}`` a loop over ``GetNextIndex``.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, List, Tuple

import pytest

from intersystems_pyprod.testing import ForEach, Harness, dtl_actions

HERE = Path(__file__).resolve().parent


def _xdata(name: str, block: str) -> ET.Element:
    text = (HERE / name).read_text(encoding="utf-8")
    match = re.search(r"XData " + block + r"\b[^{]*\{\s*(.*?)\s*\}\s*\}\s*$", text, re.S)
    assert match, f"{name} has no XData {block}"
    return ET.fromstring(match.group(1))


def _rules() -> List[Tuple[str, str, str]]:
    """(condition, target, transform) of each rule of InvoiceRules.cls, in order."""
    ruleset = _xdata("InvoiceRules.cls", "RuleDefinition").find("ruleSet")
    found = []
    for rule in ruleset.iter("rule"):
        when = rule.find("when")
        send = when.find("send")
        found.append((when.get("condition"), send.get("target"), send.get("transform")))
    return found


def _dtl() -> Tuple[str, List[Any]]:
    """(create, actions) of MarkForReview.cls: (property, value) assignments and ForEach loops."""
    transform = _xdata("MarkForReview.cls", "DTL")
    return transform.get("create"), dtl_actions(transform)


@pytest.fixture
def harness():
    with Harness(str(HERE / "invoices.py")) as running:
        yield running


def route(harness, invoice):
    """Where the routing engine sends ``invoice`` and what that target receives."""
    for condition, target, transform in _rules():
        if harness.rule(invoice, condition):
            if transform != "Routing.MarkForReview":
                return target, invoice
            create, assigns = _dtl()
            status, received = harness.transform(invoice, assigns, create=create)
            assert status == 1, status
            return target, received
    raise AssertionError("no rule matched")


def test_the_shipped_rule_and_dtl_are_read():
    assert [target for _, target, _ in _rules()] == ["Approvals", "GiftDesk", "Ledger"]
    assert _rules()[0][0] == "Document.amount>100"
    assert _dtl() == ("copy", [("target.status", '"review"'), ("target.items", "0"),
                               ForEach("source.{lines()}", "k",
                                       [("target.items", "target.items+source.{lines(k).qty}")])])


def test_a_large_invoice_is_copied_for_review(harness):
    m = harness.module
    invoice = m.Invoice("I-1", "ACME", 250.0, lines=[m.Line("GIFT", 1), m.Line("B2", 3)])
    target, received = route(harness, invoice)
    assert target == "Approvals"
    assert received.status == "review" and invoice.status == "new"
    assert received.items == 4 and invoice.items == 0  # the foreach added up the lines' quantities
    assert (received.invoice_id, received.amount) == ("I-1", 250.0)
    assert received.lines == [m.Line("GIFT", 1), m.Line("B2", 3)]  # typed nesting survives the copy


def test_a_gift_goes_to_the_gift_desk_on_its_first_line(harness):
    m = harness.module
    assert route(harness, m.Invoice("I-2", "ACME", 40.0, lines=[m.Line("GIFT")]))[0] == "GiftDesk"
    assert route(harness, m.Invoice("I-3", "ACME", 40.0, lines=[m.Line("A1"), m.Line("GIFT")]))[0] == "Ledger"


def test_the_boundary_and_an_invoice_without_lines_go_to_the_ledger(harness):
    m = harness.module
    assert route(harness, m.Invoice("I-4", "ACME", 100.0))[0] == "Ledger"
    assert route(harness, m.Invoice("I-5", "ACME", 100.01))[0] == "Approvals"


def test_the_python_triage_agrees_with_the_rule(harness):
    """InvoiceTriage, which stands in for the routing engine offline, routes as the rule does."""
    m = harness.module
    for amount, skus in ((250.0, ["A1"]), (50.0, ["GIFT"]), (50.0, []), (100.0, ["A1", "GIFT"])):
        invoice = m.Invoice("I-9", "ACME", amount, lines=[m.Line(s) for s in skus])
        expected, _ = route(harness, invoice)
        before = len(harness.trace)
        text = json.dumps({"id": "I-9", "customer": "ACME", "amount": amount, "lines": {s: 1 for s in skus}})
        harness.send("InvoiceService", text)
        assert [t.target for t in harness.trace[before:] if t.source == "InvoiceTriage"] == [expected]


def test_the_foreach_runs_once_per_line_and_not_for_an_invoice_without_lines(harness):
    m = harness.module
    create, actions = _dtl()
    status, received = harness.transform(m.Invoice("I-6", "ACME", 500.0), actions, create=create)
    assert status == 1 and (received.status, received.items) == ("review", 0)
    lines = [m.Line(f"S{n}", n) for n in range(1, 6)]
    status, received = harness.transform(m.Invoice("I-7", "ACME", 500.0, lines=lines), actions, create=create)
    assert status == 1 and received.items == 15 and received.lines == lines
