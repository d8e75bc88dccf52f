"""End to end on a real IRIS (see conftest.py and docs/e2e.md)."""

from __future__ import annotations

import json
import os

import pytest

from intersystems_pyprod import __version__

from .conftest import REPO, SCRIPTS, cli, last_log_id, log_texts, wait_for


def test_pyprod_is_installed_with_the_matching_library(installed):
    """IPM stored the library in the namespace's database (PyProd.Library.Install), with the
    version of module.xml, and the server imports it from there, not from <install>/mgr/python."""
    import xml.etree.ElementTree as ET

    info = installed.info()
    module_version = ET.parse(REPO / "module.xml").getroot().findtext(".//Module/Version")
    assert info["ok"] and info["version"] == __version__ == module_version
    namespace = os.environ["IRIS_NAMESPACE"].upper()
    assert info["library"] == {"stored": module_version,
                               "file": f"/pyprod-lib/{namespace}/{module_version}/intersystems_pyprod/__init__.py"}


@pytest.mark.skipif(not os.environ.get("E2E_PLAIN_NAMESPACE"), reason="E2E_PLAIN_NAMESPACE is not set")
def test_installing_in_one_namespace_leaves_another_without_pyprod(installed):
    """Nothing of the install reached the other namespace: no library global, no classes."""
    from intersystems_pyprod import director

    with director.connect(namespace=os.environ["E2E_PLAIN_NAMESPACE"]) as other:
        assert not other.has_class("PyProd.Loader") and not other.has_class("PyProd.Library")
        assert other.native.get("PyProd.Lib", "active") in (None, "")


def test_hello_world_runs_in_a_production(installed, project, production):
    script = project("hello_production.py", "hello_world/HelloWorld.py")
    result = cli(str(script))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Load finished successfully." in result.stdout
    assert "  created    helloworld.MyService" in result.stdout
    start = last_log_id(installed)
    production("HelloE2E.HelloProduction")
    texts = wait_for(lambda: [r["Text"] for r in log_texts(installed, start)
                              if r["Text"] in ("request message", "response message")], "the HelloWorld log lines")
    assert "request message" in texts
    wait_for(lambda: "response message" in [r["Text"] for r in log_texts(installed, start)], "response message")
    bodies = [m["Body"] for m in installed.messages(limit=10)]
    assert any('"content": "request message"' in b for b in bodies)
    assert any('"content": "response message"' in b for b in bodies)


def _post(iris, box, payload):
    iris.native.set(json.dumps(payload), "PyProdE2E", "inbox", box, payload["id"])


def test_flows_message_map_pickle_columns_and_async(installed, project, production):
    script = project("flows.py", "inbox.py")
    assert cli(str(script)).returncode == 0
    start = last_log_id(installed)
    production("FlowsE2E.FlowsProduction")
    _post(installed, "flows", {"id": 7, "customer": "ACME", "amount": 100.0})
    wait_for(lambda: any("best quote for order 7: VendorB 90.00" in r["Text"] for r in log_texts(installed, start)),
             "the best quote")
    texts = [r["Text"] for r in log_texts(installed, start)]
    assert "VendorA answered 120.00" in texts and "VendorB answered 90.00" in texts
    assert wait_for(lambda: "audit 7 ACME" in [r["Text"] for r in log_texts(installed, start)], "the audit")
    # class Order projects to table OrderTable (ORDER is an SQL reserved word); OrderId is indexed
    rows = installed.query("SELECT OrderId, customer FROM FlowsE2E.OrderTable WHERE OrderId = ?", [7])
    assert rows and rows[0]["customer"] == "ACME"
    # the load gave the namespace the key that seals pickle bodies (the Audit messages above)
    key = installed.native.get("PyProd.Seal", "key")
    assert isinstance(key, str) and len(key) == 64 and int(key, 16) >= 0


def test_failed_load_keeps_the_previous_classes(installed, project):
    script = project("flows.py", "inbox.py")
    assert cli(str(script)).returncode == 0
    before = installed.listing()
    broken = script.read_text().replace("def on_message(self, request):", "def on_message(self):")
    script.write_text(broken)
    result = cli(str(script))
    assert result.returncode == 1 and "wrong parameters" in result.stdout + result.stderr
    assert installed.listing() == before


def test_hot_reload_of_a_running_production(installed, project, production):
    script = project("flows.py", "inbox.py")
    assert cli(str(script)).returncode == 0
    production("FlowsE2E.FlowsProduction")
    script.write_text(script.read_text().replace('VERSION = "v1"', 'VERSION = "v2"'))
    result = cli(str(script), "--json")
    document = json.loads(result.stdout)
    assert document["ok"] and "Inbox" in document["restarted"]
    start = last_log_id(installed)
    _post(installed, "flows", {"id": 8, "customer": "Beta", "amount": 10.0})
    wait_for(lambda: any(r["Text"].startswith("v2 best quote for order 8") for r in log_texts(installed, start)),
             "the reloaded code")


def test_a_reload_leaves_the_production_definition_alone_and_applies_a_changed_one(installed, project, production):
    script = project("flows.py", "inbox.py")
    assert cli(str(script)).returncode == 0
    production("FlowsE2E.FlowsProduction")

    def stored_flags():
        rows = installed.query("SELECT Name, Enabled FROM Ens_Config.Item WHERE Production = ?",
                               ["FlowsE2E.FlowsProduction"])
        return {row["Name"]: int(row["Enabled"]) for row in rows}

    before = stored_flags()
    assert before and all(before.values())
    script.write_text(script.read_text().replace('VERSION = "v1"', 'VERSION = "v2"'))
    document = json.loads(cli(str(script), "--json").stdout)
    assert document["ok"] and {"Inbox", "VendorA", "Warehouse"} <= set(document["restarted"]), document
    assert stored_flags() == before  # restarted without writing Enabled into the definition
    # a changed production class reaches the running production in the same load
    script.write_text(script.read_text().replace('{"factor": 1.2}', '{"factor": 1.25}'))
    document = json.loads(cli(str(script), "--json").stdout)
    assert document["ok"] and not any("was not updated" in w for w in document["warnings"]), document
    reason = installed.sdk_ref(None)
    assert not int(installed.call("Ens.Director", "ProductionNeedsUpdate", reason) or 0), reason.getValue()
    assert stored_flags() == before


def test_a_service_made_outside_the_production_is_torn_down(installed, project, production):
    from intersystems_pyprod import director

    script = project("direct.py")
    assert cli(str(script)).returncode == 0
    production("DirectE2E.DirectProduction")
    start = last_log_id(installed)
    director.use_connection(installed)
    try:
        status, service = director.create_business_service("Direct")
        assert status == 1 and service is not None
        with service:
            assert service.process_input("one")[0] == 1
        wait_for(lambda: any(r["Text"] == "direct service torn down" for r in log_texts(installed, start)),
                 "OnTearDown of a closed service")
        texts = [r["Text"] for r in log_texts(installed, start)]
        assert texts.count("direct service torn down") == 1 and "direct input one" in texts
    finally:
        director.use_connection(None)


def test_unload_removes_the_classes(installed, project):
    script = project("flows.py", "inbox.py")
    assert cli(str(script)).returncode == 0
    result = cli("unload", str(script))
    assert result.returncode == 0 and "Unload finished successfully." in result.stdout
    assert not installed.has_class("FlowsE2E.Router")


@pytest.mark.skipif(not os.environ.get("E2E_PLAIN_NAMESPACE"), reason="E2E_PLAIN_NAMESPACE is not set")
def test_doctor_on_a_namespace_without_interoperability():
    result = cli("doctor", namespace=os.environ["E2E_PLAIN_NAMESPACE"])
    assert result.returncode == 1
    assert "[FAIL] interoperability" in result.stdout and "EnableNamespace" in result.stdout


def test_on_error_on_timeout_and_the_portal_arrows(installed, project, production):
    script = project("callbacks.py", "inbox.py")
    assert cli(str(script)).returncode == 0
    start = last_log_id(installed)
    production("CallbacksE2E.CallbacksProduction")
    installed.native.set("j1", "PyProdE2E", "inbox", "callbacks", 1)
    wait_for(lambda: any(r["Text"] == "recovered j1 (job) from an error" for r in log_texts(installed, start)),
             "OnError")
    wait_for(lambda: any(r["Text"] == "timed out waiting (deadline)" for r in log_texts(installed, start)),
             "OnTimeout")
    wait_for(lambda: any(r["Text"] == "timer pause reached OnResponse" for r in log_texts(installed, start)),
             "a timer in a process without OnTimeout")
    # OnGetConnections of the Python hosts, as the portal's diagram reads it
    result = cli("graph", "--remote", "CallbacksE2E.CallbacksProduction", "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    edges = {(e["source"], e["target"]) for e in json.loads(result.stdout)["edges"]}
    assert {("Kick", "Recovering"), ("Kick", "Waiting"), ("Kick", "Pausing"), ("Recovering", "Failing"),
            ("Waiting", "Slow"), ("Waiting", "Failing")} <= edges


def test_hot_reload_reaches_a_pool_size_zero_process(installed, project, production):
    script = project("pooled.py", "inbox.py", "helpers.py")
    assert cli(str(script)).returncode == 0
    production("PooledE2E.PooledProduction")
    start = last_log_id(installed)
    _post(installed, "pooled", {"id": 1})
    wait_for(lambda: any(r["Text"] == "v1 pooled 1" for r in log_texts(installed, start)), "the first version")
    helpers = script.parent / "helpers.py"
    helpers.write_text(helpers.read_text().replace('TAG = "v1"', 'TAG = "v2"'))
    document = json.loads(cli(str(script), "--json").stdout)
    assert document["ok"] and "Pooled" in document["refreshed"] and "Pooled" not in document["restarted"]
    start = last_log_id(installed)
    _post(installed, "pooled", {"id": 2})
    wait_for(lambda: any(r["Text"] == "v2 pooled 2" for r in log_texts(installed, start)),
             "the new code in the shared actor jobs")


def test_a_second_script_sharing_module_names(installed, project, tmp_path_factory):
    script = project("pooled.py", "inbox.py", "helpers.py")
    assert cli(str(script)).returncode == 0
    other = tmp_path_factory.mktemp("other_project")
    for name in ("second.py", "helpers.py"):
        (other / name).write_text((SCRIPTS / name).read_text())
    refused = json.loads(cli(str(other / "second.py"), "--json").stdout)
    assert not refused["ok"] and "module helpers of script 'second' is also module helpers of script 'pooled'" \
        in refused["error"]
    assert not installed.has_class("SecondE2E.Echo")
    (script.parent / "second.py").write_text((SCRIPTS / "second.py").read_text())
    shared = json.loads(cli(str(script.parent / "second.py"), "--json").stdout)
    assert shared["ok"] and installed.has_class("SecondE2E.Echo") and installed.has_class("PooledE2E.Pooled")
    assert cli("unload", str(script.parent / "second.py")).returncode == 0


def test_a_sealed_pickle_body_of_several_chunks_and_json_infinities(installed, project, production):
    script = project("bodies.py", "inbox.py")
    assert cli(str(script)).returncode == 0
    start = last_log_id(installed)
    production("BodiesE2E.BodiesProduction")
    installed.native.set(json.dumps({"megabytes": 7}), "PyProdE2E", "inbox", "bodies", 1)
    # 6,999,808 bytes of every byte value: three chunks through PickleChunk, and the seal checked
    line = wait_for(lambda: [r["Text"] for r in log_texts(installed, start) if r["Text"].startswith("bundle ")],
                    "the bundle check")
    assert line == ["bundle ok 6999808 2000 nan inf"]
    # 2 million characters above U+FFFF: JSON bodies cut and read without splitting a surrogate pair
    assert wait_for(lambda: [r["Text"] for r in log_texts(installed, start) if r["Text"].startswith("faces ")],
                    "the faces check") == ["faces ok"]
    bodies = [m["Body"] for m in installed.messages(limit=10)]
    assert any("NaN" in b and "Infinity" in b for b in bodies)


def test_message_bodies_keep_their_identity(installed, project, production):
    script = project("identity.py", "inbox.py")
    assert cli(str(script)).returncode == 0
    before = installed.query("SELECT MAX(ID) AS Last FROM Ens.MessageHeader", [])
    first_header = int((before[0]["Last"] if before else 0) or 0)
    start = last_log_id(installed)
    production("IdentityE2E.IdentityProduction")
    for n, target in enumerate(("Summer", "PickleSummer", "Replacer", "Forwarder"), 1):
        _post(installed, "identity", {"id": n, "to": target})
    for line in ("identity Summer 20", "identity PickleSummer [10, 10, 20]", "identity Replacer 20",
                 "identity Forwarder 10"):
        wait_for(lambda line=line: line in [r["Text"] for r in log_texts(installed, start)], line)
    # a request sent on unchanged is one body with a header per hop (3 in the fan-outs, 2 forwarded)
    rows = installed.query("SELECT SessionId, COUNT(*) AS Headers, COUNT(DISTINCT MessageBodyId) AS Bodies "
                           "FROM Ens.MessageHeader WHERE ID > ? AND MessageBodyClassName = 'IdentityE2E.Ask' "
                           "GROUP BY SessionId", [first_header])
    assert sorted((int(r["Headers"]), int(r["Bodies"])) for r in rows) == [(2, 1), (3, 1), (3, 1), (3, 1)]
    # the responses replaced in OnResponse were deleted: every Total body has a header
    headed = {str(r["MessageBodyId"]) for r in installed.query(
        "SELECT MessageBodyId FROM Ens.MessageHeader WHERE MessageBodyClassName = 'IdentityE2E.Total'", [])}
    stored = {str(r["ID"]) for r in installed.query("SELECT ID FROM IdentityE2E.Total", [])}
    assert stored and stored <= headed
