"""Pydantic messages: ``class Order(JsonSerialize, BaseModel)``. pydantic is an optional test
dependency (the ``test`` extra installs it); without it these tests are skipped (that the library
never imports pydantic is checked in test_message_declarations.py)."""

from __future__ import annotations

import json

import pytest

from intersystems_pyprod.api.engine import is_error_value
from intersystems_pyprod.loader.build import build
from intersystems_pyprod.runtime import messages

from .helpers import write_script

SCRIPT = '''
from typing import Dict, List, Optional

from intersystems_pyprod import BusinessOperation, Column, JsonSerialize
from pydantic import BaseModel, Field

iris_package_name = "Pyd"

class Line(BaseModel):
    sku: str
    qty: int = Field(1, ge=1)

class Header(JsonSerialize, BaseModel):
    code: str = "H"

class Order(Header):
    order_id: str = Column(index=True)
    amount: float = 0.0
    lines: List[Line] = Field(default_factory=list)
    by_sku: Dict[str, Line] = Field(default_factory=dict)
    best: Optional[Line] = None

class Sink(BusinessOperation):
    received = []

    def OnMessage(self, request: Order):
        Sink.received.append(request)
'''


pydantic = pytest.importorskip("pydantic", reason="pydantic is not installed (the test extra installs it)")


@pytest.fixture
def harness(tmp_path, pyprod_harness):
    h = pyprod_harness(str(write_script(tmp_path, "pyd.py", SCRIPT)))
    h.module.Sink.received.clear()
    return h


def test_a_pydantic_message_builds_its_fields_and_columns(tmp_path):
    texts = {c.name: c.text for c in build(str(write_script(tmp_path, "pyd.py", SCRIPT))).classes}
    assert "Index OrderIdIDX On OrderId;" in texts["Pyd.Order"]
    assert "Property amount As %Double" in texts["Pyd.Order"]
    assert "Property code As " in texts["Pyd.Header"] and "Property code " not in texts["Pyd.Order"]


def test_a_pydantic_message_round_trips_with_its_types(harness):
    m = harness.module
    assert m.Order._pyprod_fields == ("code", "order_id", "amount", "lines", "by_sku", "best")
    order = m.Order(order_id="A1", amount=12.5, lines=[m.Line(sku="S1", qty=2)], by_sku={"k": {"sku": "S9"}},
                    best={"sku": "B"})
    assert m.Order().order_id is None  # the Column's default
    obj = harness.iris_message(order)
    assert obj.OrderId == "A1" and obj.amount == 12.5
    assert harness.rule(obj, 'Document.amount > 10 && Document.{lines(1).sku} = "S1"')
    status, _ = harness.request("Sink", order)
    back = m.Sink.received[-1]
    assert status == 1 and back == order and back is not order
    assert type(back.lines[0]) is m.Line and type(back.by_sku["k"]) is m.Line and type(back.best) is m.Line
    assert json.loads(messages.to_json(order))["best"] == {"sku": "B", "qty": 1}


def test_a_missing_field_takes_its_default_factory(harness):
    obj = harness._standin.cls("Pyd.Order")._New()
    obj.JsonBody.Write(json.dumps({"order_id": "A1"}))
    back = messages.from_iris(obj)
    assert (back.order_id, back.code, back.lines, back.by_sku) == ("A1", "H", [], {})


def test_a_validation_failure_on_receipt_is_an_error_status_naming_the_field(harness):
    obj = harness._standin.cls("Pyd.Order")._New()
    obj.JsonBody.Write(json.dumps({"order_id": "A1", "lines": [{"sku": "S1", "qty": 0}]}))
    status, _ = harness._deliver("(test)", "Sink", obj)
    assert is_error_value(status) and "field lines.0.qty" in status.text
    assert harness.module.Sink.received == []


def test_a_dtl_change_is_validated_too(harness):
    m = harness.module
    status, back = harness.transform(m.Order(order_id="A1", lines=[m.Line(sku="S1")]),
                                     [("target.{lines(1).qty}", "0")], create="copy")
    assert is_error_value(status) and "lines.0.qty" in status.text
    status, back = harness.transform(m.Order(order_id="A1"), [("target.amount", "7.5")], create="copy")
    assert status == 1 and back.amount == 7.5 and type(back) is m.Order


def test_a_pydantic_body_is_written_by_pydantic_and_keeps_nan_and_none(harness):
    """The body is the model's own JSON (pydantic's serializer, the fast path) when it holds no
    null; a NaN, an infinity or a None takes the slower path, which keeps NaN and Infinity (pydantic
    writes them as null) and reads back the same."""
    m = harness.module
    order = m.Order(order_id="A1", amount=2.5, lines=[m.Line(sku="S1")], best={"sku": "B"})
    assert messages.to_json(order) == order.model_dump_json()
    for amount, best in ((float("nan"), {"sku": "B"}), (float("inf"), {"sku": "B"}), (1.0, None)):
        odd = m.Order(order_id="A2", amount=amount, best=best)
        text = messages.to_json(odd)
        assert json.loads(text) == odd.model_dump(mode="json") or amount != amount
        harness.request("Sink", odd)
        back = m.Sink.received[-1]
        assert (back.amount == amount or (amount != amount and back.amount != back.amount)) and back.best == odd.best
    assert "NaN" in messages.to_json(m.Order(order_id="A3", amount=float("nan")))
