"""``--watch`` against the fake server with real file changes: a change reloads, a change to an
unrelated file does not, a failed load keeps the previous version, Ctrl-C ends the loop."""

from __future__ import annotations

import shutil

from intersystems_pyprod_cli import watch
from intersystems_pyprod_cli.main import main

from .helpers import EXAMPLES

LOGIN = ["--username", "_SYSTEM", "--password", "s3cret!"]


class Script:
    """A fake ``time.sleep`` that makes the next planned file change at each call, then presses Ctrl-C."""

    def __init__(self, steps):
        self.steps = list(steps)
        self.calls = 0

    def __call__(self, seconds):
        self.calls += 1
        if not self.steps:
            raise KeyboardInterrupt
        step = self.steps.pop(0)
        if step is not None:
            step()



def _use(monkeypatch, plan):
    original = watch.Watcher.__init__

    def init(self, command, files, **kwargs):
        original(self, command, files, sleep=plan)

    monkeypatch.setattr(watch.Watcher, "__init__", init)


def _edit(path, old, new):
    return lambda: path.write_text(path.read_text().replace(old, new))


def test_load_watch_reloads_on_change_ignores_other_files_and_keeps_the_last_good_version(
        tmp_path, server, monkeypatch, capsys):
    script = tmp_path / "HelloWorld.py"
    shutil.copy(EXAMPLES / "hello_world" / "HelloWorld.py", script)
    notes = tmp_path / "notes.py"
    notes.write_text("x = 1\n")
    plan = Script([
        lambda: notes.write_text("x = 2\n"),               # unrelated file: no reload
        None,
        _edit(script, "class MyRequest(JsonSerialize):", 'class MyRequest(JsonSerialize):\n    """v2"""'),
        None,                                               # debounce: the change settled -> reload
        _edit(script, "def OnMessage(self, input):", "def OnMessage(self):"),
        None,                                               # -> the load fails
        None,                                               # then Ctrl-C
    ])
    _use(monkeypatch, plan)
    code = main(["load", "--watch", str(script), *LOGIN])
    out, err = capsys.readouterr()
    assert code == 0 and "Stopped watching." in err
    assert out.count("Loading HelloWorld.py into IRIS") == 3
    assert out.count("Load finished successfully.") == 2
    assert "Changed: HelloWorld.py; running again." in out and "notes.py" not in out
    assert "wrong parameters" in out and "the version loaded last stays in place" in out
    assert main(["status", *LOGIN]) == 0
    status = capsys.readouterr().out
    assert "version 2" in status  # the failed third load did not replace version 2
    assert "v2" in server.namespace.classes["helloworld.MyRequest"]


def test_watch_follows_imported_project_modules(tmp_path):
    (tmp_path / "messages.py").write_text("X = 1\n")
    (tmp_path / "flow.py").write_text("import messages\n")
    (tmp_path / "other.py").write_text("Y = 1\n")
    files = watch.project_files([tmp_path / "flow.py"], [None])
    assert {p.name for p in files} == {"flow.py", "messages.py"}
    (tmp_path / "flow.py").write_text("import messages\nimport other\n")
    assert {p.name for p in watch.project_files([tmp_path / "flow.py"], [None])} == {"flow.py", "messages.py",
                                                                                      "other.py"}
    (tmp_path / "flow.py").write_text("import (\n")
    assert [p.name for p in watch.project_files([tmp_path / "flow.py"], [None])] == ["flow.py"]


def test_debounce_waits_until_the_writes_settle(tmp_path):
    path = tmp_path / "a.py"
    path.write_text("1")
    runs = []
    plan = Script([lambda: path.write_text("2"), lambda: path.write_text("3"), None, None])
    code = watch.Watcher(lambda: runs.append(path.read_text()) or 0, lambda: [path], sleep=plan).run()
    assert code == 0 and runs == ["1", "3"]  # two writes in a row are one change


def test_run_local_watch_runs_again_after_a_change(tmp_path, monkeypatch, capsys):
    script = tmp_path / "HelloWorld.py"
    shutil.copy(EXAMPLES / "hello_world" / "HelloWorld.py", script)
    plan = Script([_edit(script, 'MyResponse("response message")', 'MyResponse("second answer")'), None])
    _use(monkeypatch, plan)
    code = main(["run-local", "--watch", str(script), "--setting", "MyService.target=MyProcess",
                 "--setting", "MyProcess.target=MyOperation", "--send", "MyService=hi"])
    out, err = capsys.readouterr()
    assert code == 0 and "Stopped watching." in err
    assert out.count("Run finished:") == 2
    assert out.index('"response message"') < out.index('"second answer"')
