"""``--json``: one JSON document on stdout for every command and every outcome."""

from __future__ import annotations

import json

import pytest

from intersystems_pyprod_cli.main import main

from .helpers import EXAMPLES, cli, write_script

HELLO = str(EXAMPLES / "hello_world" / "HelloWorld.py")
LOGIN = ["--username", "_SYSTEM", "--password", "s3cret!"]

PRINTING = """
from intersystems_pyprod import *

print("hello from the script")

class Echo(BusinessService):
    def on_process_input(self, input):
        print("hello from a callback")
        IRISLog.Info(input[::-1])
"""


def _one_document(stdout: str) -> dict:
    doc = json.loads(stdout)  # fails on anything before or after the document
    assert isinstance(doc, dict) and "ok" in doc, doc
    return doc


# (argv, exit code, ok, words in the error); "{s}" is the printing script, "{missing}" no file
SUBPROCESS_CASES = [
    (["--dry-run", "{s}"], 0, True, ""),
    (["--dry-run", "{s}", HELLO], 0, True, ""),
    (["--dry-run", "{missing}"], 1, False, "does not exist"),
    (["run-local", "{s}", "--send", "Echo=abc"], 0, True, ""),
    (["run-local", "{missing}"], 1, False, "does not exist"),
    (["run-local", "{s}", "--send", "nothing"], 2, False, "ITEM=TEXT"),
    (["run-local", "{s}", "--duration", "x"], 2, False, "--duration"),
    (["graph", "{s}"], 0, True, ""),
    (["graph", "{missing}"], 1, False, "does not exist"),
    (["graph", "{s}", "--format", "dot"], 2, False, "--format dot"),
    (["graph"], 2, False, "SCRIPT.py or --remote"),
    (["status", "--bogus"], 2, False, "--bogus"),
    (["status", "--port", "abc"], 2, False, "port"),
    (["status"], 2, False, "no user name"),
    (["--dry-run", "-m", "no.such.module"], 2, False, "was not found"),
]


@pytest.mark.parametrize("argv, code, ok, words", SUBPROCESS_CASES)
def test_every_outcome_is_one_document(tmp_path, argv, code, ok, words):
    script = write_script(tmp_path, "printing.py", PRINTING)
    argv = [a.format(s=script, missing=tmp_path / "missing.py") for a in argv]
    result = cli(*argv, "--json", cwd=tmp_path)
    assert result.returncode == code, result.stdout + result.stderr
    doc = _one_document(result.stdout)
    assert doc["ok"] is ok
    assert words in str(doc.get("error"))
    assert "hello from" not in result.stdout
    assert "Traceback" not in result.stderr


def test_prints_of_the_script_go_to_stderr(tmp_path):
    script = write_script(tmp_path, "printing.py", PRINTING)
    result = cli("run-local", str(script), "--send", "Echo=abc", "--json", cwd=tmp_path)
    assert "hello from the script" in result.stderr and "hello from a callback" in result.stderr
    assert _one_document(result.stdout)["log"][0]["text"] == "cba"
    graph = _one_document(cli("graph", str(script), "--json", cwd=tmp_path).stdout)
    assert [n["name"] for n in graph["nodes"]] == ["Echo"]


@pytest.mark.parametrize("argv, key", [
    (["start", "Demo.Prod"], "started"),
    (["stop"], "stopped"),
    (["update"], "updated"),
    (["log", "--limit", "2"], "entries"),
])
def test_server_commands_print_one_document(server, capsys, argv, key):
    server.log = [{"ID": i, "TimeLogged": f"t{i}", "Type": "Info", "ConfigName": "S", "SourceClass": "C",
                   "SourceMethod": "m", "Text": f"entry {i}", "SessionId": 1} for i in range(1, 4)]
    assert main([*argv, *LOGIN, "--json"]) == 0
    doc = _one_document(capsys.readouterr().out)
    assert doc["ok"] is True and key in doc
