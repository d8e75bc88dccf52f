"""pyprod 0.2.0's API forms work unchanged: message fields, keyword names and return shapes.

The scripts are written the way pyprod's API reference writes components; each test drives them
through the harness (the real runtime bridge) or the generator.
"""

from __future__ import annotations

import pytest

from intersystems_pyprod import Column, JsonSerialize, PickleSerialize
from intersystems_pyprod.testing import Harness

from .helpers import build_source, class_header, members, write_script

FIELDS = """
from intersystems_pyprod import *

iris_package_name = "Fields"

class MyMessage(JsonSerialize):
    field_1 = "default_field_1"
    field_2: int

class MyPickled(PickleSerialize):
    field_1 = ("default_field_1_1", "default_field_1_2")
    field_2: int

class MyPickleData(PickleSerialize):
    name = Column()
    amount = 1

class Echo(BusinessOperation):
    def OnMessage(self, request):
        IRISLog.Info(repr(request))
        return Status.OK(), request
"""


def test_construction_forms_of_the_api_reference():
    class MyMessage(JsonSerialize):
        field_1 = "default_field_1"
        field_2: int

    empty = MyMessage()
    assert (empty.field_1, empty.field_2) == ("default_field_1", None)
    both = MyMessage("New Value", 0)
    assert (both.field_1, both.field_2) == ("New Value", 0)
    first = MyMessage("New Value")
    assert (first.field_1, first.field_2) == ("New Value", None)
    keyword = MyMessage(field_2=0)
    assert (keyword.field_1, keyword.field_2) == ("default_field_1", 0)
    with pytest.raises(TypeError, match="at most 2 positional"):
        MyMessage("a", 1, 2)


def test_fields_are_every_body_name_in_source_order_except_behaviour():
    class Parent(JsonSerialize):
        a = 1
        b: str

    class Child(Parent):
        c: int = 3
        d = Column(0, index=True)
        e = f = 0
        _private = "kept, as pyprod keeps it"
        iris_package_name = "NotAField"

        def method(self):
            return 1

        @property
        def computed(self):
            return 2

        class Nested:
            pass

    assert Parent._pyprod_fields == ("a", "b")
    assert Child._pyprod_fields == ("c", "d", "e", "f", "_private", "a", "b")
    child = Child(30, 40, 50, 60, "p", 10, "x")
    assert (child.a, child.d, child.f, child._private, child.computed) == (10, 40, 60, "p", 2)


def test_mutable_defaults_are_copied_per_message():
    class Basket(PickleSerialize):
        items = []

    first, second = Basket(), Basket()
    first.items.append("apple")
    assert second.items == [] and Basket.items == []


@pytest.mark.parametrize("message", [
    "MyMessage('New Value', 0)", "MyPickled(field_2=7)", "MyPickleData('widget', 5)",
])
def test_every_field_reaches_the_receiver(tmp_path, message):
    with Harness(str(write_script(tmp_path, "fields.py", FIELDS))) as harness:
        sent = eval(message, vars(harness.module))
        status, echoed = harness.request("Echo", sent)
    assert status == 1 and not harness.errors()
    assert echoed is not sent and type(echoed) is type(sent) and vars(echoed) == vars(sent)
    assert harness.texts("Info") == [repr(sent)]


def test_a_value_set_on_a_plain_field_after_creation_is_sent(tmp_path):
    with Harness(str(write_script(tmp_path, "fields.py", FIELDS))) as harness:
        message = harness.module.MyMessage()
        message.field_1 = "New Value"
        message.field_2 = 0
        _, echoed = harness.request("Echo", message)
    assert (echoed.field_1, echoed.field_2) == ("New Value", 0)
    assert '"field_1": "New Value"' in harness.trace[0].body


def test_only_columns_become_properties_and_a_message_subclass_extends_its_parent(tmp_path):
    """A message declared as in pyprod 0.2.0 has pyprod's members: its Column fields (a dataclass
    message also gets its scalar fields, tests/test_messages_in_iris.py)."""
    result = build_source(tmp_path, """
from intersystems_pyprod import *
iris_package_name = "Inherit"
class Base(JsonSerialize):
    note = "body only"
    code = Column("", index=True)
class Special(Base):
    extra = Column(0, "num", unit="kg")
""")
    texts = {c.name: c.text for c in result.classes}
    assert class_header(texts["Inherit.Base"]) == "Class Inherit.Base Extends PyProd.JsonMessage"
    assert [m for m in members(texts["Inherit.Base"]) if m[0] in ("property", "index")] == [
        ("property", "code"), ("index", "codeIDX")]
    assert class_header(texts["Inherit.Special"]) == "Class Inherit.Special Extends Inherit.Base"
    assert [m for m in members(texts["Inherit.Special"]) if m[0] in ("property", "index")] == [("property", "extra")]
    assert "Property extra As %Numeric" in texts["Inherit.Special"]
    assert any("'unit' has no effect" in w.message for w in result.model.warnings)


SHAPES = """
from intersystems_pyprod import *

iris_package_name = "Shapes"

class Req(JsonSerialize):
    n: int = 0

class Feeder(InboundAdapter):
    def OnTask(self):
        answered = self.BusinessHost_ProcessInput("answer", in_hint="h1")
        silent = self.business_host_process_input("silent")
        IRISLog.Info(f"answered={len(answered)}:{answered[1].n}:{answered[2]} silent={silent}")
        return Status.OK()

class Intake(BusinessService):
    ADAPTER = IRISParameter("Shapes.Feeder")
    def OnProcessInput(self, input, hint=""):
        if input == "answer":
            return Status.OK(), Req(41)
        return Status.OK()

class Fan(BusinessProcess):
    def OnRequest(self, request):
        return self.SendRequestAsync(target_dispatch_name="Worker", request=request, response_required=1,
                                     completion_key=0, description="first")

    def OnResponse(self, request, response, call_request, call_response, completion_key):
        IRISLog.Info(f"key={completion_key!r} n={call_response.n}")
        return Status.OK(), call_response

class Worker(BusinessOperation):
    def OnMessage(self, request):
        return Status.OK(), Req(request.n * 2)
"""


def test_keyword_names_and_return_shapes_of_pyprod(tmp_path):
    with Harness(str(write_script(tmp_path, "shapes.py", SHAPES))) as harness:
        harness.poll("Intake")
        status, response = harness.request("Fan", harness.module.Req(4))
        harness.drain()
    assert not harness.errors(), harness.errors()
    assert "answered=3:41:h1 silent=1" in harness.texts("Info")
    assert "key=0 n=8" in harness.texts("Info")
    assert status == 1 and response.n == 8


OUTPUTS = """
from intersystems_pyprod import *

class Req(JsonSerialize):
    n: int = 0

class Svc(BusinessService):
    def OnProcessInput(self, input):
        return Status.OK(), "done " + input

class Op(BusinessOperation):
    def OnMessage(self, request):
        return Status.OK(), "text, not a message"

class Bad(BusinessOperation):
    def OnMessage(self, request):
        return Status.OK(), {"not": "a message"}
"""


def test_a_service_may_hand_back_text_and_other_hosts_answer_with_messages(tmp_path):
    with Harness(str(write_script(tmp_path, "outputs.py", OUTPUTS))) as harness:
        assert harness.send("Svc", "x") == (1, "done x")
        status, response = harness.request("Op", harness.module.Req(1))
        assert status == 1 and response in (None, "")
        warnings = harness.texts("Warning")
        assert any("returned a str as its response" in t for t in warnings), warnings
        status, _ = harness.request("Bad", harness.module.Req(1))
    assert str(status).startswith("0") and "returned a dict" in str(status)
