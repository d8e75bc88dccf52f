"""The remote command line, end to end against a fake Native SDK running the real loader."""

from __future__ import annotations

import json

import iris as installed_sdk
import pytest

from intersystems_pyprod.director.settings import resolve
from intersystems_pyprod_cli.main import main

from .fake_native import IRIS_MEMBERS, MODULE_MEMBERS
from .helpers import EXAMPLES, write_script

HELLO = str(EXAMPLES / "hello_world" / "HelloWorld.py")
ORDERS = str(EXAMPLES / "orders" / "orders.py")
LOGIN = ["--username", "_SYSTEM", "--password", "s3cret!"]



def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_fake_matches_the_installed_sdk():
    for name in MODULE_MEMBERS:
        assert hasattr(installed_sdk, name), name
    for name in IRIS_MEMBERS:
        assert hasattr(installed_sdk.IRIS, name), name
    doc = installed_sdk.connect.__doc__
    for keyword in ("hostname", "port", "namespace", "username", "password", "timeout", "sharedmemory", "sslconfig"):
        assert keyword in doc
    assert installed_sdk.IRISReference(5).getValue() == 5


def test_load_prints_one_line_per_class_and_the_result(server, capsys):
    code, out, _ = run(capsys, HELLO, *LOGIN)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Loading HelloWorld.py into IRIS at localhost:1972/USER..."
    assert "  created    helloworld.MyService" in lines
    assert lines[-1] == "Load finished successfully. (version 1)"
    assert "helloworld.MyService" in server.namespace.classes
    assert server.connects[0]["sharedmemory"] is False and server.connects[0]["port"] == 1972
    assert server.g("PyProd.Upload").data == {}
    code, out, _ = run(capsys, HELLO, *LOGIN)
    assert code == 0 and "  unchanged  helloworld.MyRequest" in out


def test_local_modules_are_uploaded_too(server, capsys):
    code, _out, err = run(capsys, ORDERS, *LOGIN)
    assert code == 0
    assert sorted(server.store.files("orders", 1)) == ["order_messages.py", "orders.py"]
    assert "warning: " in err and "pickle message" in err


def test_json_and_output_dir(server, capsys, tmp_path):
    code, out, _ = run(capsys, HELLO, *LOGIN, "--json", "-o", str(tmp_path))
    doc = json.loads(out)
    assert code == 0 and doc["ok"] is True and doc["error"] is None and "texts" not in doc
    assert {c["action"] for c in doc["classes"]} == {"created"}
    written = (tmp_path / "helloworld" / "MyService.cls").read_text()
    assert written == server.namespace.classes["helloworld.MyService"]


def test_compile_failure_is_reported_and_exit_1(server, capsys):
    server.namespace.fail = {"helloworld.MyProcess"}
    code, out, _ = run(capsys, HELLO, *LOGIN)
    assert code == 1
    assert "  failed     helloworld.MyProcess" in out and "ERROR #5000" in out
    assert out.splitlines()[-1] == "Load failed: compilation failed; the previous classes stay in force"
    assert server.namespace.classes == {}


def test_script_error_from_the_server(server, capsys, tmp_path):
    script = write_script(tmp_path, "broken.py", "from intersystems_pyprod import *\n"
                                                 "class S(BusinessService):\n    def OnProcessInput(self):\n"
                                                 "        pass\n")
    code, out, _ = run(capsys, str(script), *LOGIN)
    assert code == 1 and "Load failed: broken.py:3: S.OnProcessInput has the wrong parameters" in out


def test_missing_script_is_checked_before_connecting(server, capsys, tmp_path):
    code, _, err = run(capsys, str(tmp_path / "nope.py"), *LOGIN)
    assert code == 1 and "does not exist" in err and server.connects == []


#: Until the module is in a registry, ``zpm "install pyprod"`` alone is a fix that cannot work:
#: every message that asks for PyProd also says how to load it from a checkout.
FROM_A_CHECKOUT = 'zpm "load /path/to/pyprod"'


def test_pyprod_not_installed(server, capsys):
    server.pyprod_installed = False
    code, _, err = run(capsys, HELLO, *LOGIN)
    assert code == 1
    assert "PyProd is not installed in namespace USER on localhost:1972" in err
    assert FROM_A_CHECKOUT in err and 'zpm "install pyprod"' in err and "git URL" in err


def test_doctor_says_how_to_install_pyprod_from_a_checkout(server, capsys):
    server.pyprod_installed = False
    code, out, _ = run(capsys, "doctor", *LOGIN, "--json")
    checks = {c["check"]: c for c in json.loads(out)["checks"]}
    assert code == 1 and FROM_A_CHECKOUT in checks["pyprod installed"]["fix"]
    server.pyprod_installed, server.server_version = True, "0.9.0"
    code, out, _ = run(capsys, "doctor", *LOGIN, "--json")
    checks = {c["check"]: c for c in json.loads(out)["checks"]}
    assert code == 1 and FROM_A_CHECKOUT in checks["pyprod version"]["fix"]
    assert "intersystems-pyprod-cli" in checks["pyprod version"]["fix"]


def test_doctor_checks_the_namespace_serves_the_library_its_classes_were_installed_with(server, capsys):
    """The library comes from the namespace's ^PyProd.Lib (PyProd.Library): a namespace without it
    runs whatever copy is on sys.path (not mirrored, perhaps another version)."""
    code, out, _ = run(capsys, "doctor", *LOGIN)
    assert code == 0 and ("[ok  ] pyprod library: 0.3.0 from namespace USER's database (^PyProd.Lib): it fails "
                          "over with that database on a mirror") in out
    server.library = {"stored": None, "file": "/usr/irissys/mgr/python/intersystems_pyprod/__init__.py"}
    code, out, _ = run(capsys, "doctor", *LOGIN, "--json")
    check = {c["check"]: c for c in json.loads(out)["checks"]}["pyprod library"]
    assert code == 1 and not check["ok"] and "holds no copy of the library (^PyProd.Lib)" in check["detail"]
    assert "/usr/irissys/mgr/python/" in check["detail"] and FROM_A_CHECKOUT in check["fix"]
    server.library = {"stored": "0.2.9", "file": "/pyprod-lib/USER/0.3.0/intersystems_pyprod/__init__.py"}
    code, out, _ = run(capsys, "doctor", *LOGIN, "--json")
    check = {c["check"]: c for c in json.loads(out)["checks"]}["pyprod library"]
    assert code == 1 and "installed with 0.2.9, but the server process runs 0.3.0" in check["detail"]
    server.library = {}  # a server that does not report it: no check rather than a false alarm
    code, out, _ = run(capsys, "doctor", *LOGIN, "--json")
    assert code == 0 and "pyprod library" not in {c["check"] for c in json.loads(out)["checks"]}


def test_unreachable_host_exits_3(server, capsys):
    server.reachable = False
    code, _, err = run(capsys, HELLO, *LOGIN, "--host", "iris.example", "--port", "51773")
    assert code == 3 and "cannot reach IRIS at iris.example:51773" in err and "superserver port" in err


def test_bad_password_exits_3_and_is_never_shown(server, capsys):
    secret = "wrong-Pa55word"
    for extra in ([], ["--json"], ["--debug"]):
        code, out, err = run(capsys, HELLO, "--username", "_SYSTEM", "--password", secret, *extra)
        assert code == 3
        assert secret not in out and secret not in err
        assert "IRIS at localhost:1972 refused the login of _SYSTEM" in out + err
        assert "expired" in out + err


def test_missing_namespace_exits_3(server, capsys):
    code, _, err = run(capsys, "status", *LOGIN, "--namespace", "NOPE")
    assert code == 3 and "refused namespace NOPE" in err and "firewall" not in err


def test_no_username_is_a_usage_error(server, capsys):
    code, _, err = run(capsys, "status")
    assert code == 2 and "IRIS_USERNAME" in err


def test_unload_status_and_doctor(server, capsys):
    run(capsys, HELLO, *LOGIN)
    code, out, _ = run(capsys, "status", *LOGIN)
    assert code == 0 and "Script HelloWorld: version 1, 7 classes" in out
    code, out, _ = run(capsys, "unload", HELLO, *LOGIN)
    assert code == 0 and "  deleted    helloworld.MyService" in out and server.namespace.classes == {}
    code, out, _ = run(capsys, "doctor", *LOGIN)
    assert code == 0 and "[ok  ] pyprod version: server 0.3.0, cli 0.3.0" in out
    server.interop, server.server_version = False, "0.9.0"
    server.missing_privileges = ["%Ens_ProductionRun"]
    code, out, _ = run(capsys, "doctor", *LOGIN, "--json")
    checks = {c["check"]: c for c in json.loads(out)["checks"]}
    assert code == 1 and not checks["interoperability"]["ok"] and "EnableNamespace" in checks["interoperability"]["fix"]
    assert not checks["pyprod version"]["ok"]
    assert checks["privilege %Development:USE"]["ok"] and not checks["privilege %Ens_ProductionRun:USE"]["ok"]
    assert "_SYSTEM" in checks["privilege %Ens_ProductionRun:USE"]["fix"]


def test_production_lifecycle(server, capsys):
    code, out, _ = run(capsys, "start", "Demo.Prod", *LOGIN)
    assert code == 0 and out.strip() == "Production started: Demo.Prod"
    code, _, err = run(capsys, "start", "Demo.Prod", *LOGIN)
    assert code == 1 and "ErrProductionAlreadyRunning" in err
    code, out, _ = run(capsys, "stop", "--force", *LOGIN)
    assert code == 0 and ("StopProduction", 10, 1) in server.director_calls
    for command, method, word in (("update", "UpdateProduction", "updated"), ("restart", "RestartProduction",
                                                                             "restarted")):
        code, out, _ = run(capsys, command, "--wait", "5", *LOGIN)
        assert code == 0 and out.strip() == f"Production {word}." and (method, 5, 0) in server.director_calls


def test_settings_precedence(tmp_path):
    (tmp_path / ".env").write_text('IRIS_HOST=dotenv-host\nexport IRIS_NAMESPACE="DOTENV"\nIRIS_PORT=1000\n')
    (tmp_path / "pyproject.toml").write_text('[tool.intersystems_pyprod]\nhost = "toml-host"\nport = 2000\n'
                                             'username = "tomluser"\ntimeout = 30\n')
    env = {"IRIS_PORT": "3000", "IRISUSERNAME": "envuser"}
    settings = resolve({"host": "flag-host"}, env, tmp_path)
    assert (settings.host, settings.port, settings.namespace, settings.username, settings.timeout) == (
        "flag-host", 3000, "DOTENV", "envuser", 30)
    assert settings.sources["host"] == "--host" and settings.sources["namespace"] == ".env IRIS_NAMESPACE"
    elsewhere = tmp_path / "elsewhere" / "deeper"
    elsewhere.mkdir(parents=True)
    (tmp_path / "elsewhere" / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    bare = resolve({}, {}, elsewhere)
    assert (bare.host, bare.port, bare.namespace) == ("localhost", 1972, "USER")
    assert "password" not in repr(resolve({"password": "pw"}, {}, tmp_path)).lower().replace("password=", "")


def test_bad_port_is_a_usage_error(server, capsys):
    code, _, err = run(capsys, "status", *LOGIN, "--port", "abc")
    assert code == 2 and "port 'abc' (from --port) must be a whole number" in err


def _header(i, session, source, target, cls):
    return {"ID": i, "SessionId": session, "TimeCreated": f"2026-11-23 10:00:0{i}", "SourceConfigName": source,
            "TargetConfigName": target, "MessageBodyClassName": cls, "MessageBodyId": str(i), "Status": "Completed",
            "IsError": 0}


def test_messages_with_bodies(wire, capsys):
    """Through the real Native SDK client and the stand-in superserver (tests/wire), rows included."""
    server = wire.fake
    server.headers = [_header(1, 7, "MyService", "MyProcess", "helloworld.MyRequest"),
                      _header(2, 7, "MyProcess", "MyOperation", "helloworld.MyRequest"),
                      _header(3, 8, "MyService", "MyProcess", "helloworld.MyRequest")]
    server.bodies = {("helloworld.MyRequest", str(i)): f'{{"content": "m{i}"}}' for i in (1, 2, 3)}
    code, out, _ = run(capsys, "messages", "--session", "7", *LOGIN)
    assert code == 0
    assert out.splitlines() == [
        "#1 session 7 2026-11-23 10:00:01  MyService -> MyProcess  helloworld.MyRequest [Completed]",
        '    {"content": "m1"}',
        "#2 session 7 2026-11-23 10:00:02  MyProcess -> MyOperation  helloworld.MyRequest [Completed]",
        '    {"content": "m2"}']
    code, out, _ = run(capsys, "messages", "--limit", "1", "--json", *LOGIN)
    assert [m["ID"] for m in json.loads(out)["messages"]] == [3]


def test_log_tail(wire, capsys):
    """Through the real Native SDK client and the stand-in superserver (tests/wire), rows included."""
    server = wire.fake
    server.log = [{"ID": i, "TimeLogged": f"t{i}", "Type": "Info", "ConfigName": "MyService", "SourceClass": "C",
                   "SourceMethod": "m", "Text": f"entry {i}", "SessionId": 1} for i in range(1, 6)]
    code, out, _ = run(capsys, "log", "--limit", "2", *LOGIN)
    assert code == 0
    assert out.splitlines() == ["t4 [Info] MyService (C.m): entry 4", "t5 [Info] MyService (C.m): entry 5"]


def test_director_api_for_scripts(server, monkeypatch):
    from intersystems_pyprod import director

    with director.connect(username="_SYSTEM", password="s3cret!", namespace="USER") as iris:
        result = iris.load_script(HELLO)
        assert result["ok"] and result["version"] == 1
        assert iris.listing()["scripts"][0]["script"] == "HelloWorld"
    with pytest.raises(director.DirectorError) as err:
        director.connect(username="_SYSTEM", password="bad")
    assert err.value.kind == "unreachable" and "bad" not in str(err.value)


def _loaded_with_one_message(server, capsys):
    """HelloWorld loaded, and one stored request of it."""
    run(capsys, HELLO, *LOGIN)
    server.headers = [_header(1, 7, "MyService", "MyProcess", "helloworld.MyRequest")]
    server.bodies = {("helloworld.MyRequest", "1"): '{"content": "m1"}'}


def test_an_operator_without_development_reads_status_and_messages(server, capsys):
    _loaded_with_one_message(server, capsys)
    server.missing_privileges = ["%Development", "%Ens_ProductionRun"]
    code, out, _ = run(capsys, "status", *LOGIN)
    assert code == 0 and "Script HelloWorld: version 1, 7 classes" in out
    code, out, _ = run(capsys, "messages", *LOGIN)
    assert code == 0 and '    {"content": "m1"}' in out.splitlines()
    code, _, err = run(capsys, "unload", HELLO, *LOGIN)
    assert code != 0 and "<PROTECT>" in err and "%Development:USE" in err
    code, out, _ = run(capsys, "doctor", *LOGIN, "--json")
    checks = {c["check"]: c for c in json.loads(out)["checks"]}
    assert not checks["privilege %Development:USE"]["ok"] and "load, unload" in checks["privilege %Development:USE"][
        "detail"]
    assert checks["privilege %Ens_Portal:USE"]["ok"] and checks["pyprod version"]["ok"]


def test_message_bodies_need_message_content(server, capsys):
    _loaded_with_one_message(server, capsys)
    server.missing_privileges = ["%Ens_MessageContent", "%Ens_Portal"]
    code, out, _ = run(capsys, "messages", *LOGIN)
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("#1 session 7") and "<PROTECT>" in lines[1]
    assert "%Ens_MessageContent:USE" in lines[1] and "m1" not in out
    code, out, _ = run(capsys, "doctor", *LOGIN, "--json")
    checks = {c["check"]: c for c in json.loads(out)["checks"]}
    assert not checks["privilege %Ens_MessageContent:USE"]["ok"] and "pyprod version" not in checks


def test_a_script_of_the_same_name_from_another_project_needs_take_over(server, capsys, tmp_path):
    for team in ("teamA", "teamB"):
        (tmp_path / team).mkdir()
        (tmp_path / team / "main.py").write_text(
            "from intersystems_pyprod import *\n"
            f"iris_package_name = '{team}'\n"
            "class Op(BusinessOperation):\n    def on_message(self, request):\n        return Status.OK()\n")
    assert run(capsys, str(tmp_path / "teamA" / "main.py"), *LOGIN)[0] == 0
    code, out, _ = run(capsys, str(tmp_path / "teamB" / "main.py"), *LOGIN)
    assert code == 1 and "script 'main' was loaded from another project" in out and "teamA" in out
    assert sorted(server.namespace.classes) == ["teamA.Op"]
    code, out, _ = run(capsys, str(tmp_path / "teamB" / "main.py"), *LOGIN, "--take-over")
    assert code == 0 and sorted(server.namespace.classes) == ["teamB.Op"]
    assert server.g("PyProd.Upload").data == {}


def test_an_upload_loaded_from_another_process_of_the_same_user_still_loads(server, capsys):
    """Whether one connection is one IRIS process is unconfirmed: the digest, not the process, guards it."""
    server.client_job = "9999"  # the loading call arrives in another process than the one that staged
    code, _, _ = run(capsys, HELLO, *LOGIN)
    assert code == 0 and "helloworld.MyService" in server.namespace.classes
    assert server.g("PyProd.Upload").data == {}


@pytest.mark.parametrize("argv, code, said", [
    ([HELLO], 130, "a load already sent runs to its end there"),
    (["unload", "helloworld"], 130, "look with `intersystems_pyprod status`"),
    (["status"], 130, "nothing was changed by this command"),
    (["log", "--follow"], 0, None),
])
def test_ctrl_c_while_waiting_for_iris(server, capsys, monkeypatch, argv, code, said):
    from .fake_native import FakeIRIS

    def interrupted(self, *args):
        raise KeyboardInterrupt

    for name in ("classMethodValue", "classMethodString"):
        monkeypatch.setattr(FakeIRIS, name, interrupted)
    monkeypatch.setattr("intersystems_pyprod_cli.remote.time.sleep", interrupted)  # log --follow's wait
    got, out, err = run(capsys, *argv, *LOGIN)
    assert got == code
    if not said:
        assert err == "" and out == ""
        return
    assert err.startswith("error: interrupted (Ctrl-C) while waiting for IRIS") and said in err
    got, out, _ = run(capsys, *argv, *LOGIN, "--json")
    doc = json.loads(out)
    assert got == code and doc["ok"] is False and doc["interrupted"] is True and said in doc["error"]
