"""The harness runs productions defined by ObjectScript production classes (.cls), with
stand-ins for ObjectScript adapters and hosts, exact IRIS setting names and IRIS status rules."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from intersystems_pyprod.api.engine import is_error_value
from intersystems_pyprod.testing import Harness, HarnessError

from .helpers import REPO, write_script

FIXTURE = REPO / "tests" / "fixtures" / "mixed"
MIXED = str(FIXTURE / "Mixed.py")
PRODUCTION = str(FIXTURE / "Production.cls")
#: A git checkout of pyprod's repository, for the tests that run its own test helpers unchanged.
MIRROR = Path(os.environ.get("PYPROD_SOURCE_REPO", "/nonexistent"))


def mixed(**options):
    return Harness(MIXED, production=PRODUCTION, **options)


def test_items_come_from_the_production_class():
    harness = mixed()
    assert list(harness.items) == ["Mixed.LineService", "Mixed.Writer", "Mixed.Archive", "Mixed.Tick", "Legacy.Sink"]
    service = harness.items["Mixed.LineService"]
    assert (service.class_name, service.kind, service.pool_size, service.enabled) == (
        "Mixed.LineService", "BusinessService", 1, True)
    assert service.settings == {"TargetConfigName": "Mixed.Writer"}
    assert service.adapter_settings == {"Port": "12345", "AllowedIPAddresses": "127.0.0.1"}
    assert service.adapter_class == "EnsLib.TCP.TextLineInboundAdapter" and service.objectscript_adapter
    assert harness.items["Mixed.Archive"].adapter_settings == {"FolderPath": "/data/archive"}
    assert harness.items["Mixed.Tick"].enabled is False
    assert harness.items["Legacy.Sink"].kind == "ObjectScript"


def test_objectscript_inbound_adapter_hands_the_service_a_string_container(pyprod_harness):
    harness = pyprod_harness(MIXED, production=PRODUCTION)
    status, receipt = harness.send("Mixed.LineService", "hello")
    assert status == 1 and receipt.text == "Note hello"
    assert [(t.source, t.target, t.message_class, t.body) for t in harness.trace] == [
        ("Mixed.LineService", "Mixed.Writer", "Mixed.Note", '{"text": "hello"}'),
        ("Mixed.Writer", "EnsLib.TCP.TextLineOutboundAdapter", "(method call)", "SendMessageString('hello')"),
        ("Mixed.Writer", "Mixed.LineService", "Mixed.Receipt", '{"text": "Note hello"}'),
    ]
    recorded = harness.log[0]
    assert (recorded.source, recorded.class_name, recorded.method) == (
        "Mixed.Writer", "EnsLib.TCP.TextLineOutboundAdapter", "SendMessageString")
    assert not harness.errors()


def test_objectscript_adapter_settings_are_its_properties(pyprod_harness):
    harness = pyprod_harness(MIXED, production=PRODUCTION)
    adapter = harness.items["Mixed.Writer"].component.ADAPTER
    assert (adapter.Port, adapter.IPAddress) == ("12346", "127.0.0.1")
    assert adapter.send_message_string("x") == 1  # the runtime's proxy finds SendMessageString


def test_message_map_entry_catches_a_subclass_message(pyprod_harness):
    harness = pyprod_harness(MIXED, production=PRODUCTION)
    status, receipt = harness.send("Mixed.LineService", "!fire")
    assert status == 1 and receipt.text == "UrgentNote fire"
    assert harness.trace[0].message_class == "Mixed.UrgentNote"


MAPPED = """
from intersystems_pyprod import *

iris_package_name = "Mapped"

class Note(JsonSerialize):
    text: str = ""

class Urgent(Note):
    pass

class Critical(Urgent):
    pass

class Other(JsonSerialize):
    text: str = ""

class Op(BusinessOperation):
    MessageMap = {Note: "any_note", Critical: "critical", Urgent: "urgent"}

    def any_note(self, request):
        IRISLog.Info("any_note " + type(request).__name__)

    def urgent(self, request):
        IRISLog.Info("urgent " + type(request).__name__)

    def critical(self, request):
        IRISLog.Info("critical " + type(request).__name__)

    def OnMessage(self, request):
        IRISLog.Info("OnMessage " + type(request).__name__)
"""


def test_message_map_exact_entry_first_then_first_listed_ancestor(tmp_path, pyprod_harness):
    harness = pyprod_harness(str(write_script(tmp_path, "mapped.py", MAPPED)))
    module = harness.module
    for message in (module.Note("a"), module.Urgent("b"), module.Critical("c"), module.Other("d")):
        assert harness.request("Op", message)[0] == 1
    assert harness.texts() == ["any_note Note", "urgent Urgent", "critical Critical", "OnMessage Other"]


def test_objectscript_host_items_record_requests(pyprod_harness):
    harness = pyprod_harness(MIXED, production=PRODUCTION)
    status, response = harness.request("Legacy.Sink", harness.module.Note("y"))
    assert status == 1 and response is None
    assert harness.log[-1].source == "Legacy.Sink" and "ObjectScript host" in harness.log[-1].text
    assert harness.trace[-1].target == "Legacy.Sink"


def test_disabled_items_do_not_start_or_receive(pyprod_harness):
    harness = pyprod_harness(MIXED, production=PRODUCTION)
    assert harness.items["Mixed.Tick"].component is None
    with pytest.raises(HarnessError, match="disabled"):
        harness.send("Mixed.Tick", "x")


def _production(tmp_path: Path, items: str) -> str:
    path = tmp_path / "Production.cls"
    path.write_text(f"""Class Mixed.Production Extends Ens.Production
{{

XData ProductionDefinition
{{
<Production Name="Mixed.Production">
{items}
</Production>
}}

}}
""", encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(("items", "expected"), [
    ('<Item Name="S" ClassName="Mixed.LineService">\n<Setting Target="Host" Name="targetConfigName">x</Setting>\n'
     "</Item>", r"Production.cls:8: item 'S' has no host setting 'targetConfigName'.*did you mean 'TargetConfigName'"),
    ('<Item Name="S" ClassName="Mixed.TickSvc">\n<Setting Target="Adapter" Name="Callinterval">1</Setting>\n</Item>',
     r"Production.cls:8: .*no adapter setting 'Callinterval'.*did you mean 'CallInterval'"),
    ('<Item Name="S" ClassName="Mixed.Archive">\n<Setting Target="Adapter" Name="folder_path">1</Setting>\n</Item>',
     r"Production.cls:8: .*no adapter setting 'folder_path'.*did you mean"),
    ('<Item Name="S" ClassName="Mixed.linESERVICE"></Item>',
     r"Production.cls:7: item class 'Mixed.linESERVICE' .*did you mean 'Mixed.LineService'"),
    ('<Item Name="S" ClassName="Mixed.LineServise"></Item>', r"Production.cls:7: .*did you mean 'Mixed.LineService'"),
    ('<Item Name="S" ClassName="Mixed.Note"></Item>', r"Production.cls:7: item class Mixed.Note is a JsonMessage"),
    ('<Item Name="S" ClassName="Mixed.Writer">\n<Setting Target="Both" Name="Port">1</Setting>\n</Item>',
     r"Production.cls:8: .*Target='Both'"),
    ('<Item Name="S" ClassName="Mixed.Writer">\n<Setting Target="Host" Name="X">1</Item>',
     r"Production.cls:8: the production XML is not valid XML \(mismatched tag\)"),
    ('<Item ClassName="Mixed.Writer"/>', r"Production.cls:7: an <Item> has no Name"),
    ('<Item Name="S" ClassName="Mixed.Writer" PoolSize="two"/>', r"Production.cls:7: PoolSize='two'"),
])
def test_production_class_errors_name_file_line_and_fix(tmp_path, items, expected):
    with pytest.raises(HarnessError, match=expected):
        Harness(MIXED, production=_production(tmp_path, items))


def test_production_class_with_a_doctype_is_refused(tmp_path):
    path = tmp_path / "P.cls"
    path.write_text('Class A.P Extends Ens.Production\n{\nXData ProductionDefinition\n{\n'
                    '<!DOCTYPE p [<!ENTITY a "aaaa">]>\n<Production Name="A.P">&a;</Production>\n}\n}\n',
                    encoding="utf-8")
    with pytest.raises(HarnessError, match=r"P.cls:5: the production XML has a DOCTYPE"):
        Harness(MIXED, production=str(path))


def test_production_class_without_production_definition(tmp_path):
    path = tmp_path / "P.cls"
    path.write_text("Class A.P Extends Ens.Production\n{\n}\n", encoding="utf-8")
    with pytest.raises(HarnessError, match=r"P.cls: no 'XData ProductionDefinition' block"):
        Harness(MIXED, production=str(path))


def test_python_setting_names_take_attribute_or_exact_iris_name():
    harness = mixed(settings={"Mixed.Archive.folder_path": "/a", "Mixed.LineService.TargetConfigName": "Mixed.Archive",
                              "Mixed.Writer.StayConnected": 0})
    assert harness.items["Mixed.Archive"].adapter_settings["FolderPath"] == "/a"
    assert harness.items["Mixed.LineService"].settings["TargetConfigName"] == "Mixed.Archive"
    assert harness.items["Mixed.Writer"].adapter_settings["StayConnected"] == "0"
    with pytest.raises(HarnessError, match=r"has no setting 'folderpath'.*did you mean 'folder_path'"):
        mixed(settings={"Mixed.Archive.folderpath": "/a"})
    with pytest.raises(HarnessError, match=r"has no setting 'TargetConfigNam'.*did you mean 'TargetConfigName'"):
        mixed(settings={"Mixed.LineService.TargetConfigNam": "x"})


def test_call_interval_reaches_the_service_adapter_not_the_adapter_class():
    with Harness(MIXED, settings={"TickSvc.CallInterval": 1}) as harness:
        item = harness.items["TickSvc"]
        assert item.adapter_settings == {"CallInterval": "1"} and "CallInterval" not in item.settings
        assert item.call_interval == 1.0 and item.adapter_host.CallInterval == "1"
        harness.poll("TickSvc")
    assert harness.texts() == ["tick at TickIn"]
    with pytest.raises(HarnessError, match=r"TickIn is an adapter class, not an item.*TickSvc.CallInterval"):
        Harness(MIXED, settings={"TickIn.CallInterval": 1})


def test_python_production_names_still_pick_a_production_class(tmp_path):
    with pytest.raises(HarnessError, match=r"no Production class named 'Nope'.*\.cls"):
        Harness(MIXED, production="Nope")


EXITS = """
import sys
from intersystems_pyprod import *

class Req(JsonSerialize):
    text: str = ""

class Quitter(BusinessOperation):
    def OnMessage(self, request):
        if request.text == "exit":
            sys.exit(3)
        raise KeyboardInterrupt

class Odd(BusinessOperation):
    def OnMessage(self, request):
        if request.text == "one-ish":
            return "1 done", None
        if request.text == "dict":
            return Status.OK(), {"answer": 42}
        return "1", Req("fine")

class Sender(BusinessService):
    def OnProcessInput(self, input):
        return self.SendRequestSync("Odd", {"text": input})
"""


def test_system_exit_and_keyboard_interrupt_fail_only_the_callback(tmp_path, pyprod_harness):
    harness = pyprod_harness(str(write_script(tmp_path, "exits.py", EXITS)))
    module = harness.module
    status, _ = harness.request("Quitter", module.Req("exit"))
    assert is_error_value(status) and "raised SystemExit: 3" in status.text
    status, _ = harness.request("Quitter", module.Req("stop"))
    assert is_error_value(status) and "raised KeyboardInterrupt" in status.text
    tracebacks = [e.text for e in harness.errors() if "Traceback" in e.text]
    assert len(tracebacks) == 2 and "sys.exit(3)" in tracebacks[0]
    status, reply = harness.request("Odd", module.Req("ok"))
    assert status == 1 and type(reply) is module.Req and reply.text == "fine"


def test_only_ok_is_ok_and_dicts_are_refused_at_the_sender(tmp_path, pyprod_harness):
    harness = pyprod_harness(str(write_script(tmp_path, "odd.py", EXITS)))
    module = harness.module
    status, _ = harness.request("Odd", module.Req("one-ish"))
    assert is_error_value(status) and "returned '1 done' as its status" in status.text
    status, _ = harness.request("Odd", module.Req("dict"))
    assert is_error_value(status) and "returned a dict as its output" in status.text
    status = harness.send("Sender", "x")
    assert is_error_value(status) and "send_request_sync to Odd: the message is a dict, not a message" in status.text
    assert [t.target for t in harness.trace if t.source == "Sender"] == []


@pytest.mark.parametrize(("status", "error"), [(1, False), ("1", False), (True, False), (None, False),
                                               ("1 done", True), ("10", True), (2, True), (0, True), ("", True),
                                               ("0 oops", True), (False, True)])
def test_status_values(status, error):
    assert is_error_value(status) is error


def _mirror_file(tmp_path: Path, path: str) -> Path:
    target = tmp_path / Path(path).name
    shown = subprocess.run(["git", "-C", str(MIRROR), "show", f"HEAD:{path}"], capture_output=True, check=True)
    target.write_bytes(shown.stdout)
    return target


needs_pyprod_repo = pytest.mark.skipif(not MIRROR.is_dir() or shutil.which("git") is None,
                                       reason="PYPROD_SOURCE_REPO (a git checkout of pyprod) is not set")


@needs_pyprod_repo
def test_pyprod_all_py_components_production(tmp_path):
    script = _mirror_file(tmp_path, "tests/helpers/AllPyComponents/AllPyComponents.py")
    production = _mirror_file(tmp_path, "tests/helpers/AllPyComponents/Production.cls")
    with Harness(str(script), production=str(production)) as harness:
        first = harness.send("AllPyComponents.AdapterlessBS", "testMyJson")
        second = harness.send("AllPyComponents.AdapterlessBS", "testMyPickle")
    assert isinstance(first, tuple) and first[1].name == "response from BOmethod1"
    assert isinstance(second, tuple) and second[1].name == "response from BOmethod2"
    assert "Data received at Outbound Adapter is: From BOmethod1" in harness.texts()


@needs_pyprod_repo
def test_pyprod_tcp_adapters_from_os_production(tmp_path):
    """pyprod's mixed helper: ObjectScript TCP adapters around Python hosts, wired by its own Production.cls."""
    script = _mirror_file(tmp_path, "tests/helpers/OsPyMixed/TCPAdaptersFromOs/TCPAdaptersFromOs.py")
    production = _mirror_file(tmp_path, "tests/helpers/OsPyMixed/TCPAdaptersFromOs/Production.cls")
    with Harness(str(script), production=str(production)) as harness:
        status = harness.send("TCPAdaptersFromOs.TCPBusinessService", "sending message via my service")
        harness.drain()
    assert status == 1 and not harness.errors(), harness.errors()
    texts = harness.texts()
    assert "message received at business servicesending message via my service" in texts
    assert "recevied at operation: sending message via my service" in texts
    calls = [t.body for t in harness.trace if t.kind == "adapter call"]
    assert calls == ["SendMessageString('sending message via my service')"], harness.trace
