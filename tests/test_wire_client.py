"""The command line and the director through the real Native SDK client (intersystems-irispython),
talking to the stand-in superserver of tests/wire over a loopback socket."""

from __future__ import annotations

import json

import pytest

from intersystems_pyprod import director
from intersystems_pyprod.director import backends
from intersystems_pyprod_cli.main import main

from .helpers import EXAMPLES

HELLO = str(EXAMPLES / "hello_world" / "HelloWorld.py")


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_status_doctor_and_load_work_through_the_real_client(wire, capsys):
    code, out, err = run(capsys, HELLO)
    assert code == 0, err
    assert out.splitlines()[-1] == "Load finished successfully. (version 1)"
    assert "helloworld.MyService" in wire.fake.namespace.classes
    assert wire.fake.g("PyProd.Upload").data == {}  # the staged upload is gone
    assert wire.logins[0] == {"namespace": "USER", "username": "_SYSTEM", "password": wire.fake.password}
    code, out, err = run(capsys, "status")
    assert code == 0 and "Script HelloWorld: version 1" in out
    code, out, err = run(capsys, "doctor", "--json")
    checks = {c["check"]: c for c in json.loads(out)["checks"]}
    assert checks["upload global"]["ok"] and checks["pyprod installed"]["ok"]


# -- 1: refusals at connect time are named by what the client says ------------------------------
@pytest.mark.parametrize("case, expected", [
    ("password", "refused the login of _SYSTEM: Access Denied"),
    ("namespace", "refused namespace NOPE"),
    ("expired", "the password of _SYSTEM on 127.0.0.1:"),
])
def test_a_refused_login_is_not_reported_as_unreachable(wire, capsys, case, expected):
    argv = ["status"]
    if case == "password":
        argv += ["--password", "wrong"]
    elif case == "namespace":
        argv += ["--namespace", "NOPE"]
    else:
        wire.faults.expired.append("_SYSTEM")
    code, _out, err = run(capsys, *argv)
    assert code == 3
    assert expected in err
    assert "cannot reach" not in err and "firewall" not in err
    if case != "namespace":
        assert "UnExpireUserPasswords" in err  # the fresh container's expired SYS password, with its fix
    assert "wrong" not in err


def test_a_closed_port_is_unreachable(wire, capsys):
    wire.stop()
    code, _out, err = run(capsys, "status")
    assert code == 3 and "cannot reach IRIS at 127.0.0.1" in err and "superserver port" in err


# -- 2: the real cause is reported, clean-up never masks it ---------------------------------------
def test_a_refused_upload_write_names_the_privilege_not_an_internal_error(wire, capsys):
    wire.faults.errors["set ^PyProd.Upload"] = "<PROTECT> ^PyProd.Upload,/usr/irissys/mgr/user/"
    wire.faults.errors["kill ^PyProd.Upload"] = "<PROTECT> ^PyProd.Upload,/usr/irissys/mgr/user/"
    code, _out, err = run(capsys, HELLO)
    assert code == 1
    assert "internal error" not in err
    assert "<PROTECT> ^PyProd.Upload" in err and "write access" in err


def test_a_link_dropped_during_the_load_is_reported_as_lost(wire, capsys):
    wire.faults.drops["PyProd.Loader.LoadUploaded"] = 1
    code, _out, err = run(capsys, HELLO, "--timeout", "2")
    assert code == 3
    assert "internal error" not in err
    assert "connection to IRIS at 127.0.0.1" in err and "was lost during PyProd.Loader.LoadUploaded" in err


def test_doctor_checks_that_the_upload_global_can_be_written(wire, capsys):
    wire.faults.errors["set ^PyProd.Upload"] = "<PROTECT> ^PyProd.Upload,/usr/irissys/mgr/user/"
    code, out, _err = run(capsys, "doctor")
    assert code == 1
    assert "[FAIL] upload global" in out and "%DB_USER:W" in out


# -- 3: SQL failures are named -------------------------------------------------------------------
@pytest.mark.parametrize("command, table", [("log", "Ens_Util.Log"), ("messages", "Ens.MessageHeader")])
def test_sql_failures_name_the_table_and_the_privilege(wire, capsys, command, table):
    wire.faults.sql_error = (-30, f"[SQLCODE: <-30>:<Table or view not found>] [%msg: < Table {table} not found>]")
    code, _out, err = run(capsys, command)
    assert code == 1
    assert "internal error" not in err
    assert f"reading {table} failed" in err and "ProgrammingError" in err and f"SELECT on {table}" in err


def test_get_host_messages_reads_rows_through_the_real_client(wire):
    wire.fake.headers = [{"ID": i, "SessionId": 1, "TimeCreated": f"2026-11-23 10:00:0{i}", "SourceConfigName": src,
                          "TargetConfigName": dst, "MessageBodyClassName": "Demo.Req", "MessageBodyId": str(i),
                          "Status": 9, "IsError": 0} for i, src, dst in ((1, "Svc", "Proc"), (2, "Proc", "Op"),
                                                                        (3, "Other", "Op"))]
    hostile = "x' OR 1=1 --"
    backends.use_connection(None)
    try:
        assert [m["id"] for m in director.get_host_messages("Proc")] == [2, 1]
        first = director.get_host_messages("Proc", 1)[0]
        assert first == {"id": 2, "time_created": "2026-11-23 10:00:02", "source": "Proc", "target": "Op",
                         "status": 9, "session_id": 1, "body_class": "Demo.Req", "body_id": "2"}
        assert director.get_host_messages(hostile) == []
    finally:
        backends.use_connection(None)
    assert wire.fake.queries[-1][1] == [100, hostile, hostile] and hostile not in wire.fake.queries[-1][0]


def test_get_host_messages_raises_a_named_error(wire):
    wire.faults.sql_error = (-99, "[SQLCODE: <-99>:<Privilege violation>]")
    backends.use_connection(None)
    try:
        with pytest.raises(director.DirectorError, match=r"SELECT on Ens\.MessageHeader"):
            director.get_host_messages("Demo.Service")
    finally:
        backends.use_connection(None)


# -- 4: the SDK's keyword names are honoured; unknown ones refused ----------------------------------
def test_connect_takes_the_sdks_hostname(wire, monkeypatch):
    monkeypatch.setenv("IRIS_HOST", "127.0.0.2")  # nothing listens there: only hostname= reaches the stand-in
    with director.connect(hostname="127.0.0.1", port=wire.port) as iris:
        assert iris.settings.host == "127.0.0.1" and iris.has_class("PyProd.Loader")


def test_connect_takes_the_sdks_sslconfig(wire):
    with pytest.raises(director.DirectorError, match=r"TLS connection to IRIS at 127\.0\.0\.1:.* 'MyTLS' failed"):
        director.connect(sslconfig="MyTLS")
    assert wire.logins == []  # the password never went out in the clear


def test_connect_refuses_unknown_keywords(wire):
    with pytest.raises(TypeError, match="'hots'"):
        director.connect(hots="127.0.0.1")
    with pytest.raises(TypeError, match="twice"):
        director.connect(host="a", hostname="b")


# -- 5: TLS ----------------------------------------------------------------------------------------
def test_a_tls_failure_is_named_on_one_line_with_the_tls_fix(wire, capsys, tmp_path, monkeypatch):
    defs = tmp_path / "ssl.ini"
    defs.write_text("[Other]\nTLSMinVersion=16\n")
    monkeypatch.setenv("ISC_SSLconfigurations", str(defs))
    code, _out, err = run(capsys, "status", "--tls", "MyTLS")
    assert code == 3
    lines = err.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("error: TLS connection to IRIS at 127.0.0.1")
    assert "[MyTLS]" in lines[1] and "firewall" not in err


def test_tls_needs_a_configuration_name_not_a_boolean(wire, capsys, monkeypatch):
    monkeypatch.setenv("IRIS_TLS", "true")
    code, _out, err = run(capsys, "status")
    assert code == 2 and "not 'true'" in err and "ISC_SSLconfigurations" in err
    assert wire.logins == []


# -- 6: a dropped connection is not kept ---------------------------------------------------------
def test_the_module_functions_reconnect_after_a_dropped_link(wire):
    backends.use_connection(None)
    try:
        assert director.get_production_status()[0] == 1
        wire.faults.drops["Ens.Director.StartProduction"] = 1
        with pytest.raises(director.DirectorError, match="was lost") as lost:
            director.start_production("Demo.Prod")
        assert "next call opens a new connection" in lost.value.fix
        assert director.start_production("Demo.Prod") == 1
        assert len(wire.logins) == 2
    finally:
        backends.use_connection(None)


# -- 8: server output never lands in --json ------------------------------------------------------------
def test_server_output_goes_to_stderr_not_into_json(wire, capsys, monkeypatch):
    import iris

    with director.connect() as connection:
        # what the client runs when the server redirects output to it (iris/_GatewayUtility.py)
        monkeypatch.setattr(iris.GatewayContext, "getConnection", staticmethod(lambda: connection.connection))
        iris._GatewayUtility._GatewayUtility.writeOutput("compiling helloworld.MyService\n")
    out = capsys.readouterr()
    assert out.out == ""
    assert "compiling helloworld.MyService" in out.err
