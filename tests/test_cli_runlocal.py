"""``intersystems_pyprod run-local``."""

from __future__ import annotations

import json

from .helpers import EXAMPLES, cli, write_script

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
