"""``history`` and ``rollback`` (issue 23): the stored versions of a loaded script, and going back
to one, end to end against the fake Native SDK whose server runs the real loader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from intersystems_pyprod import director
from intersystems_pyprod.director import DirectorError
from intersystems_pyprod_cli.main import main

LOGIN = ["--username", "_SYSTEM", "--password", "s3cret!"]
FLOW = '''
from intersystems_pyprod import *
iris_package_name = "Flow"

class Op(BusinessOperation):
    def on_message(self, request):
        return Status.OK()

class Prod(Production):
    operations = [OperationItem("Op", Op)]
'''
SECOND = FLOW.replace("class Prod(", "class Extra(BusinessOperation):\n    def on_message(self, request):\n"
                                     "        return Status.OK()\n\nclass Prod(").replace(
    'OperationItem("Op", Op)]', 'OperationItem("Op", Op), OperationItem("Extra", Extra)]')


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def load(capsys, script: Path, text: str) -> None:
    script.write_text(text, encoding="utf-8")
    assert run(capsys, str(script), *LOGIN)[0] == 0


@pytest.fixture
def two_versions(server, capsys, tmp_path):
    """flow.py loaded twice: version 1 (Op, Prod), version 2 (with Extra), 2 active."""
    script = tmp_path / "flow.py"
    load(capsys, script, FLOW)
    load(capsys, script, SECOND)
    return script


def test_history_lists_versions_newest_first_with_the_active_one(server, capsys, two_versions):
    code, out, _ = run(capsys, "history", str(two_versions), *LOGIN)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("Script flow (project ") and str(two_versions.parent) in lines[0]
    assert lines[1].startswith("*    2  2026-11-23 12:00:00  _SYSTEM") and lines[1].endswith("3 classes  (active)")
    assert lines[2].startswith("     1  ") and lines[2].endswith("2 classes")
    code, out, _ = run(capsys, "history", "flow", *LOGIN, "--json")
    doc = json.loads(out)
    assert code == 0 and doc["ok"] and doc["active"] == 2
    assert [(v["number"], v["active"]) for v in doc["versions"]] == [(2, True), (1, False)]
    assert doc["versions"][0]["classes"] == ["Flow.Extra", "Flow.Op", "Flow.Prod"]
    assert doc["versions"][1]["classes"] == ["Flow.Op", "Flow.Prod"]
    assert doc["versions"][1]["project"].endswith(two_versions.parent.as_posix())
    assert len(doc["versions"][0]["hash"]) == 64 and doc["versions"][0]["user"] == "_SYSTEM"


def test_history_of_an_unknown_script_names_the_loaded_ones(server, capsys, two_versions):
    code, out, _ = run(capsys, "history", "nope", *LOGIN)
    assert code == 1 and out.startswith("History failed: no script 'nope' is loaded in this namespace (loaded "
                                        "scripts: 'flow')\n  fix: pass a script name from that list")
    code, out, _ = run(capsys, "history", "../etc", *LOGIN, "--json")
    assert code == 1 and "not a Python module or package name" in json.loads(out)["error"]


def test_rollback_goes_back_to_the_version_before_the_active_one(server, capsys, two_versions):
    code, out, _ = run(capsys, "rollback", str(two_versions), *LOGIN)
    assert code == 0
    assert "  deleted    Flow.Extra" in out and "  unchanged  Flow.Op" in out and "  updated    Flow.Prod" in out
    assert out.splitlines()[-1] == "Rollback finished successfully: script flow is at version 1."
    assert "Flow.Extra" not in server.namespace.classes and server.store.active("flow") == 1
    code, out, _ = run(capsys, "rollback", "flow", "--to", "2", *LOGIN, "--json")
    doc = json.loads(out)
    assert code == 0 and doc["ok"] and doc["version"] == 2 and "Flow.Extra" in server.namespace.classes
    assert {c["name"]: c["action"] for c in doc["classes"]}["Flow.Extra"] == "created"


def test_rollback_refuses_unknown_versions_and_scripts(server, capsys, two_versions):
    before = dict(server.namespace.classes)
    code, out, _ = run(capsys, "rollback", "flow", "--to", "7", *LOGIN)
    assert code == 1 and out.strip() == "Rollback failed: script 'flow' has no stored version 7 (versions: 1, 2)"
    code, out, _ = run(capsys, "rollback", "other", *LOGIN)
    assert code == 1 and "no script 'other' is loaded in this namespace (loaded scripts: 'flow')" in out
    assert run(capsys, "rollback", "flow", "--to", "1", *LOGIN)[0] == 0
    code, out, _ = run(capsys, "rollback", "flow", *LOGIN)  # version 1 is active: nothing before it
    assert code == 1 and "script 'flow' has no version before its active version 1 (versions: 1, 2)" in out
    assert "--to N" in out
    assert server.store.active("flow") == 1 and set(server.namespace.classes) == set(before) - {"Flow.Extra"}
    code, _, err = run(capsys, "rollback", "flow", "--to", "two", *LOGIN)
    assert code == 2 and "invalid int value" in err


def test_rollback_is_all_or_nothing(server, capsys, two_versions):
    server.namespace.fail = {"Flow.Prod"}  # version 1's production does not compile
    before = dict(server.namespace.classes)
    code, out, _ = run(capsys, "rollback", "flow", *LOGIN)
    assert code == 1 and out.splitlines()[-1] == ("Rollback failed: compilation failed; the previous classes "
                                                  "stay in force")
    assert server.store.active("flow") == 2 and set(server.namespace.classes) == set(before)


def test_rollback_refuses_to_drop_portal_changes_unless_told(server, capsys, two_versions):
    name = "Flow.Prod"
    server.namespace.classes[name] = server.namespace.classes[name].replace('ClassName="Flow.Op" PoolSize="1"',
                                                                              'ClassName="Flow.Op" PoolSize="4"')
    code, out, _ = run(capsys, "rollback", "flow", *LOGIN)
    assert code == 1 and "item Op: PoolSize = '4' (the last load wrote '1')" in out
    code, out, _ = run(capsys, "rollback", "flow", "--overwrite-production", *LOGIN)
    assert code == 0 and server.store.active("flow") == 1


def test_history_and_rollback_need_a_connection(server, capsys):
    server.reachable = False
    for command in ("history", "rollback"):
        code, _, err = run(capsys, command, "flow", *LOGIN)
        assert code == 3 and "COMMUNICATION LINK ERROR" in err


def test_director_history_and_rollback_return_data(server, capsys, two_versions):
    with director.connect(username="_SYSTEM", password="s3cret!") as iris:
        assert [v["number"] for v in iris.history("flow")["versions"]] == [2, 1]
        assert iris.rollback("flow")["version"] == 1
        assert iris.rollback("flow", to=2)["ok"] and server.store.active("flow") == 2
        with pytest.raises(DirectorError, match="not a version number"):
            iris.rollback("flow", to=0)
