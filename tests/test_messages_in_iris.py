"""Python message fields as IRIS properties: the rule editor's list, routing-rule conditions and
DTL assignments evaluated as IRIS compiles them (a property read or write for ``x``,
``GetValueAt``/``SetValueAt`` for ``{path}``), and what Python receives afterwards."""

from __future__ import annotations

import datetime
import decimal
import json
import re

import pytest

from intersystems_pyprod.api.engine import is_error_value
from intersystems_pyprod.loader.build import build
from intersystems_pyprod.runtime import identity, messages
from intersystems_pyprod.testing.records import HarnessError

from .helpers import REPO, write_script

SCRIPT = '''
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from intersystems_pyprod import BusinessOperation, Column, JsonSerialize

iris_package_name = "Shop"

@dataclass
class Order(JsonSerialize):
    order_id = Column(index=True)
    amount: float = 0.0
    customer: str = ""
    qty: int = 1
    rush: bool = False
    due: date = None
    price: Decimal = None
    lines: list = None
    note = None
    select: str = ""

class Sink(BusinessOperation):
    received = []

    def OnMessage(self, request: Order):
        Sink.received.append(request)
'''

_PROPERTY = re.compile(r"^Property (%?\w+) As ([^\[;]+?)\s*(?:\[([^\]]*)\])?;", re.M)
_EXTENDS = re.compile(r"^Class \S+ Extends (\S+)", re.M)


def _compiled_properties(name, texts):
    """(name, keywords) of every property the class has compiled: its own and its bases' that
    this repository defines."""
    found = {}
    while name in texts:
        for prop, _type, keywords in _PROPERTY.findall(texts[name]):
            found.setdefault(prop, keywords or "")
        name = _EXTENDS.search(texts[name]).group(1)
    return found


@pytest.fixture
def harness(tmp_path, pyprod_harness):
    h = pyprod_harness(str(write_script(tmp_path, "shop.py", SCRIPT)))
    h.module.Sink.received.clear()
    h.start()
    return h


def _order(h, **values):
    base = {"order_id": "A1", "amount": 150.5, "customer": "ACME", "qty": 3,
            "lines": [{"sku": "S1", "n": 2}, {"sku": "S2", "n": 1}]}
    base.update(values)
    order_id = base.pop("order_id")
    order = h.module.Order(**base)  # a dataclass: its __init__ takes the dataclass fields
    order.order_id = order_id  # a Column without annotation is no dataclass field
    return order


def test_rule_editor_and_body_tab_list_the_fields_not_the_storage(tmp_path):
    """Ens.Rule.Assist lists compiled properties that are not Private and do not start with %;
    the Body tab also leaves out Internal ones: both show the scalar fields, never JsonBody."""
    result = build(str(write_script(tmp_path, "shop.py", SCRIPT)), validate=True)
    texts = {c.name: c.text for c in result.classes}
    for path in (REPO / "src" / "cls" / "PyProd").glob("*.cls"):
        texts[f"PyProd.{path.stem}"] = path.read_text(encoding="utf-8")
    compiled = _compiled_properties("Shop.Order", texts)
    editor = {p for p, kw in compiled.items() if not p.startswith("%") and "Private" not in kw}
    body_tab = {p for p in editor if "Internal" not in compiled[p] and "Stream" not in p}
    expected = {"OrderId", "amount", "customer", "qty", "rush", "due", "price", "select"}
    assert editor == expected
    assert body_tab == expected
    assert {"JsonBody", "JsonFields"} <= set(compiled)  # still stored, only hidden
    assert "Property select As %VarString [ InitialExpression = \"\", SqlFieldName = selectCol ];" \
        in texts["Shop.Order"]
    assert "Index OrderIdIDX On OrderId;" in texts["Shop.Order"]


def test_a_rule_condition_reads_the_property_and_a_path_through_get_value_at(harness):
    order = _order(harness)
    assert harness.rule(order, "Document.amount > 100")
    assert not harness.rule(order, "Document.amount > 200")
    assert harness.rule(order, 'Document.customer = "ACME" && Document.OrderId = "A1"')
    assert harness.rule(order, 'Document.{lines(1).sku} = "S1"')
    assert harness.rule(order, "Document.{lines(*)} = 2 && Document.{lines(-1).n} = 1")
    assert harness.rule(order, 'Document.{lines(9).sku} = ""')
    # a property changed by ObjectScript (a BPL assign) is what both forms then read
    obj = harness.iris_message(order)
    obj.amount = 50
    assert not harness.rule(obj, "Document.amount > 100")
    assert not harness.rule(obj, "Document.{amount} > 100")


def test_a_bad_path_is_an_error_status_naming_it(harness):
    obj = harness.iris_message(_order(harness))
    with pytest.raises(HarnessError, match=r"no field 'amont'"):
        harness.rule(obj, "Document.{amont} > 1")
    with pytest.raises(HarnessError, match=r"indexes start at 1"):
        harness.rule(obj, "Document.{lines(0).sku} = 1")
    with pytest.raises(HarnessError, match=r"PROPERTY DOES NOT EXIST"):
        harness.rule(obj, "Document.lines > 1")  # a list is no property: {lines(1)} reaches it


@pytest.mark.parametrize("create", ["copy", "existing"])
def test_a_dtl_property_assignment_is_what_python_receives(harness, create):
    status, received = harness.transform(_order(harness), [("target.amount", "source.amount * 2"),
                                                           ("target.customer", '"Globex"'),
                                                           ("target.OrderId", '"B7"')], create=create)
    assert status == 1
    assert (received.amount, received.customer, received.order_id) == (301.0, "Globex", "B7")
    assert received.lines == [{"sku": "S1", "n": 2}, {"sku": "S2", "n": 1}] and received.qty == 3


def test_a_dtl_path_assignment_and_a_new_target(harness):
    status, received = harness.transform(_order(harness), [("target.{lines(2).sku}", '"B2"'),
                                                           ("target.{lines().sku}", '"C3"'),
                                                           ("target.{qty}", '"7"')], create="copy")
    assert status == 1 and received.qty == 7
    assert [line["sku"] for line in received.lines] == ["S1", "B2", "C3"]
    status, received = harness.transform(_order(harness), [("target.customer", "source.customer"),
                                                           ("target.{lines(1).sku}", "source.{lines(2).sku}"),
                                                           ("target.due", "67000")], create="new")
    assert status == 1
    assert (received.customer, received.lines, received.amount) == ("ACME", [{"sku": "S2"}], 0.0)
    assert received.due == datetime.date(1840, 12, 31) + datetime.timedelta(days=67000)


@pytest.mark.parametrize("prop, value, field", [("qty", "12.5", "qty"), ("qty", '"many"', "qty"),
                                                ("rush", "2", "rush"), ("due", '"tomorrow"', "due")])
def test_a_value_the_field_cannot_hold_is_an_error_status_naming_it(harness, prop, value, field):
    status, received = harness.transform(_order(harness), [(f"target.{prop}", value)], create="copy")
    assert is_error_value(status) and received is None
    assert f"field {field} " in status.text and "Shop.Order" in status.text


def test_set_value_at_refuses_a_value_for_the_field_type(harness):
    status, _ = harness.transform(_order(harness), [("target.{qty}", '"many"')], create="copy")
    assert is_error_value(status) and "field qty" in status.text and "SetValueAt('qty')" in status.text
    status, _ = harness.transform(_order(harness), [("target.{lines(5).sku}", '"X"')], create="copy")
    assert is_error_value(status) and "past the 2 item(s) of lines" in status.text


def test_a_message_delivered_after_a_dtl_change_reaches_the_operation(harness):
    obj = harness.iris_message(_order(harness))
    obj.qty = 9
    status, _ = harness._deliver("(test)", "Sink", obj)
    assert status == 1 and harness.module.Sink.received[-1].qty == 9
    obj.qty = 9.5
    status, _ = harness._deliver("(test)", "Sink", obj)
    assert is_error_value(status)
    # the body is brought in line with the properties when it is saved for its message header:
    # a value the field cannot take stops the save, naming the field and the value
    assert any("Shop.Order" in e.text and "field qty" in e.text and "9.5" in e.text for e in harness.errors())


def test_values_come_back_exactly_while_properties_agree(harness):
    """The body keeps Python's exact value (a Decimal's zeros, text in a float field) while the
    property still holds its IRIS form; a value the property cannot hold leaves it empty."""
    order = _order(harness, price=decimal.Decimal("1.50"), amount="n/a", customer=None)
    obj = harness.iris_message(order)
    assert (obj.amount, obj.price, obj.customer) == ("", "1.50", "")
    back = messages.from_iris(obj)
    assert str(back.price) == "1.50" and back.amount == "n/a" and back.customer is None
    assert back == order


def test_a_body_stored_before_its_fields_had_properties_reads_the_same(harness):
    """A row written by an earlier version: the body holds every field, JsonFields is empty and
    only the Column property was written."""
    obj = harness._standin.cls("Shop.Order")._New()
    for prop in ("amount", "customer", "qty", "rush", "select"):
        setattr(obj, prop, "")  # opened from disk: no value for a property added since
    obj.JsonBody.Write(json.dumps({"order_id": "A1", "amount": 5.5, "customer": "Old", "qty": 2}))
    obj.OrderId = "A1"
    back = messages.from_iris(obj)
    assert (back.order_id, back.amount, back.customer, back.qty) == ("A1", 5.5, "Old", 2)
    obj.amount = 8  # a DTL change on such a row still wins
    assert messages.from_iris(obj).amount == 8.0


def test_identity_holds_only_while_the_properties_agree(harness):
    obj = harness.iris_message(_order(harness))
    with identity.callback():
        message = messages.from_iris(obj)
        assert messages.to_iris(message) is obj
    obj.amount = 1
    with identity.callback():
        message = messages.from_iris(obj)
        again = messages.to_iris(message)
    assert again is not obj and again.amount == 1.0


def test_the_contents_tab_shows_what_python_reads(harness):
    obj = harness.iris_message(_order(harness))
    obj.customer = "Changed"
    view = harness.portal_view(obj, requested="application/json")
    assert json.loads(view.text)["customer"] == "Changed"


PYPROD_STYLE = '''
from intersystems_pyprod import BusinessOperation, Column, JsonSerialize

iris_package_name = "Plain"

class Order(JsonSerialize):
    code = Column("", index=True)
    amount: float = 0.0
    customer: str = ""

class Sink(BusinessOperation):
    def OnMessage(self, request: Order):
        return None
'''


def test_a_pyprod_style_message_keeps_pyprods_members_and_its_fields_are_paths(tmp_path, pyprod_harness):
    """No property beyond pyprod's columns (pyprod 0.2.0 scripts keep their class members); rules
    and DTL reach the other fields as paths, through GetValueAt/SetValueAt."""
    texts = {c.name: c.text for c in build(str(write_script(tmp_path, "plain.py", PYPROD_STYLE))).classes}
    assert set(_compiled_properties("Plain.Order", texts)) & {"amount", "customer"} == set()
    h = pyprod_harness(str(write_script(tmp_path, "plain.py", PYPROD_STYLE)))
    h.start()
    order = h.module.Order(code="C1", amount=150.0, customer="ACME")
    assert h.rule(order, "Document.{amount} > 100") and h.rule(order, 'Document.code = "C1"')
    status, back = h.transform(order, [("target.{amount}", "source.{amount} * 2")], create="copy")
    assert status == 1 and back.amount == 300.0 and back.customer == "ACME"
