"""``plan`` (issue 23): what a load would do, from the server's loader, changing nothing."""

from __future__ import annotations

import json

from intersystems_pyprod import director
from intersystems_pyprod_cli.main import main

from .test_cli_versions import FLOW, LOGIN, SECOND, run


def test_plan_of_a_new_script_lists_the_classes_and_changes_nothing(server, capsys, tmp_path):
    script = tmp_path / "flow.py"
    script.write_text(FLOW, encoding="utf-8")
    code, out, _ = run(capsys, "plan", str(script), *LOGIN)
    assert code == 0 and server.namespace.classes == {} and server.store.scripts() == []
    assert server.g("PyProd.Upload").data == {}
    lines = out.splitlines()
    assert lines[0] == "Loading flow.py into IRIS at localhost:1972/USER would do this (nothing was changed):"
    assert "  created    Flow.Op" in lines and "  created    Flow.Prod" in lines
    assert "Production Flow.Prod (created):" in lines and "  + item Op" in lines
    assert lines[-1] == "Plan: 2 created; the load would succeed."
    assert run(capsys, "plan", str(script), "--exit-code", *LOGIN)[0] == 1


def test_plan_after_the_load_says_no_changes_in_one_line(server, capsys, tmp_path):
    script = tmp_path / "flow.py"
    script.write_text(FLOW, encoding="utf-8")
    assert main([str(script), *LOGIN]) == 0
    capsys.readouterr()
    code, out, _ = run(capsys, "plan", str(script), "--exit-code", *LOGIN)
    assert code == 0 and out == "No changes: loading flow.py into IRIS at localhost:1972/USER would change nothing.\n"


def test_plan_json_diff_and_restarts_agree_with_the_load(server, capsys, tmp_path):
    script = tmp_path / "flow.py"
    script.write_text(FLOW, encoding="utf-8")
    assert main([str(script), *LOGIN]) == 0
    server.namespace.running = {"Flow.Op": ["Op"]}
    script.write_text(SECOND, encoding="utf-8")
    code, out, _ = run(capsys, "plan", str(script), "--diff", *LOGIN)
    assert code == 0 and "+++ Flow.Extra (this load)" in out and "  + item Extra" in out
    assert "Running items that would restart: Op" in out
    code, out, _ = run(capsys, "plan", str(script), "--json", *LOGIN)
    planned = json.loads(out)
    assert planned["ok"] and planned["changed"] and planned["diffs"] == {}
    code, out, _ = run(capsys, str(script), "--json", *LOGIN)
    loaded = json.loads(out)
    actions = [[(c["name"], c["action"]) for c in doc["classes"]] for doc in (planned, loaded)]
    assert actions[0] == actions[1]
    assert planned["restarted"] == loaded["restarted"] == ["Op"]


def test_plan_conflicts_exit_1(server, capsys, tmp_path):
    for team in ("a", "b"):
        (tmp_path / team).mkdir()
        (tmp_path / team / "flow.py").write_text(FLOW, encoding="utf-8")
    assert main([str(tmp_path / "a" / "flow.py"), *LOGIN]) == 0
    capsys.readouterr()
    code, out, _ = run(capsys, "plan", str(tmp_path / "b" / "flow.py"), *LOGIN)
    assert code == 1 and "  conflict: script 'flow' was loaded from another project" in out
    assert out.splitlines()[-1].endswith("the load would be refused.")
    assert run(capsys, "plan", str(tmp_path / "b" / "flow.py"), "--take-over", *LOGIN)[0] == 0


def test_plan_errors(server, capsys, tmp_path):
    code, _, err = run(capsys, "plan", str(tmp_path / "missing.py"), *LOGIN)
    assert code == 1 and "does not exist" in err and server.connects == []
    code, _, err = run(capsys, "plan", *LOGIN)
    assert code == 2 and "pass a SCRIPT.py or -m MODULE" in err
    bad = tmp_path / "bad.py"
    bad.write_text("from intersystems_pyprod import *\nclass S(BusinessService):\n    x = = 1\n", encoding="utf-8")
    code, out, err = run(capsys, "plan", str(bad), *LOGIN)
    assert code == 1 and "syntax error" in (out + err)
    server.reachable = False
    (tmp_path / "flow.py").write_text(FLOW, encoding="utf-8")
    code, _, err = run(capsys, "plan", str(tmp_path / "flow.py"), *LOGIN)
    assert code == 3 and "COMMUNICATION LINK ERROR" in err


def test_director_plan_script_returns_data(server, tmp_path):
    (tmp_path / "flow.py").write_text(FLOW, encoding="utf-8")
    with director.connect(username="_SYSTEM", password="s3cret!") as iris:
        planned = iris.plan_script(str(tmp_path / "flow.py"), diff=True)
        assert planned["ok"] and planned["changed"] and set(planned["diffs"]) == {"Flow.Op", "Flow.Prod"}
        assert iris.load_script(str(tmp_path / "flow.py"))["ok"]
        assert not iris.plan_script(str(tmp_path / "flow.py"))["changed"]
