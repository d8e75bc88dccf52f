"""``intersystems_pyprod run-local``."""

from __future__ import annotations

import json

from .helpers import EXAMPLES, REPO, cli, write_script

HELLO = str(EXAMPLES / "hello_world" / "HelloWorld.py")


def test_hello_world_as_in_the_issue():
    result = cli("run-local", HELLO, "--setting", "MyService.target=MyProcess", "--setting",
                 "MyProcess.target=MyOperation", "--duration", "2")
    assert result.returncode == 0, result.stderr
    assert "[Info] MyOperation (MyOutAdapter.custom_method): request message" in result.stdout
    assert "[Info] MyService (MyService.OnProcessInput): response message" in result.stdout
    assert "MyService -> MyProcess  helloworld.MyRequest" in result.stdout


def test_json_output_and_send():
    result = cli("run-local", HELLO, "--json", "--setting", "MyService.target=MyProcess",
                 "--setting", "MyProcess.target=MyOperation", "--send", "MyService=hello there")
    assert result.returncode == 0
    doc = json.loads(result.stdout)
    assert doc["log"] == [{"level": "Info", "source": "MyOperation", "text": "hello there"},
                          {"level": "Info", "source": "MyService", "text": "response message"}]
    assert [(t["source"], t["target"], t["class"]) for t in doc["trace"]] == [
        ("MyService", "MyProcess", "helloworld.MyRequest"), ("MyProcess", "MyOperation", "helloworld.MyRequest"),
        ("MyOperation", "MyProcess", "helloworld.MyResponse"), ("MyProcess", "MyService", "helloworld.MyResponse")]
    assert json.loads(doc["trace"][0]["body"]) == {"content": "hello there"}


def test_logged_error_exits_1():
    result = cli("run-local", HELLO, "--send", "MyService=x")
    assert result.returncode == 1
    assert "'' is not an item" in result.stdout and "errors logged" in result.stdout
    # no response: SendRequestSync returns the status alone, as in pyprod 0.2.0
    assert "status, response = self.SendRequestSync" in result.stdout and "unpack" in result.stdout


def test_bad_setting_values(tmp_path):
    assert cli("run-local", HELLO, "--setting", "novalue").returncode == 2
    result = cli("run-local", HELLO, "--setting", "MyService.nope=1")
    assert result.returncode == 1 and "has no setting 'nope'" in result.stderr


def test_script_errors_exit_1(tmp_path):
    script = write_script(tmp_path, "bad.py", "def f(:\n")
    result = cli("run-local", str(script))
    assert result.returncode == 1 and "syntax error" in result.stderr and "Traceback" not in result.stderr


def test_components_without_production_become_items(tmp_path):
    script = write_script(tmp_path, "plain.py", """
from intersystems_pyprod import *

class Echo(BusinessService):
    def on_process_input(self, input):
        IRISLog.Info(input[::-1])
""")
    result = cli("run-local", str(script), "--send", "Echo=abc", "--json")
    assert json.loads(result.stdout)["log"] == [{"level": "Info", "source": "Echo", "text": "cba"}]


MIXED = str(REPO / "tests" / "fixtures" / "mixed" / "Mixed.py")
MIXED_CLS = str(REPO / "tests" / "fixtures" / "mixed" / "Production.cls")


def test_production_class_file_with_objectscript_adapters():
    result = cli("run-local", MIXED, "--production", MIXED_CLS, "--send", "Mixed.LineService=!fire", "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert [(t["source"], t["target"], t["body"]) for t in doc["trace"]] == [
        ("Mixed.LineService", "Mixed.Writer", '{"level": 3, "text": "fire"}'),
        ("Mixed.Writer", "EnsLib.TCP.TextLineOutboundAdapter", "SendMessageString('fire')"),
        ("Mixed.Writer", "Mixed.LineService", '{"text": "UrgentNote fire"}')]
    assert doc["log"][0]["source"] == "Mixed.Writer" and "SendMessageString('fire') recorded" in doc["log"][0]["text"]


def test_production_class_errors_name_the_file(tmp_path):
    bad = tmp_path / "Bad.cls"
    bad.write_text("Class A.B Extends Ens.Production\n{\nXData ProductionDefinition\n{\n<Production>\n"
                   '<Item Name="S" ClassName="Mixed.LineService">\n'
                   '<Setting Target="Host" Name="targetconfigname">x</Setting>\n</Item>\n</Production>\n}\n}\n')
    result = cli("run-local", MIXED, "--production", str(bad))
    assert result.returncode == 1
    assert f"{bad}:7: item 'S' has no host setting 'targetconfigname'" in result.stderr
    assert "did you mean 'TargetConfigName'?" in result.stderr


def test_call_interval_setting_reaches_the_service_adapter():
    result = cli("run-local", MIXED, "--setting", "TickSvc.CallInterval=1", "--duration", "0.2", "--json")
    assert result.returncode == 0, result.stderr
    assert {"level": "Info", "source": "TickSvc", "text": "tick at TickIn"} in json.loads(result.stdout)["log"]
    refused = cli("run-local", MIXED, "--setting", "TickIn.CallInterval=1")
    assert refused.returncode == 1
    assert "TickIn is an adapter class, not an item" in refused.stderr and "TickSvc.CallInterval" in refused.stderr


def test_timeout_stops_a_run_that_does_not_finish(tmp_path):
    script = write_script(tmp_path, "stuck.py", """
import time
from intersystems_pyprod import *

class Stuck(BusinessService):
    def on_process_input(self, input):
        IRISLog.Info("started")
        while True:
            time.sleep(0.05)
""")
    result = cli("run-local", str(script), "--send", "Stuck=x", "--timeout", "0.5")
    assert result.returncode == 1
    assert "did not finish within --timeout 0.5 seconds (Stuck was still busy, at " in result.stderr
    assert "[Info] Stuck (Stuck.on_process_input): started" in result.stdout
    assert cli("run-local", str(script), "--timeout", "-1").returncode == 2


def test_long_bodies_are_cut_in_text_and_whole_in_json(tmp_path):
    script = write_script(tmp_path, "long.py", """
from intersystems_pyprod import *

class Blob(JsonSerialize):
    data: str = ""

class Sink(BusinessOperation):
    def on_message(self, request):
        return Status.OK()

class Source(BusinessService):
    def on_process_input(self, input):
        return self.send_request_sync("Sink", Blob(input * 1000))
""")
    text = cli("run-local", str(script), "--send", "Source=ab")
    assert text.returncode == 0, text.stdout
    body = '{"data": "' + "ab" * 1000 + '"}'
    assert f"{body[:400]}... ({len(body) - 400} more characters; --json shows all)" in text.stdout
    whole = cli("run-local", str(script), "--send", "Source=ab", "--json")
    assert json.loads(whole.stdout)["trace"][0]["body"] == body
