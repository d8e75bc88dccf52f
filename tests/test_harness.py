"""The harness drives the real runtime bridge: components behave as they would in IRIS."""

from __future__ import annotations

import pytest

from intersystems_pyprod.api import engine
from intersystems_pyprod.runtime import messages
from intersystems_pyprod.testing import Harness, HarnessError
from intersystems_pyprod.testing.harness import HarnessEngine

from .helpers import EXAMPLES, write_script

HELLO = str(EXAMPLES / "hello_world" / "HelloWorld.py")
ORDERS = str(EXAMPLES / "orders" / "orders.py")
QUOTES = str(EXAMPLES / "quotes" / "quotes.py")
HELLO_SETTINGS = {"MyService.target": "MyProcess", "MyProcess.target": "MyOperation"}


def test_sync_chain_service_process_operation_adapter():
    with Harness(HELLO, settings=HELLO_SETTINGS) as harness:
        harness.poll("MyService")
    assert [(e.level, e.source, e.class_name, e.method, e.text) for e in harness.log] == [
        ("Info", "MyOperation", "MyOutAdapter", "custom_method", "request message"),
        ("Info", "MyService", "MyService", "OnProcessInput", "response message"),
    ]
    assert [(t.source, t.target, t.message_class, t.kind) for t in harness.trace] == [
        ("MyService", "MyProcess", "helloworld.MyRequest", "request"),
        ("MyProcess", "MyOperation", "helloworld.MyRequest", "request"),
        ("MyOperation", "MyProcess", "helloworld.MyResponse", "response"),
        ("MyProcess", "MyService", "helloworld.MyResponse", "response"),
    ]
    assert harness.trace[0].body == '{"content": "request message"}'


def test_adapter_method_returns_pyprods_status_and_value_tuple(pyprod_harness):
    harness = pyprod_harness(HELLO, settings=HELLO_SETTINGS)
    operation = harness.items["MyOperation"].component
    assert operation.ADAPTER.custom_method(harness.module.MyRequest("x")) == (1, None)
    assert operation.ADAPTER.CustomMethod(harness.module.MyRequest("y")) == (1, None)


def test_send_to_a_service_returns_its_status(pyprod_harness):
    harness = pyprod_harness(HELLO, settings=HELLO_SETTINGS)
    assert harness.send("MyService", "hello") == 1
    assert harness.texts("Info") == ["hello", "response message"]


def test_async_fan_out_with_completion_keys_and_process_state(pyprod_harness):
    harness = pyprod_harness(QUOTES)
    status, best = harness.request("BestQuote", harness.module.QuoteRequest("bolts", 10))
    assert status == 1
    assert (best.vendor, best.price) == ("VendorB", 95.0)
    assert harness.texts("Info") == ["VendorA quotes 120.00", "VendorB quotes 95.00", "VendorC quotes 110.00",
                                     "best of 3: VendorB at 95.00"]
    assert [t.target for t in harness.trace if t.kind == "request"] == ["BestQuote", "VendorA", "VendorB", "VendorC"]


def test_pickle_and_json_messages_and_message_map(pyprod_harness):
    harness = pyprod_harness(ORDERS)
    assert harness.send("OrderService", '{"id": 7, "customer": "ACME", "amount": 12.5}') == 1
    audit = [t for t in harness.trace if t.target == "Audit"]
    assert len(audit) == 1 and audit[0].message_class == "Orders.Msg.AuditRecord"
    assert audit[0].body == "AuditRecord(order_id=7, details={'customer': 'ACME'})"
    assert "audit 7: {'customer': 'ACME'}" in harness.texts()
    warehouse = next(t for t in harness.trace if t.target == "Warehouse")
    assert '"order_id": 7' in warehouse.body
    assert "order 7 reserved" in harness.texts()


FAILING = """
from intersystems_pyprod import *

class Req(JsonSerialize):
    n: int = 0

class Svc(BusinessService):
    def on_process_input(self, input):
        status = self.send_request_sync("Op", Req(int(input)))  # no response: the status alone
        IRISLog.Info(f"status error={Status.is_error(status)} text={Status.text(status)}")
        return status

class Op(BusinessOperation):
    def on_message(self, request):
        raise ValueError(f"cannot handle {request.n}")
"""


def test_operation_that_raises(tmp_path, pyprod_harness):
    harness = pyprod_harness(str(write_script(tmp_path, "failing.py", FAILING)))
    status = harness.send("Svc", "3")
    assert status != 1 and str(status).startswith("0")
    errors = harness.errors()
    assert errors[0].source == "Op" and "Traceback" in errors[0].text
    assert "ValueError: cannot handle 3" in errors[0].text
    assert any("Op.on_message raised ValueError: cannot handle 3" in e.text for e in errors)
    assert "status error=True text=Op.on_message raised ValueError: cannot handle 3" in harness.texts("Info")


SHAPES = """
from intersystems_pyprod import *

class Req(JsonSerialize):
    n: int = 0

class Svc(BusinessService):
    def OnProcessInput(self, input):
        answered = self.SendRequestSync(target_dispatch_name="Answering", request=Req(1))
        silent = self.SendRequestSync("Silent", Req(2), timeout=5, description="no answer")
        IRISLog.Info(f"answered={type(answered).__name__}:{len(answered)} silent={type(silent).__name__}")
        IRISLog.Info(f"full={self.fullname()} ok={self.OKStatus()} err={Status.text(self.ErrorStatus('bad'))}")
        return self.OKStatus()

class Answering(BusinessOperation):
    def OnMessage(self, request):
        return Status.OK(), Req(request.n + 1)

class Silent(BusinessOperation):
    def OnMessage(self, request):
        return Status.OK()
"""


def test_send_request_sync_returns_pyprod_shapes(tmp_path, pyprod_harness):
    harness = pyprod_harness(str(write_script(tmp_path, "shapes.py", SHAPES)))
    assert harness.send("Svc", "go") == 1 and not harness.errors()
    assert harness.texts("Info") == ["answered=tuple:2 silent=int", "full=shapes.Svc ok=1 err=bad"]


def test_hundred_megabyte_message_round_trip(tmp_path, pyprod_harness):
    script = write_script(tmp_path, "big.py", """
from intersystems_pyprod import *

class Blob(JsonSerialize):
    data: str = ""

class Echo(BusinessOperation):
    def on_message(self, request):
        return Status.OK(), Blob(request.data[::-1])
""")
    harness = pyprod_harness(str(script))
    payload = ("0123456789abcdef" * (100 * 1024 * 1024 // 16))
    status, response = harness.request("Echo", harness.module.Blob(payload))
    assert status == 1 and response.data == payload[::-1]
    assert len(response.data) == 100 * 1024 * 1024


def test_settings_from_production_items_and_overrides(pyprod_harness):
    harness = pyprod_harness(QUOTES, settings={"VendorC.unit_price": "1.5"})
    status, best = harness.request("BestQuote", harness.module.QuoteRequest("nuts", 2))
    assert status == 1
    assert (best.vendor, best.price) == ("VendorC", 3.0)
    vendor_a = harness.items["VendorA"].component
    assert vendor_a.unit_price == 12.0 and isinstance(vendor_a.unit_price, float)


def test_unknown_setting_and_item_are_errors():
    with pytest.raises(HarnessError, match="has no setting 'nope'"):
        Harness(HELLO, settings={"MyService.nope": 1})
    with pytest.raises(HarnessError, match="no item 'Nobody'"):
        Harness(HELLO, settings={"Nobody.target": 1})


def test_sending_to_a_missing_target_logs_an_error(pyprod_harness):
    harness = pyprod_harness(HELLO)
    harness.send("MyService", "x")
    assert any("is not an item" in e.text for e in harness.errors())


def test_stub_items_stand_in_for_objectscript_hosts(tmp_path, pyprod_harness):
    script = write_script(tmp_path, "stubbed.py", """
from intersystems_pyprod import *

class Req(JsonSerialize):
    text: str = ""

class Svc(BusinessService):
    def on_process_input(self, input):
        status, response = self.send_request_sync("Legacy", Req(input))
        IRISLog.Info(f"legacy said {response.text}")
        return status
""")
    seen = []

    def legacy(request):
        seen.append(request)
        return 1, type(request)(request.text.upper())

    harness = pyprod_harness(str(script), stubs={"Legacy": legacy})
    assert harness.send("Svc", "hi") == 1
    assert seen[0].text == "hi" and "legacy said HI" in harness.texts()


def test_on_init_and_on_tear_down_run(tmp_path):
    script = write_script(tmp_path, "life.py", """
from intersystems_pyprod import *

class Op(BusinessOperation):
    def on_init(self):
        IRISLog.Info("up")
    def on_tear_down(self):
        IRISLog.Info("down")
    def on_message(self, request):
        return Status.OK()
""")
    with Harness(str(script)) as harness:
        assert harness.texts() == ["up"]
    assert harness.texts() == ["up", "down"]


def test_several_productions_need_a_name(tmp_path):
    script = write_script(tmp_path, "two.py", """
from intersystems_pyprod import *

class Op(BusinessOperation):
    def on_message(self, request):
        return Status.OK()

class P1(Production):
    operations = [OperationItem("A", Op)]

class P2(Production):
    operations = [OperationItem("B", Op)]
""")
    with pytest.raises(HarnessError, match="several productions"):
        Harness(str(script))
    assert list(Harness(str(script), production="P2").items) == ["B"]


def test_messages_cross_as_iris_objects(pyprod_harness):
    harness = pyprod_harness(HELLO, settings=HELLO_SETTINGS)
    iris_object = messages.to_iris(harness.module.MyRequest("x"))
    assert iris_object._ClassName(1) == "helloworld.MyRequest"
    assert iris_object.JsonBody.text() == '{"content": "x"}'
    back = messages.from_iris(iris_object)
    assert type(back) is harness.module.MyRequest and back.content == "x"


TIMERS = """
from intersystems_pyprod import *

class Ask(JsonSerialize):
    text: str = ""

class Answer(JsonSerialize):
    text: str = ""

class Waiter(BusinessProcess):
    LABEL = IRISParameter("waiter", description="a constant")
    fired = IRISProperty("", str)

    def on_request(self, request):
        self.Reply(Answer("early " + self.LABEL))
        self.SetTimer("PT1S", "tick")
        return Status.OK()

    def on_response(self, request, response, call_request, call_response, completion_key):
        self.fired = completion_key
        IRISLog.Info(f"timer {completion_key} fired; reply was {response.text!r}")

    def on_complete(self, request, response):
        return Status.OK(), Answer(response.text + " / " + self.fired)
"""


def test_reply_set_timer_and_parameters(tmp_path, pyprod_harness):
    harness = pyprod_harness(str(write_script(tmp_path, "timers.py", TIMERS)))
    status, answer = harness.request("Waiter", harness.module.Ask("?"))
    assert status == 1 and answer.text == "early waiter / tick"
    assert harness.texts() == ["timer tick fired; reply was 'early waiter'"]
    with pytest.raises(AttributeError, match="constant"):
        harness.module.Waiter(None).LABEL = "x"


def test_a_host_whose_object_cannot_be_made_does_not_start(tmp_path):
    script = write_script(tmp_path, "badinit.py", """
from intersystems_pyprod import *

class Op(BusinessOperation):
    def __init__(self, host):
        raise RuntimeError("no connection")
    def on_message(self, request):
        return Status.OK()
""")
    harness = Harness(str(script))
    with pytest.raises(HarnessError, match=r"Op did not start: .*RuntimeError: no connection"):
        harness.start()
    traceback_entry = harness.errors()[0]
    assert traceback_entry.method == "OnInit" and 'badinit.py", line 6' in traceback_entry.text
    assert not isinstance(engine.current(), HarnessEngine)  # nothing of the failed start stays installed
