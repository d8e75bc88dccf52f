"""The stored JSON body agrees with the properties once a message is saved.

A DTL or BPL assign sets a property of a dataclass or pydantic message; when IRIS then saves the
message (``%Save``, or for a message header) ``PyProd.JsonMessage.%OnAddToSaveSet`` has Python
rewrite the body, so SQL (the properties), the viewer's Contents tab and the next Python reader
all see the same value. A message Python wrote and nobody changed is not read or rewritten.
"""

from __future__ import annotations

import json

import pytest

from intersystems_pyprod.api.engine import is_error_value
from intersystems_pyprod.runtime import fieldsync, identity, messages, streams
from intersystems_pyprod.testing import ensrules

from .helpers import write_script

SCRIPT = '''
from dataclasses import dataclass, field
from typing import List
from intersystems_pyprod import BusinessOperation, BusinessProcess, Column, JsonSerialize

iris_package_name = "Shop"

@dataclass
class Order(JsonSerialize):
    order_id: str = Column("", index=True)
    amount: float = 0.0
    qty: int = 1
    status: str = "new"
    lines: List[str] = field(default_factory=list)

class Sink(BusinessOperation):
    received = []

    def OnMessage(self, request: Order):
        Sink.received.append(request)

class Forward(BusinessProcess):
    def OnRequest(self, request: Order):
        return self.SendRequestAsync("Sink", request, response_required=False)
'''


@pytest.fixture
def harness(tmp_path, pyprod_harness):
    h = pyprod_harness(str(write_script(tmp_path, "shop.py", SCRIPT)))
    h.module.Sink.received.clear()
    return h


def _order(h):
    return h.module.Order("A1", 150.5, 3, lines=["S1"])


def _stored_json(obj):
    return json.loads(obj.JsonBody.text())


@pytest.mark.parametrize("create", ["copy", "existing"])
def test_a_dtl_assignment_is_in_the_stored_body_after_the_save(harness, create):
    source = harness.iris_message(_order(harness))
    target = ensrules.clone(source) if create == "copy" else source
    assert ensrules.transform(source, target, [("target.amount", "source.amount * 2"),
                                               ("target.status", '"review"'), ("target.OrderId", '"B7"')]) == 1
    assert _stored_json(target)["amount"] == 150.5  # before the save, the body is the one Python wrote
    assert target._Save() == 1
    stored = _stored_json(target)
    assert (stored["amount"], stored["status"], stored["order_id"], stored["lines"]) == (301, "review", "B7", ["S1"])
    assert (target.amount, target.status, target.OrderId) == (301, "review", "B7")  # what SQL reads
    view = json.loads(harness.portal_view(target, requested="application/json").text)
    assert (view["amount"], view["status"]) == (301, "review")
    received = messages.from_iris(target)
    assert (received.amount, received.status, received.order_id, received.lines) == (301.0, "review", "B7", ["S1"])
    assert fieldsync.digests(target) and messages.read_json(type(received), target, target.JsonBody.text())[1] is False


def test_a_bpl_assign_on_a_delivered_message_reaches_the_body_stored_for_the_header(harness):
    obj = harness.iris_message(_order(harness))
    obj.qty = 9  # a BPL <assign property="request.qty" value="9"/>
    status, _ = harness._deliver("(test)", "Sink", obj)
    assert status == 1 and harness.module.Sink.received[-1].qty == 9
    assert _stored_json(obj)["qty"] == 9 and obj._Id() != ""


def test_a_message_nobody_changed_is_not_read_or_rewritten_on_save(harness, monkeypatch):
    obj = harness.iris_message(_order(harness))
    before = obj.JsonBody.text()
    reads = []
    real = streams.read_json
    monkeypatch.setattr(streams, "read_json", lambda o: reads.append(o) or real(o))
    assert obj._Save() == 1 and obj._Save() == 1
    assert reads == [] and obj.JsonBody.text() == before


def test_a_body_forwarded_unchanged_keeps_its_id(harness):
    obj = harness.iris_message(_order(harness))
    assert obj._Save() == 1
    ident = obj._Id()
    with identity.callback():
        message = messages.from_iris(obj)
        again = messages.to_iris(message)
    assert again is obj and again._Save() == 1 and again._Id() == ident


def test_a_value_the_field_cannot_take_stops_the_save_naming_the_field(harness):
    obj = harness.iris_message(_order(harness))
    obj.qty = "many"
    status = obj._Save()
    assert is_error_value(status)
    assert "Shop.Order" in status.text and "field qty" in status.text and "'many'" in status.text
    assert obj._Id() == ""


def test_a_message_made_in_iris_without_a_body_is_left_alone(harness):
    obj = harness._standin.cls("Shop.Order")._New()
    obj.amount = 5
    assert obj._Save() == 1 and obj.JsonBody.text() == ""
    assert messages.from_iris(obj).amount == 5.0


PRICED = '''
from dataclasses import dataclass
from decimal import Decimal
from intersystems_pyprod import JsonSerialize

iris_package_name = "Shop"

@dataclass
class Priced(JsonSerialize):
    price: Decimal = Decimal("0")
    code: str = ""
'''


def test_a_number_handed_back_in_another_form_is_no_change(tmp_path, pyprod_harness):
    """IRIS may hand a numeric property back as a number (1.5 for the "1.50" Python set): that
    is no change, the body's exact value stays; in a text property "1.50" -> "1.5" is one."""
    import decimal

    h = pyprod_harness(str(write_script(tmp_path, "priced.py", PRICED)))
    obj = h.iris_message(h.module.Priced(decimal.Decimal("1.50"), "1.50"))
    obj.price = 1.5
    assert fieldsync.in_sync(obj, h.module.Priced)
    assert str(messages.from_iris(obj).price) == "1.50"
    obj.code = "1.5"
    assert not fieldsync.in_sync(obj, h.module.Priced)
    assert messages.from_iris(obj).code == "1.5"


@pytest.mark.parametrize("embedded", [True, False])
def test_calls_from_a_job_that_ran_no_python_set_up_the_engine_first(monkeypatch, embedded):
    """A routing engine's job evaluates Document.{x}, runs a DTL's foreach and saves its target
    without ever running a Python callback: the entry points set up the IRIS engine and the
    scripts' modules first, as the bridge does (not outside IRIS: the Native SDK's iris module)."""
    import sys
    import types

    from intersystems_pyprod.api import engine
    from intersystems_pyprod.runtime import bodies, components, irisapi, paths

    calls = []
    monkeypatch.setattr(engine, "_current", None)
    monkeypatch.setattr(irisapi, "_installed", None)
    module = types.ModuleType("iris")
    if embedded:
        module.cls = lambda name: None
    monkeypatch.setitem(sys.modules, "iris", module)
    monkeypatch.setattr(components, "ensure_engine", lambda: calls.append("engine"))

    def unreadable(obj):
        raise bodies.BodyError("stop")

    monkeypatch.setattr(paths.messages, "from_iris", unreadable)
    monkeypatch.setattr(paths.messages, "python_class", lambda name: None)
    obj = types.SimpleNamespace(_ClassName=lambda full=0: "Shop.Order")
    paths.get_value_at(obj, "x")
    paths.set_value_at(obj, 1, "x")
    paths.get_next_index(obj, "x()", "")
    assert paths.on_save(obj) == 1
    assert calls == (["engine"] * 4 if embedded else [])


def test_a_message_whose_class_cannot_be_imported_is_saved_as_it_is(harness, monkeypatch):
    obj = harness.iris_message(_order(harness))
    obj.amount = 1
    before = obj.JsonBody.text()

    def missing(name):
        raise ModuleNotFoundError("No module named 'shop'")

    monkeypatch.setattr(messages, "python_class", missing)
    assert obj._Save() == 1 and obj.JsonBody.text() == before
