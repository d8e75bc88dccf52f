"""The end-to-end scripts stay valid without IRIS: they generate grammar-clean classes, and the
flows behave in the harness as the live suite expects them to in IRIS."""

from __future__ import annotations

import shutil

from intersystems_pyprod.loader.build import build

from .helpers import EXAMPLES, REPO

SCRIPTS = REPO / "tests" / "e2e" / "scripts"


def test_hello_production_builds(tmp_path):
    shutil.copy(SCRIPTS / "hello_production.py", tmp_path)
    shutil.copy(EXAMPLES / "hello_world" / "HelloWorld.py", tmp_path)
    result = build(str(tmp_path / "hello_production.py"), validate=True)
    assert "HelloE2E.HelloProduction" in [c.name for c in result.classes]
    assert "helloworld.MyService" in [c.name for c in result.classes]


def test_flows_build_and_run_in_the_harness(tmp_path, pyprod_harness):
    for name in ("flows.py", "inbox.py"):
        shutil.copy(SCRIPTS / name, tmp_path)
    result = build(str(tmp_path / "flows.py"), validate=True)
    order = next(c for c in result.classes if c.name == "FlowsE2E.Order")
    assert "[ SqlTableName = OrderTable ]" in order.text and "Index OrderIdIDX On OrderId;" in order.text
    harness = pyprod_harness(str(tmp_path / "flows.py"))
    status, quote = harness.request("Router", harness.module.Order(7, "ACME", 100.0))
    assert status == 1 and (quote.vendor, round(quote.price, 2)) == ("VendorB", 90.0)
    assert "audit 7 ACME" in harness.texts()
    assert "VendorA answered 120.00" in harness.texts()


def test_callbacks_script_runs_on_error_and_on_timeout_in_the_harness(tmp_path, pyprod_harness):
    from intersystems_pyprod.testing import NO_REPLY

    for name in ("callbacks.py", "inbox.py"):
        shutil.copy(SCRIPTS / name, tmp_path)
    build(str(tmp_path / "callbacks.py"), validate=True)
    harness = pyprod_harness(str(tmp_path / "callbacks.py"), stubs={"Slow": lambda request: NO_REPLY})
    status, _ = harness.request("Recovering", harness.module.Job("j1"))
    assert status == 1
    assert "recovered j1 (job) from an error" in harness.texts()
    assert "unexpected response" not in harness.texts()
    status, _ = harness.request("Waiting", harness.module.Job("j2"))
    assert status == 1 and "timed out waiting (deadline)" in harness.texts()
    status, _ = harness.request("Pausing", harness.module.Job("p"))
    assert status == 1 and "timer pause reached OnResponse" in harness.texts()
    status, _ = harness.request("Slow", harness.module.Job("j3"))
    assert str(status).startswith("0") and "did not answer" in str(status)


def test_without_on_error_a_failed_async_call_fails_the_process(tmp_path, pyprod_harness):
    shutil.copy(SCRIPTS / "inbox.py", tmp_path)
    script = tmp_path / "callbacks.py"
    script.write_text((SCRIPTS / "callbacks.py").read_text().replace("def on_error(", "def not_on_error("))
    harness = pyprod_harness(str(script))
    status, _ = harness.request("Recovering", harness.module.Job("j3"))
    assert str(status).startswith("0") and "cannot do j3" in str(status)
    assert "unexpected response" not in harness.texts()


def test_pooled_and_second_scripts_build_and_share_helpers_only_within_a_project(tmp_path):
    from intersystems_pyprod.loader.service import load_sources

    from .fake_namespace import FakeNamespace

    for name in ("pooled.py", "inbox.py", "helpers.py", "second.py"):
        shutil.copy(SCRIPTS / name, tmp_path)
    result = build(str(tmp_path / "pooled.py"), validate=True)
    production = next(c for c in result.classes if c.name == "PooledE2E.PooledProduction")
    assert 'Name="Pooled"' in production.text and 'PoolSize="0"' in production.text
    files = {n: (tmp_path / n).read_text() for n in ("pooled.py", "inbox.py", "helpers.py")}
    ns = FakeNamespace()
    assert load_sources(ns, ns.store(), files, "pooled.py", project="pc:/one").ok
    second = {n: (tmp_path / n).read_text() for n in ("second.py", "helpers.py")}
    refused = load_sources(ns, ns.store(), second, "second.py", project="pc:/two")
    assert not refused.ok and "also module helpers of script 'pooled'" in refused.error
    assert load_sources(ns, ns.store(), second, "second.py", project="pc:/one").ok


def test_bodies_script_moves_a_body_of_several_chunks_and_json_infinities_in_the_harness(tmp_path, pyprod_harness):
    from intersystems_pyprod.runtime import streams

    for name in ("bodies.py", "inbox.py"):
        shutil.copy(SCRIPTS / name, tmp_path)
    build(str(tmp_path / "bodies.py"), validate=True)
    harness = pyprod_harness(str(tmp_path / "bodies.py"))
    status = harness.send("Feed", '{"megabytes": 7}')
    size = len(harness.module.payload(7))
    assert size > 2 * streams.CHUNK
    assert status == 1 and f"bundle ok {size} 2000 nan inf" in harness.texts()
    assert "faces ok" in harness.texts()


def test_identity_script_builds_and_keeps_message_bodies_in_the_harness(tmp_path, pyprod_harness):
    import json

    for name in ("identity.py", "inbox.py"):
        shutil.copy(SCRIPTS / name, tmp_path)
    build(str(tmp_path / "identity.py"), validate=True)
    harness = pyprod_harness(str(tmp_path / "identity.py"))
    for target in ("Summer", "PickleSummer", "Replacer", "Forwarder"):
        assert harness.send("Entry", json.dumps({"to": target})) == 1
    assert harness.texts() == ["identity Summer 20", "identity PickleSummer [10, 10, 20]", "identity Replacer 20",
                               "identity Forwarder 10"]
    sessions = {}  # what the live test reads with SQL: headers and distinct bodies of Ask per session
    for hop in harness.trace:
        if hop.message_class == "IdentityE2E.Ask":
            sessions.setdefault(json.loads(hop.body)["label"], []).append(hop.body_id)
    assert sorted((len(ids), len(set(ids))) for ids in sessions.values()) == [(2, 1), (3, 1), (3, 1), (3, 1)]
    assert harness.orphans() == []
