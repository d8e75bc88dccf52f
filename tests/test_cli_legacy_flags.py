"""The intersystems-pyprod 0.2.0 flags: ``--manual``, ``-m/--module`` and ``-s/--source-root``,
offline and with a load against the fake Native SDK."""

from __future__ import annotations

import json
import shutil

import pytest

from intersystems_pyprod_cli.main import main

from .helpers import EXAMPLES, write_script

LOGIN = ["--username", "_SYSTEM", "--password", "s3cret!"]
FLOW = """\
from intersystems_pyprod import BusinessService, JsonSerialize

class Ping(JsonSerialize):
    text: str = ""

class Pinger(BusinessService):
    def OnProcessInput(self, request):
        return None
"""



@pytest.fixture
def project(tmp_path):
    """src/app/flows/ping.py where app/ has no __init__.py (a namespace package) and flows/ has one."""
    flows = tmp_path / "src" / "app" / "flows"
    flows.mkdir(parents=True)
    (flows / "__init__.py").write_text("")
    write_script(flows, "ping.py", FLOW)
    return tmp_path


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def pymodule(path):
    return next(line for line in path.read_text().splitlines() if line.startswith("Parameter PYMODULE"))


def test_manual_writes_beside_the_script_and_sends_nothing(server, capsys, tmp_path):
    script = tmp_path / "HelloWorld.py"
    shutil.copy(EXAMPLES / "hello_world" / "HelloWorld.py", script)
    code, out, err = run(capsys, "--manual", str(script), *LOGIN)
    assert code == 0, err
    folder = tmp_path / "helloworld_classes"
    assert (folder / "helloworld" / "MyService.cls").is_file()
    assert len(list(folder.rglob("*.cls"))) == 7
    assert f"written to {folder}" in out.splitlines()[-1]
    assert server.connects == []


def test_manual_with_output_folder(server, capsys, tmp_path):
    code, _out, err = run(capsys, "--manual", "-o", str(tmp_path / "out"), str(EXAMPLES / "orders" / "orders.py"))
    assert code == 0, err
    assert len(list((tmp_path / "out").rglob("*.cls"))) == 9
    assert not list((EXAMPLES / "orders").glob("*_classes"))


def test_module_from_the_current_folder(project, capsys, monkeypatch):
    monkeypatch.chdir(project / "src")
    code, out, err = run(capsys, "--manual", "-m", "app.flows.ping", "--json")
    assert code == 0, err
    document = json.loads(out)
    folder = project / "src" / "ping_classes"  # -m: in the folder the module was found in
    assert document["output"] == str(folder)
    assert pymodule(folder / "ping" / "Pinger.cls") == 'Parameter PYMODULE = "app.flows.ping";'


def test_module_under_a_source_root(project, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    code, _out, err = run(capsys, "--dry-run", "-m", "app.flows.ping", "-s", str(project / "src"),
                          "-o", str(tmp_path / "out"))
    assert code == 0, err
    assert pymodule(tmp_path / "out" / "ping" / "Pinger.cls") == 'Parameter PYMODULE = "app.flows.ping";'


def test_source_root_names_a_script_module_past_folders_without_init(project, capsys, tmp_path):
    script = str(project / "src" / "app" / "flows" / "ping.py")
    assert run(capsys, "--dry-run", "-o", str(tmp_path / "a"), script)[0] == 0
    assert pymodule(tmp_path / "a" / "ping" / "Pinger.cls") == 'Parameter PYMODULE = "flows.ping";'
    assert run(capsys, "--dry-run", "-s", str(project / "src"), "-o", str(tmp_path / "b"), script)[0] == 0
    assert pymodule(tmp_path / "b" / "ping" / "Pinger.cls") == 'Parameter PYMODULE = "app.flows.ping";'


def test_load_with_source_root_keeps_the_module_name_on_the_server(server, project, capsys):
    script = str(project / "src" / "app" / "flows" / "ping.py")
    code, out, err = run(capsys, "-s", str(project / "src"), script, *LOGIN)
    assert code == 0, out + err
    assert sorted(server.store.files("app/flows/ping", 1)) == ["app/flows/__init__.py", "app/flows/ping.py"]
    assert 'Parameter PYMODULE = "app.flows.ping";' in server.namespace.classes["ping.Pinger"]


def test_load_a_module(server, project, capsys, monkeypatch):
    monkeypatch.chdir(project / "src")
    code, out, err = run(capsys, "-m", "app.flows.ping", *LOGIN)
    assert code == 0, out + err
    assert "Loading app/flows/ping.py into IRIS" in out
    assert 'Parameter PYMODULE = "app.flows.ping";' in server.namespace.classes["ping.Pinger"]


@pytest.mark.parametrize("argv, words", [
    (["-m", "app.nope"], "module 'app.nope' was not found under"),
    (["-m", "app.flows.ping", "x.py"], "not both"),
    (["-m", "../etc/passwd"], "was not found"),
    ([], "pass a SCRIPT.py or -m MODULE"),
    (["-s", "no/such/dir", "x.py"], "source root no/such/dir is not a folder"),
])
def test_bad_module_or_root_is_a_usage_error(server, project, capsys, monkeypatch, argv, words):
    monkeypatch.chdir(project / "src")
    code, _out, err = run(capsys, *argv, *LOGIN)
    assert code == 2 and words in err and "Traceback" not in err
    assert server.connects == []


def test_script_outside_the_source_root(server, project, capsys, tmp_path):
    other = write_script(tmp_path, "other.py", FLOW)
    code, _out, err = run(capsys, "--dry-run", "-s", str(project / "src"), str(other))
    assert code == 2 and "is not under the source root" in err and "fix:" in err
