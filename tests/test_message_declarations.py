"""Messages declared the ways users already write them: ``@dataclass`` on ``JsonSerialize`` (field
order, defaults, ``default_factory``, annotated ``Column``s, typed nesting decoded into its types)
and what a message declared as in pyprod 0.2.0 keeps doing with nested values."""

from __future__ import annotations

import datetime
import decimal
import json
import re
import subprocess
import sys

import pytest

from intersystems_pyprod.loader.build import build
from intersystems_pyprod.runtime import messages

from .helpers import REPO, write_script

SCRIPT = '''
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Dict, List, Optional, Tuple

from intersystems_pyprod import BusinessOperation, Column, JsonSerialize

iris_package_name = "Decl"

class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"

@dataclass
class Line:
    sku: str
    qty: int = 1
    due: Optional[date] = None
    price: Decimal = Decimal("0")

@dataclass
class Tree:
    name: str
    children: List[Tree] = field(default_factory=list)

@dataclass
class Note(JsonSerialize):
    text: str = ""
    at: Optional[date] = None

class PlainNote(JsonSerialize):
    text: str = ""

@dataclass
class Header(JsonSerialize):
    code: str = "H"
    created: date = None

@dataclass
class Order(Header):
    order_id: str = Column(index=True)
    status: str = Column("new")
    amount: float = 0.0
    lines: List[Line] = field(default_factory=list)
    by_sku: Dict[str, Line] = field(default_factory=dict)
    counts: Dict[int, int] = field(default_factory=dict)
    best: Optional[Line] = None
    note: Optional[Note] = None
    plain: Optional[PlainNote] = None
    tags: set = field(default_factory=set)
    pair: Tuple[int, str] = (0, "")
    colour: Colour = Colour.RED
    tree: Optional[Tree] = None

class Plain(JsonSerialize):
    line: Line = None
    lines: List[Line] = None
    note: Note = None

class Sink(BusinessOperation):
    received = []

    def OnMessage(self, request):
        Sink.received.append(request)
'''


@pytest.fixture
def harness(tmp_path, pyprod_harness):
    h = pyprod_harness(str(write_script(tmp_path, "decl.py", SCRIPT)))
    h.module.Sink.received.clear()
    return h


def _through(h, message):
    """``message`` as the operation receives it after a send."""
    status, _ = h.request("Sink", message)
    assert status == 1, getattr(status, "text", status)
    return h.module.Sink.received[-1]


def test_fields_follow_the_dataclass_order_base_fields_first(harness):
    m = harness.module
    assert m.Order._pyprod_fields[:4] == ("code", "created", "order_id", "status")
    order = m.Order("C9", None, "A1")  # positional arguments bind as the dataclass says
    assert (order.code, order.order_id) == ("C9", "A1")
    assert list(json.loads(messages.to_json(order)))[:4] == ["code", "created", "order_id", "status"]


def test_generated_properties_follow_the_field_order(tmp_path):
    texts = {c.name: c.text for c in build(str(write_script(tmp_path, "decl.py", SCRIPT))).classes}
    props = re.findall(r"^Property (\w+) ", texts["Decl.Order"], re.M)
    assert props[:3] == ["OrderId", "status", "amount"]  # Header's code/created are inherited
    assert "Index OrderIdIDX On OrderId;" in texts["Decl.Order"]


def test_an_annotated_column_in_a_dataclass_defaults_to_its_column_default(harness):
    m = harness.module
    order = m.Order()
    assert order.order_id is None and order.status == "new"
    obj = harness.iris_message(m.Order(order_id="A7"))
    assert obj.OrderId == "A7"
    assert harness.rule(obj, 'Document.OrderId = "A7"')
    assert _through(harness, m.Order(order_id="A7", status="paid")).status == "paid"


def test_a_missing_field_takes_its_default_factory(harness):
    obj = harness._standin.cls("Decl.Order")._New()
    obj.JsonBody.Write(json.dumps({"order_id": "A1"}))
    back = messages.from_iris(obj)
    assert back.order_id == "A1" and back.code == "H"
    assert (back.lines, back.by_sku, back.tags, back.pair) == ([], {}, set(), (0, ""))


def test_typed_nesting_comes_back_as_its_types(harness):
    m = harness.module
    order = m.Order(
        code="C1", created=datetime.date(2024, 5, 1), order_id="A1", amount=12.5,
        lines=[m.Line("S1", 2, datetime.date(2024, 6, 1), decimal.Decimal("1.50")), m.Line("S2")],
        by_sku={"S1": m.Line("S1")}, counts={3: 4}, best=m.Line("B", 5),
        note=m.Note("hi", datetime.date(2024, 1, 2)), plain=m.PlainNote("p"), tags={"a", "b"},
        pair=(7, "x"), colour=m.Colour.BLUE, tree=m.Tree("root", [m.Tree("leaf")]))
    back = _through(harness, order)
    plain, order.plain = back.plain, None  # a pyprod-style message compares by identity
    back.plain = None
    assert back == order and back is not order
    assert type(back.lines[0]) is m.Line and back.lines[0].due == datetime.date(2024, 6, 1)
    assert str(back.lines[0].price) == "1.50"
    assert type(back.by_sku["S1"]) is m.Line and back.counts == {3: 4}
    assert type(back.note) is m.Note and back.note.at == datetime.date(2024, 1, 2)
    assert type(plain) is m.PlainNote and plain.text == "p"
    assert back.tags == {"a", "b"} and back.pair == (7, "x") and back.colour is m.Colour.BLUE
    assert type(back.tree.children[0]) is m.Tree and back.tree.children[0].name == "leaf"
    assert harness.rule(order, 'Document.{lines(1).sku} = "S1" && Document.{best.qty} = 5')


def test_values_that_do_not_fit_their_annotation_come_back_as_sent(harness):
    """Python does not enforce annotations: the body keeps the value, rules see "" in the
    property of a scalar that it cannot hold."""
    m = harness.module
    order = m.Order(order_id="A1", amount="n/a", created="soon", lines=["not a line", {"qty": 2}],
                    best=[1, 2], tags="abc", colour="green")
    obj = harness.iris_message(order)
    assert obj.amount == "" and obj.created == ""
    assert harness.rule(obj, 'Document.amount = ""') and harness.rule(obj, 'Document.{amount} = "n/a"')
    back = _through(harness, order)
    assert (back.amount, back.created, back.best, back.tags, back.colour) == ("n/a", "soon", [1, 2], "abc", "green")
    assert back.lines[0] == "not a line" and type(back.lines[1]) is m.Line and back.lines[1].qty == 2
    assert back.lines[1].sku is None  # a field the JSON object did not hold: no default, None


def test_a_pyprod_style_message_keeps_nested_values_as_json(harness):
    """A message declared as in pyprod 0.2.0 hands nested values over as JSON gives them (pyprod
    0.2.0 sends only JSON values, so a script there reads dicts); a dataclass or message sent
    in it arrives as its JSON object."""
    m = harness.module
    back = _through(harness, m.Plain(line=m.Line("S1"), lines=[{"sku": "S2"}], note=m.Note("n")))
    assert back.line == {"sku": "S1", "qty": 1, "due": None, "price": "0"}
    assert back.lines == [{"sku": "S2"}] and back.note == {"text": "n", "at": None}


def test_a_dtl_path_writes_into_typed_nesting(harness):
    m = harness.module
    order = m.Order(order_id="A1", lines=[m.Line("S1"), m.Line("S2")], best=m.Line("B"))
    status, back = harness.transform(order, [("target.{lines(2).sku}", '"Z2"'), ("target.{best.qty}", "4"),
                                             ("target.{lines().sku}", '"S3"')], create="copy")
    assert status == 1
    assert [type(line) for line in back.lines] == [m.Line] * 3
    assert [line.sku for line in back.lines] == ["S1", "Z2", "S3"] and back.best.qty == 4


def test_the_library_does_not_import_pydantic():
    """pydantic stays optional: loading the library, its runtime and the harness imports none of it."""
    code = ("import sys; import intersystems_pyprod; from intersystems_pyprod.runtime import messages; "
            "from intersystems_pyprod.testing import Harness; print('pydantic' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(REPO / "src" / "python"), "PATH": ""})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
